import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RawArticle } from '../../src/core/content/article.ts';
import { SEARCH_HEAD_KEY, searchKey } from '../../src/core/snapshot/keys.ts';
import { forgetPointer, searchIndexId } from '../../src/storage/snapshots.ts';
import { forgetApprovedNews } from '../../src/storage/submissions.ts';
import fixture from '../fixtures/search/articles.json';
import { article, seedSnapshot } from './seed.ts';
import { approve, postNews } from './submissions-helpers.ts';

const get = (path: string) => exports.default.fetch(`http://edge.test${path}`);

interface Item {
  id: string;
  title: string;
  snippet: string;
  section: string;
  lang: string;
  source: string;
  published: string;
  url: string | null;
  image: string | null;
  score: number;
  highlights: { title: [number, number][]; snippet: [number, number][] };
}
interface Body {
  query: string;
  total: number;
  total_exact: boolean;
  match: 'all' | 'any';
  corrections: { from: string; to: string; kind: string }[];
  items: Item[];
  next_cursor: string | null;
}

async function search(query: string): Promise<Body> {
  const res = await get(`/v1/search?${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return (await res.json()) as Body;
}

const urls = (b: Body) => b.items.map((i) => i.url);
const byId = new Map((fixture as RawArticle[]).map((a) => [a.id, a]));
const url = (id: string) => byId.get(id)?.url;

let index = '';
beforeAll(async () => {
  const { pointer } = await seedSnapshot(fixture as RawArticle[]);
  index = searchIndexId(pointer);
});

describe('GET /v1/search', () => {
  it('answers from the index parts the snapshot wrote', async () => {
    expect(await env.NEWS.get(searchKey(index, 'meta'))).not.toBeNull();
    const body = await search('q=Москве');
    expect(body.query).toBe('Москве');
    expect(urls(body)).toEqual(expect.arrayContaining([url('ru-1'), url('ru-2')]));
    expect(body.total).toBe(2);
    // The fixture's articles have no image; a hit says so rather than leaving it out.
    expect(body.items.map((i) => i.image)).toEqual([null, null]);
    expect(body.total_exact).toBe(true);
    const item = body.items[0]!;
    expect(item.highlights.title.length).toBeGreaterThan(0);
    for (const [start, end] of item.highlights.title)
      expect(item.title.slice(start, end).toLowerCase()).toMatch(/^москв/);
  });

  it('finds Ukrainian forms, apostrophe variants and place names', async () => {
    // The Russian name of the city shares the stem (core/search/analyze.ts): В Киеве follows.
    expect(urls(await search(`q=${encodeURIComponent('Києві')}`))).toEqual([
      url('uk-1'),
      url('ru-6'),
    ]);
    expect(urls(await search(`q=${encodeURIComponent('мясо')}`))).toEqual([url('uk-2')]);
    expect(urls(await search(`q=${encodeURIComponent('Одеси')}`))).toEqual([url('uk-3')]);
  });

  it('corrects the keyboard layout and transliteration, and says so', async () => {
    const layout = await search('q=ghbdtn');
    expect(urls(layout)).toEqual([url('ru-7')]);
    expect(layout.corrections).toEqual([{ from: 'ghbdtn', to: 'привет', kind: 'layout' }]);
    const translit = await search('q=sobyanin');
    expect(urls(translit)).toEqual([url('ru-1')]);
    expect(translit.corrections[0]).toMatchObject({ kind: 'transliteration', to: 'собянин' });
  });

  it('filters, sorts by date and pages with a cursor', async () => {
    const filtered = await search(`q=${encodeURIComponent('цены')}&lang=ru&from=2024-01-01`);
    expect(urls(filtered)).toEqual([url('ru-8')]);
    const newest = await search('q=smartphone&sort=newest');
    expect(urls(newest)).toEqual([url('en-3'), url('en-4')]);
    const first = await search('q=smartphone&limit=1');
    expect(first.items).toHaveLength(1);
    expect(first.next_cursor).not.toBeNull();
    const second = await search(`q=smartphone&limit=1&cursor=${first.next_cursor}`);
    expect(second.items).toHaveLength(1);
    expect(second.items[0]!.url).not.toBe(first.items[0]!.url);
    expect(second.next_cursor).toBeNull();
  });

  it('reports timings in Server-Timing', async () => {
    const res = await get('/v1/search?q=oil');
    expect(res.headers.get('server-timing')).toMatch(
      /pointer;dur=[\d.]+, kv;dur=[\d.]+;desc="\d+ reads, \d+ parts", parse;dur=[\d.]+, snippets;dur=[\d.]+;desc="\d+ reads, \d+ bytes", total;dur=[\d.]+/,
    );
  });

  it.each([
    ['', 'q'],
    ['q=', 'q'],
    ['q=%20%20', 'q'],
    [`q=${'a'.repeat(201)}`, 'q'],
    ['q=%21%21%21', 'q'],
    ['q=oil&from=2024-13-45', 'from'],
    ['q=oil&to=yesterday', 'to'],
    ['q=oil&from=2024-02-01&to=2024-01-01', 'to'],
    ['q=oil&sort=best', 'sort'],
    ['q=oil&limit=0', 'limit'],
    ['q=oil&limit=51', 'limit'],
    ['q=oil&cursor=not-a-cursor', 'cursor'],
  ])('refuses %s with a 400 problem naming %s', async (query, field) => {
    const res = await get(`/v1/search?${query}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await res.json()) as { errors?: { field: string }[]; code: string };
    expect(problem.errors?.map((e) => e.field)).toContain(field);
  });

  it('takes the index meta from the search head read with a cold pointer, and ignores a head of another snapshot', async () => {
    // A snapshot whose own meta is gone: only the head, read with the pointer, can answer.
    const headed = await seedSnapshot(fixture as RawArticle[], {
      builtAt: new Date('2024-12-01T00:00:00Z'),
    });
    const metaKey = searchKey(searchIndexId(headed.pointer), 'meta');
    const meta = (await env.NEWS.get(metaKey))!;
    await env.NEWS.delete(metaKey);
    forgetPointer();
    expect(urls(await search('q=smartphone'))).toEqual(
      expect.arrayContaining([url('en-3'), url('en-4')]),
    );

    // A head that lags behind the pointer (KV propagating) is not used: the snapshot's meta
    // is. Were it used, its empty term list would find nothing.
    // (One more article, so the new snapshot's index is not the one it shares by content.)
    await seedSnapshot([...(fixture as RawArticle[]), article({ title: 'One more story' })], {
      builtAt: new Date('2024-12-02T00:00:00Z'),
    });
    await env.NEWS.put(
      SEARCH_HEAD_KEY,
      `${searchIndexId(headed.pointer)}\n${JSON.stringify({ ...JSON.parse(meta), terms: [] })}`,
    );
    forgetPointer();
    expect(urls(await search('q=smartphone'))).toEqual(
      expect.arrayContaining([url('en-3'), url('en-4')]),
    );
  });

  it('refuses a cursor issued for another query', async () => {
    const first = await search('q=smartphone&limit=1');
    const res = await get(`/v1/search?q=oil&limit=1&cursor=${first.next_cursor}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('invalid_cursor');
  });
});

describe('GET /v1/suggest', () => {
  it('completes the last word, most articles first', async () => {
    const res = await get(`/v1/suggest?q=${encodeURIComponent('цены на нов')}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { suggestions: { word: string; count: number }[] };
    expect(body.suggestions.length).toBeGreaterThan(0);
    for (const s of body.suggestions) expect(s.word.startsWith('нов')).toBe(true);
    const counts = body.suggestions.map((s) => s.count);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
  });

  it('refuses an empty query', async () => {
    const res = await get('/v1/suggest?q=');
    expect(res.status).toBe(400);
  });
});

describe('approved reader news', () => {
  it('is searchable before the next deploy, scored with the snapshot statistics', async () => {
    const { id } = (
      await postNews({
        title: 'Waterfall trail reopens after the storm in Carpathians',
        lang: 'en',
      })
    ).body;
    expect((await approve(id)).status).toBe(200);
    forgetApprovedNews();
    const body = await search('q=carpathians');
    expect(body.items.map((i) => i.id)).toEqual([`n-${id}`]);
    expect(body.items[0]!.source).toBe('Reader');
    expect(body.items[0]!.highlights.title.length).toBe(1);
    // Merged with the snapshot's results in one ranking.
    const storm = await search('q=storm');
    expect(storm.items.map((i) => i.id)).toContain(`n-${id}`);
    expect(storm.total).toBe(storm.items.length);
    expect(storm.items.length).toBeGreaterThan(1);
  });
});
