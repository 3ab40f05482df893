/**
 * `in=title` of /v1/search in the engine: over a format-2 index the title's own posting
 * lists decide the words and exclusions and score the hits (no record is checked), with
 * the scores MiniSearch gives when asked for the title field alone; over a format-1 index
 * (fields merged, frozen fixture) the check on the record's title still decides.
 */
import { readFileSync } from 'node:fs';
import MiniSearch from 'minisearch';
import { describe, expect, it } from 'vitest';
import { buildSearchParts, indexedDoc, newestFirst } from '../../src/core/search/build.ts';
import { BM25, FIELD_BOOST, FIELD_LEVEL_ERROR, FIELDS } from '../../src/core/search/format.ts';
import { articleIndexOptions, type IndexedDoc } from '../../src/core/search/options.ts';
import { SearchEngine, type SearchParams } from '../../src/core/search/query.ts';
import { IndexReader } from '../../src/core/search/reader.ts';
import { parseSearchQuery } from '../../src/core/search/syntax.ts';
import { understand } from '../../src/core/search/understand.ts';
import { PartCache } from '../../src/core/lib/part-cache.ts';
import { toArticle } from './search-helpers.ts';

const story = (id: string, title: string, body: string) =>
  toArticle({
    id,
    title,
    body,
    source: 'wire',
    section: 'world',
    lang: 'en',
    published: '2024-09-01T10:00:00Z',
    url: `https://example.com/${id}`,
  });

/** The word "lighthouse": in a long title and all over the body; in a short title; in a body only. */
const DOCS = newestFirst([
  story(
    'long-title',
    'Lighthouse keeper retires after forty years of service on the northern coast',
    'The lighthouse stood for a century. Every night the lighthouse lamp was lit, and the lighthouse keeper climbed the lighthouse stairs.',
  ),
  story('short-title', 'Lighthouse reopens', 'Visitors came back on Sunday morning.'),
  story('body-only', 'Harbour news of the week', 'The old lighthouse was painted white again.'),
  story('other', 'Ferry timetable changes', 'Ferries leave the harbour earlier from Monday.'),
]);

function engineOver(parts: readonly { part: string; value: string }[]) {
  const values = new Map(parts.map((p) => [p.part, p.value]));
  const reader = new IndexReader(
    'title',
    async (names) => new Map(names.map((n) => [n, values.get(n) ?? null])),
    new PartCache(64 << 20),
  );
  return new SearchEngine(reader, { recency: false, rewrites: false });
}

const params = (q: string, within: 'all' | 'title'): SearchParams => ({
  q: parseSearchQuery(q),
  within,
  sort: 'relevance',
  limit: 10,
  offset: 0,
});

describe('in=title over a format-2 index (per-field lists)', () => {
  const engine = engineOver(buildSearchParts(DOCS));
  const ids = (r: { hits: { record: { id: string } }[] }) => r.hits.map((h) => h.record.id);

  it('does not match a word that is only in the body, and checks no record', async () => {
    const all = await engine.search(params('lighthouse ', 'all'));
    expect(ids(all).sort()).toEqual(['body-only', 'long-title', 'short-title']);
    const title = await engine.search(params('lighthouse ', 'title'));
    expect(ids(title).sort()).toEqual(['long-title', 'short-title']);
    expect([title.total, title.total_exact]).toEqual([2, true]);
    // The title lists decided: no candidate was checked on its record.
    expect(title.checked).toBeUndefined();
    expect((await engine.search(params('painted ', 'title'))).total).toBe(0);
  });

  it('ranks by the title field alone: the scores MiniSearch gives for fields: [title]', async () => {
    const all = await engine.search(params('lighthouse ', 'all'));
    const title = await engine.search(params('lighthouse ', 'title'));
    // All fields: the body's many mentions lead; titles only: the short title leads.
    expect(ids(all)[0]).toBe('long-title');
    expect(ids(title)).toEqual(['short-title', 'long-title']);

    const mini = new MiniSearch<IndexedDoc>(articleIndexOptions());
    mini.addAll(DOCS.map((a, i) => indexedDoc(a, i)));
    const { words } = await understand(engine.reader, params('lighthouse ', 'title').q, false);
    const theirs = mini.search(
      {
        combineWith: 'AND',
        queries: words.map((w) => ({
          combineWith: 'OR',
          queries: w.variants.map((v) => ({ queries: [v.term], boostTerm: () => v.weight })),
        })),
      },
      {
        fields: ['title'],
        boost: Object.fromEntries(FIELDS.map((f, i) => [f, FIELD_BOOST[i]!])),
        bm25: BM25,
        prefix: false,
        fuzzy: false,
        tokenize: (text) => [text],
        processTerm: (term) => term,
      },
    );
    expect(theirs.map((r) => DOCS[r.id as number]!.id)).toEqual(ids(title));
    for (const hit of title.hits) {
      const exact = theirs.find((r) => r.id === hit.doc)!.score;
      expect(Math.abs(hit.score - exact) / exact).toBeLessThanOrEqual(FIELD_LEVEL_ERROR + 1e-9);
    }
  });

  it('excludes by the title too: a word of the body excludes nothing', async () => {
    // "visitors" is in the body of short-title only.
    expect(ids(await engine.search(params('lighthouse -visitors', 'all'))).sort()).toEqual([
      'body-only',
      'long-title',
    ]);
    expect(ids(await engine.search(params('lighthouse -visitors', 'title'))).sort()).toEqual([
      'long-title',
      'short-title',
    ]);
    expect(ids(await engine.search(params('lighthouse -keeper', 'title')))).toEqual([
      'short-title',
    ]);
  });

  it('checks a phrase on the title, and only the phrase', async () => {
    const found = await engine.search(params('"lighthouse keeper"', 'title'));
    expect(ids(found)).toEqual(['long-title']);
    expect(found.checked?.texts).toBe(0);
    expect((await engine.search(params('"keeper lighthouse"', 'title'))).total).toBe(0);
  });
});

describe('in=title over a format-1 index (frozen: test/fixtures/search/index-v1.json)', () => {
  const frozen = JSON.parse(
    readFileSync(new URL('../fixtures/search/index-v1.json', import.meta.url).pathname, 'utf8'),
  ) as Record<string, string>;
  const engine = engineOver(Object.entries(frozen).map(([part, value]) => ({ part, value })));

  it('falls back to the check on the record title (the lists hold every field)', async () => {
    expect(JSON.parse(frozen.meta ?? '{}')).toMatchObject({ format: 1 });
    // "Минске" is in the body of ru-3 only; "переговоры" in its title and body.
    const body = await engine.search(params('Минске ', 'all'));
    expect(body.hits.map((h) => h.record.id)).toEqual(['ru-3']);
    const title = await engine.search(params('Минске ', 'title'));
    expect([title.total, title.hits.length]).toEqual([0, 0]);
    // The candidate was checked on its record (the fallback), not dropped by a title list.
    expect(title.checked?.examined).toBe(1);
    const talks = await engine.search(params('переговоры ', 'title'));
    expect(talks.hits.map((h) => h.record.id)).toEqual(['ru-3']);
  });
});
