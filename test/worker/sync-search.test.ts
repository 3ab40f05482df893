/**
 * The query syntax of /v1/search through the real Worker: quoted phrases, -word / NOT,
 * OR, in=title, fields=, and what malformed syntax answers. The corpus is generated from a
 * small vocabulary with a fixed seed; every expectation comes from a plain regex reference
 * over the seeded records (whole words, a plural "s" as the stem's only variation), with
 * `sort=newest` so the order is the publication order.
 */
import { exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { RawArticle } from '../../src/core/content/article.ts';
import { forgetPointer } from '../../src/storage/snapshots.ts';
import { forgetApprovedNews } from '../../src/storage/submissions.ts';
import { expectClientError } from './expect-problem.ts';
import { article, getJson, seedSnapshot } from './seed.ts';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const VOCAB = ['harbour', 'bridge', 'ferry', 'tunnel', 'storm', 'market', 'council'];
/** Long enough that a sentence after it is past the record's snippet text (240 characters). */
const FILLER =
  'Officials said the work would continue through the week according to the plan. '.repeat(4);

/** mulberry32: the same corpus on every run. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const next = random(20241201);
const pick = () => VOCAB[Math.floor(next() * VOCAB.length)]!;
const plural = (w: string) => (next() < 0.3 ? `${w}s` : w);
const words = (n: number) => Array.from({ length: n }, () => plural(pick())).join(' ');

/** 80 stories; the vocabulary in the title, early in the body, or only past the snippet text. */
const RECORDS: RawArticle[] = Array.from({ length: 80 }, (_, i) => {
  const title = `${words(1 + Math.floor(next() * 3))} report ${i}`;
  const early = next() < 0.5 ? `${words(3)} today. ` : '';
  const late = next() < 0.6 ? ` Later ${words(3)} again.` : '';
  return article({
    title: title[0]!.toUpperCase() + title.slice(1),
    body: `${early}${FILLER}${late}`,
    summary: null,
    published: new Date(Date.UTC(2024, 7, 1) + i * 3_600_000).toISOString(),
  });
});

interface Item {
  id: string;
  title: string;
  published: string;
  snippet: string;
  highlights: { title: [number, number][]; snippet: [number, number][] };
}
interface Result {
  total: number;
  total_exact: boolean;
  match: string;
  items: Item[];
  next_cursor: string | null;
}

const get = (path: string) => exports.default.fetch(`http://edge.test${path}`);
const search = (q: string, extra = '') =>
  getJson<Result>(`/v1/search?q=${encodeURIComponent(q)}&sort=newest&limit=50${extra}`);

/** Whole word or its plural, in a text. */
const has = (text: string, w: string) => new RegExp(`\\b${w}s?\\b`, 'i').test(text);
const hasPhrase = (text: string, a: string, b: string) =>
  new RegExp(`\\b${a}s? ${b}s?\\b`, 'i').test(text);
const fields = (r: RawArticle) => [r.title, r.body ?? ''];
const anyField = (r: RawArticle, test: (text: string) => boolean) => fields(r).some(test);

/** Titles of the records a predicate keeps, newest first. */
const expected = (keep: (r: RawArticle) => boolean) =>
  RECORDS.filter(keep)
    .sort((a, b) => (a.published! < b.published! ? 1 : -1))
    .map((r) => r.title);

describe('query syntax of /v1/search', () => {
  beforeAll(async () => {
    forgetPointer();
    forgetApprovedNews();
    await seedSnapshot(RECORDS);
  });

  const cases: [string, string, (r: RawArticle) => boolean][] = [
    [
      'a phrase: consecutive words in one field, plurals as stems',
      '"harbour bridge"',
      (r) => anyField(r, (t) => hasPhrase(t, 'harbour', 'bridge')),
    ],
    [
      'a phrase and an excluded word',
      '"storm tunnel" -ferry',
      (r) =>
        anyField(r, (t) => hasPhrase(t, 'storm', 'tunnel')) && !anyField(r, (t) => has(t, 'ferry')),
    ],
    [
      'OR binds tighter than the implicit AND',
      'ferry OR tunnel market ',
      (r) =>
        anyField(r, (t) => has(t, 'ferry') || has(t, 'tunnel')) &&
        anyField(r, (t) => has(t, 'market')),
    ],
    [
      'two excluded words, one with NOT',
      'bridge -storm NOT council ',
      (r) =>
        anyField(r, (t) => has(t, 'bridge')) &&
        !anyField(r, (t) => has(t, 'storm')) &&
        !anyField(r, (t) => has(t, 'council')),
    ],
    [
      'AND and + are accepted and change nothing',
      '+market AND council ',
      (r) => anyField(r, (t) => has(t, 'market')) && anyField(r, (t) => has(t, 'council')),
    ],
  ];
  it.each(cases)('%s: %s', async (_, q, keep) => {
    const want = expected(keep);
    expect(want.length).toBeGreaterThan(1);
    const body = await search(q);
    expect(body.items.map((i) => i.title)).toEqual(want);
    expect([body.total, body.total_exact, body.match]).toEqual([want.length, true, 'all']);
  });

  const titleCases: [string, (title: string) => boolean][] = [
    ['harbour bridge ', (t) => has(t, 'harbour') && has(t, 'bridge')],
    ['"harbour bridge"', (t) => hasPhrase(t, 'harbour', 'bridge')],
    ['ferry OR tunnel -storm ', (t) => (has(t, 'ferry') || has(t, 'tunnel')) && !has(t, 'storm')],
  ];
  it.each(titleCases)('in=title: %s is looked for in titles only', async (q, keep) => {
    const want = expected((r) => keep(r.title));
    expect(want.length).toBeGreaterThan(0);
    // The same test on every field keeps others: the title restriction has work to do.
    expect(want).not.toEqual(expected((r) => anyField(r, keep)));
    const body = await search(q, '&in=title');
    expect(body.items.map((i) => i.title)).toEqual(want);
    expect(body.total).toBe(want.length);
  });

  it('finds a phrase only the body holds, past the snippet text, by reading the article', async () => {
    const deep = expected(
      (r) =>
        !hasPhrase(r.title, 'harbour', 'bridge') &&
        !hasPhrase((r.body ?? '').slice(0, 240), 'harbour', 'bridge') &&
        hasPhrase(r.body ?? '', 'harbour', 'bridge'),
    );
    expect(deep.length).toBeGreaterThan(0);
    const res = await get(`/v1/search?q=${encodeURIComponent('"harbour bridge"')}&limit=50`);
    const titles = ((await res.json()) as Result).items.map((i) => i.title);
    for (const title of deep) expect(titles).toContain(title);
    const timing = /check;desc="(\d+) candidates, (\d+) article texts"/.exec(
      res.headers.get('server-timing') ?? '',
    );
    // Every candidate holding both words was examined (fewer than 100), and the texts read
    // were those whose record could not decide.
    const both = expected(
      (r) => anyField(r, (t) => has(t, 'harbour')) && anyField(r, (t) => has(t, 'bridge')),
    );
    expect(Number(timing?.[1])).toBe(both.length);
    expect(Number(timing?.[2])).toBeGreaterThanOrEqual(deep.length);
    expect(Number(timing?.[2])).toBeLessThan(both.length);
  });

  it('marks a phrase as one range, in the title and in the snippet', async () => {
    const body = await search('"harbour bridge"');
    const marked = body.items.filter((i) => hasPhrase(i.title, 'harbour', 'bridge'));
    expect(marked.length).toBeGreaterThan(0);
    for (const item of marked) {
      const at = /\bharbours? bridges?\b/i.exec(item.title)!;
      expect(item.highlights.title).toContainEqual([at.index, at.index + at[0].length]);
    }
    // Snippets are cut from the whole article (highlight.ts): a phrase past the record's
    // snippet text is in the window, and still one range there.
    const deep = new Set(
      RECORDS.filter(
        (r) =>
          !hasPhrase((r.body ?? '').slice(0, 240), 'harbour', 'bridge') &&
          hasPhrase(r.body ?? '', 'harbour', 'bridge'),
      ).map((r) => r.title),
    );
    let deepMarked = 0;
    for (const item of body.items) {
      const at = /\bharbours? bridges?\b/i.exec(item.snippet);
      if (!at) continue;
      expect(item.highlights.snippet).toContainEqual([at.index, at.index + at[0].length]);
      if (deep.has(item.title)) deepMarked++;
    }
    expect(deepMarked).toBeGreaterThan(0);
  });

  it('pages a phrase query with its cursor, every result once', async () => {
    const all = await search('"harbour bridge"');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Result = await getJson<Result>(
        `/v1/search?q=${encodeURIComponent('"harbour bridge"')}&sort=newest&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.items.map((i) => i.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual(all.items.map((i) => i.id));
  });

  it('reads an unbalanced quote as plain words (the documented fallback)', async () => {
    const open = await search('"harbour bridge ');
    const plain = await search('harbour bridge ');
    expect(open.items.map((i) => i.id)).toEqual(plain.items.map((i) => i.id));
    expect(open.total).toBe(
      expected((r) => anyField(r, (t) => has(t, 'harbour')) && anyField(r, (t) => has(t, 'bridge')))
        .length,
    );
  });

  it('trims hits to fields=', async () => {
    const body = await search('"harbour bridge"', '&fields=title,published');
    const full = await search('"harbour bridge"');
    expect(body.items).toEqual(
      full.items.map((i) => ({ id: i.id, title: i.title, published: i.published })),
    );
  });

  it.each([
    ['-storm', 'q', 'has only excluded words: name at least one word to look for'],
    ['-storm NOT ferry', 'q', 'has only excluded words: name at least one word to look for'],
    ['OR bridge', 'q', 'has an OR that does not stand between two words to look for'],
    ['bridge OR', 'q', 'has an OR that does not stand between two words to look for'],
    ['bridge OR -ferry', 'q', 'has an OR that does not stand between two words to look for'],
    [
      '"harbour bridge" OR ferry',
      'q',
      'has an OR that does not stand between two words to look for',
    ],
    [
      'ferry -"harbour bridge"',
      'q',
      'excludes a phrase: exclude single words (-word), a phrase cannot be excluded',
    ],
    ['bridge NOT', 'q', 'ends in NOT or -: name the word to exclude after it'],
  ])('refuses %s', async (q, field, message) => {
    const res = await get(`/v1/search?q=${encodeURIComponent(q)}`);
    expect(res.status).toBe(400);
    const problem = (await res.clone().json()) as { errors: { field: string; message: string }[] };
    expect(problem.errors).toEqual([{ field, message }]);
    await expectClientError(res, q);
  });

  it.each([
    ['in=body', 'in', 'must be "all" or "title"'],
    ['fields=title,text', 'fields', 'has unknown field "text": the fields are '],
  ])('refuses %s', async (query, field, message) => {
    const res = await get(`/v1/search?q=bridge&${query}`);
    expect(res.status).toBe(400);
    const problem = (await res.clone().json()) as { errors: { field: string; message: string }[] };
    expect(problem.errors.map((e) => e.field)).toEqual([field]);
    expect(problem.errors[0]!.message.startsWith(message)).toBe(true);
    await expectClientError(res, query);
  });
});
