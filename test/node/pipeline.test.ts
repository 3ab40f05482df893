import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Article } from '../../src/core/content/article.ts';
import { dedupe } from '../../src/core/content/dedup.ts';
import {
  canonicalUrl,
  languageOf,
  languageTag,
  slugify,
} from '../../src/core/content/normalize.ts';
import { type InputRecord, runPipeline } from '../../src/core/content/pipeline.ts';
import { normalizeRecord, parseJsonLines, RecordError } from '../../src/core/content/records.ts';

const origin = { file: 'in.jsonl', line: 7 };
const base = {
  source: 'Wire',
  section: 'World',
  lang: 'en',
  published: '2024-07-15T10:00:00Z',
  title: 'Base title',
  body: 'Body.',
  url: 'https://news.example/a',
};
const rec = (overrides: Record<string, unknown>): InputRecord => ({
  value: { ...base, ...overrides },
  origin,
});
const norm = (overrides: Record<string, unknown>): Article =>
  normalizeRecord({ ...base, ...overrides }, origin);

describe('normalisation', () => {
  it('canonicalises URLs and drops tracking parameters', () => {
    expect(canonicalUrl('HTTPS://News.Example/path/?utm_source=x&b=2&a=1&fbclid=z#frag')).toBe(
      'https://news.example/path?a=1&b=2',
    );
    expect(canonicalUrl('javascript:alert(1)')).toBeNull();
    expect(canonicalUrl('not a url')).toBeNull();
  });

  it('makes BCP 47 tags and ASCII section slugs', () => {
    expect(languageTag('EN_gb')).toBe('en-GB');
    expect(languageTag('??')).toBeNull();
    // The one rule articles, reader news and ads are stored and filtered under.
    expect(['en-GB', 'EN_gb', ' ru ', 'uk-UA', 'zh-Hant-TW'].map(languageOf)).toEqual([
      'en',
      'en',
      'ru',
      'uk',
      'zh',
    ]);
    expect(['english', '??', '', 'en-', `en-${'a'.repeat(40)}`].map(languageOf)).toEqual([
      null,
      null,
      null,
      null,
      null,
    ]);
    expect(slugify('Новости спорта')).toBe('novosti-sporta');
    expect(slugify('Europe’s East & Russia')).toBe('europe-s-east-russia');
  });

  it('gives the same id to the same URL with or without tracking', () => {
    expect(norm({ url: 'https://news.example/a?utm_medium=rss' }).id).toBe(norm({}).id);
    expect(norm({ url: null }).id).not.toBe(norm({}).id);
  });
});

describe('bad records', () => {
  it.each([
    [{ title: 42 }, 'in.jsonl:7: field "title" must be a string'],
    [{ title: '' }, 'in.jsonl:7: field "title" must not be empty'],
    [{ title: '<b></b>' }, 'in.jsonl:7: field "title" is empty once HTML is removed'],
    [{ lang: 'english!' }, 'in.jsonl:7: field "lang" is not a BCP 47 language tag: "english!"'],
    [{ published: 'yesterday' }, 'in.jsonl:7: field "published" must be an ISO 8601 date-time'],
    [
      { published: null },
      'in.jsonl:7: field "published" is missing: an article needs a publish time',
    ],
    [{ url: 'ftp://x/y' }, 'in.jsonl:7: field "url" is not an absolute http(s) URL: "ftp://x/y"'],
    [{ source: undefined }, 'in.jsonl:7: field "source" must be a string'],
  ])('%j -> %s', (overrides, message) => {
    expect(() => runPipeline([rec(overrides)])).toThrow(message);
  });

  it('names the line of invalid JSON', () => {
    const records = [...parseJsonLines('{"a":1}\n\n{oops\n', 'feed.jsonl')];
    expect(records[1]).toBeInstanceOf(RecordError);
    expect((records[1] as RecordError).message).toMatch(
      /^feed\.jsonl:3: field "\(record\)" is not valid JSON/,
    );
  });

  it('skips and counts bad records when asked, never silently', () => {
    const result = runPipeline(
      [rec({}), rec({ title: 1 }), rec({ lang: '', url: 'https://news.example/b' })],
      { skipInvalid: true },
    );
    expect(result.articles).toHaveLength(1);
    expect(result.stats).toMatchObject({ read: 3, skipped: 2 });
    expect(result.errors.map((e) => e.field)).toEqual(['title', 'lang']);
  });
});

describe('deduplication', () => {
  it('merges the same URL with tracking parameters, keeping the richest record', () => {
    const { articles, merged } = dedupe([
      norm({ url: 'https://news.example/a?utm_source=tg' }),
      norm({
        url: 'https://news.example/a',
        summary: 'Richer.',
        image: 'https://img.example/a.jpg',
        tags: ['x'],
      }),
      norm({ url: 'https://news.example/a?fbclid=1' }),
    ]);
    expect(merged).toBe(2);
    expect(articles).toHaveLength(1);
    expect(articles[0]).toMatchObject({
      summary: 'Richer.',
      image: 'https://img.example/a.jpg',
      duplicates: [],
    });
  });

  it('merges the same title from other sources close in time, listing them', () => {
    const { articles, merged } = dedupe([
      norm({
        title: 'Выборы мэра Сочи могут отменить из-за нарушений',
        source: 'A',
        url: 'https://a.example/1',
      }),
      norm({
        title: 'Выборы мэра Сочи могут отменить из-за нарушений!',
        source: 'B',
        url: 'https://b.example/2',
        published: '2024-07-15T14:00:00Z',
      }),
      norm({
        title: 'выборы мэра сочи могут отменить из-за нарушений',
        source: 'C',
        url: 'https://c.example/3',
        published: '2024-07-20T14:00:00Z',
      }),
    ]);
    expect(merged).toBe(1);
    expect(articles).toHaveLength(2);
    const first = articles.find((a) => a.duplicates.length > 0)!;
    expect(first.duplicates.map((d) => d.source).sort()).toEqual(
      ['A', 'B'].filter((s) => s !== first.source),
    );
  });

  it('groups near-duplicates under the article they repeat, and counts them', () => {
    const { articles, grouped } = dedupe([
      norm({
        title: 'Мэр Москвы сообщил о подписании 22 офсетных контрактов',
        source: 'A',
        url: 'https://a.example/1',
      }),
      norm({
        title: 'Мэр Москвы сообщил о подписании 22 новых офсетных контрактов',
        source: 'B',
        url: 'https://b.example/2',
        published: '2024-07-15T12:00:00Z',
      }),
      norm({
        title: 'Мэр Москвы сообщил о подписании 23 офсетных контрактов',
        source: 'C',
        url: 'https://c.example/3',
        published: '2024-07-15T12:00:00Z',
      }),
    ]);
    expect(grouped).toBe(1);
    expect(articles).toHaveLength(2);
    const leader = articles.find((a) => a.source === 'A')!;
    expect(leader.duplicates).toEqual([
      {
        id: expect.any(String),
        source: 'B',
        url: 'https://b.example/2',
        title: 'Мэр Москвы сообщил о подписании 22 новых офсетных контрактов',
      },
    ]);
  });

  it('property: never loses an article, and every input id is reachable', () => {
    const titles = [
      'Alpha beta gamma delta',
      'Alpha beta gamma delta epsilon',
      'Zeta eta theta iota',
      'Kappa',
      'Lambda mu nu xi omicron',
    ];
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            t: fc.constantFrom(...titles),
            s: fc.constantFrom('A', 'B'),
            h: fc.integer({ min: 0, max: 200 }),
            u: fc.integer({ min: 0, max: 5 }),
          }),
          { maxLength: 30 },
        ),
        (specs) => {
          const input = specs.map((x) =>
            norm({
              title: x.t,
              source: x.s,
              url: `https://n.example/${x.u}`,
              published: new Date(Date.UTC(2024, 6, 1) + x.h * 3_600_000).toISOString(),
            }),
          );
          const { articles, merged, grouped } = dedupe(input);
          const uniqueIds = new Set(input.map((a) => a.id));
          const reachable = new Set(
            articles.flatMap((a) => [a.id, ...a.duplicates.map((d) => d.id)]),
          );
          for (const id of uniqueIds) expect(reachable.has(id)).toBe(true);
          expect(articles.length + merged + grouped).toBe(input.length);
          expect(new Set(articles.map((a) => a.id)).size).toBe(articles.length);
        },
      ),
    );
  });
});

describe('which URLs identify an article', () => {
  it('not a front page or a link shortener: those fall back to source, title and time', () => {
    const a = norm({ url: 'https://vk.cc/cb2BbK', title: 'First post' });
    const b = norm({ url: 'https://vk.cc/cb2BbK', title: 'Second post' });
    expect(a.id).not.toBe(b.id);
    expect(dedupe([a, b]).articles).toHaveLength(2);
    expect(norm({ url: 'https://news.example/', title: 'One' }).id).not.toBe(
      norm({ url: 'https://news.example/', title: 'Two' }).id,
    );
    expect(norm({ url: 'https://news.example/story?utm_source=x', title: 'One' }).id).toBe(
      norm({ url: 'https://news.example/story', title: 'Two' }).id,
    );
  });
});
