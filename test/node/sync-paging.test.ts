/**
 * What a time range costs on a list paged from the oldest end (src/core/feed/paging.ts):
 * the pages read, counted over an in-memory list of format-2 pages, and the items against a
 * plain filter of the whole list.
 */
import { describe, expect, it } from 'vitest';
import type { ArticleSummary } from '../../src/core/content/article.ts';
import {
  compareKeys,
  type FeedSource,
  keyOf,
  pageBounds,
  pageFeed,
  pageOfIndex,
  pagesFromOldest,
  seekPages,
} from '../../src/core/feed/paging.ts';

const N = 5_000;
const START = Date.parse('2024-01-01T00:00:00Z');

/** Newest first, two items per minute (ties on every published time). */
const ITEMS: ArticleSummary[] = Array.from({ length: N }, (_, i) => {
  const n = N - 1 - i;
  return {
    id: `a-${String(n).padStart(5, '0')}`,
    title: `Item ${n}`,
    summary: '',
    url: null,
    source: 'Wire',
    section: 'world',
    tags: [],
    authors: [],
    lang: 'en',
    published: new Date(START + Math.floor(n / 2) * 60_000).toISOString(),
    image: null,
    image_credit: null,
    duplicate_count: 0,
  };
}).sort((a, b) => compareKeys(keyOf(a), keyOf(b)));

/** The list as stored (pagesFromOldest), read the way storage/feed.ts reads it, pages counted. */
function source(): { source: FeedSource; reads: number[] } {
  const pages = pagesFromOldest(ITEMS);
  const reads: number[] = [];
  const page = async (k: number) => {
    reads.push(k);
    return pages[k] ?? [];
  };
  return {
    reads,
    source: {
      snapshot: 's',
      sizeOf: () => N,
      async readRange(_list, offset, count) {
        if (offset >= N || count <= 0) return { total: N, items: [] };
        const last = Math.min(N, offset + count) - 1;
        const ks: number[] = [];
        for (let k = pageOfIndex(N, offset); k >= pageOfIndex(N, last); k--) ks.push(k);
        const read = await Promise.all(ks.map(page));
        const start = pageBounds(N, ks[0]!)[0];
        return { total: N, items: read.flat().slice(offset - start, offset - start + count) };
      },
      seek: (_list, key, near) => seekPages(N, page, key, near),
    },
  };
}

const at = (i: number) => ITEMS[i]!.published;

describe('since and until over format-2 pages', () => {
  it.each([
    ['since near the head', at(30), undefined],
    ['since one page down', at(150), undefined],
    ['until deep, since deeper', at(4_100), at(3_900)],
    ['until near the oldest end', undefined, at(4_990)],
  ])('%s: the right items, reading only pages near the range', async (_, since, until) => {
    const { source: src, reads } = source();
    const result = await pageFeed(src, { filter: {}, limit: 50, cursor: null, since, until });
    const expected = ITEMS.filter(
      (a) =>
        (since === undefined || a.published > since) &&
        (until === undefined || a.published <= until),
    );
    expect(result.items).toEqual(expected.slice(0, 50));
    expect(result.total).toBe(expected.length);
    // Galloping from the head: a key d pages down costs at most 2 log2(d + 1) + 2 page reads
    // per bound (a read that holds both sides of the bound stops at once).
    const depth = (iso: string | undefined) =>
      iso === undefined ? 0 : Math.floor(ITEMS.findIndex((a) => a.published <= iso) / 100);
    const bound = (d: number) => 2 * Math.ceil(Math.log2(d + 1)) + 2;
    const distinct = new Set(reads).size;
    expect(distinct).toBeLessThanOrEqual(bound(depth(since)) + bound(depth(until)) + 1);
  });

  it('a pull-to-refresh reads one page, where halving the list reads six', async () => {
    const { source: src, reads } = source();
    await pageFeed(src, { filter: {}, limit: 20, cursor: null, since: at(15) });
    expect(new Set(reads)).toEqual(new Set([49]));
    const halving: number[] = [];
    await seekPages(N, async (k) => (halving.push(k), pagesFromOldest(ITEMS)[k]!), [
      at(15),
      '\uffff',
    ]);
    expect(halving.length).toBeGreaterThanOrEqual(5);
  });

  it('finds the same place from the head as by halving, for every key', async () => {
    const pages = pagesFromOldest(ITEMS);
    const read = async (k: number) => pages[k] ?? [];
    for (let i = 0; i < N; i += 97) {
      for (const key of [keyOf(ITEMS[i]!), [ITEMS[i]!.published, '\uffff'] as const]) {
        const head = await seekPages(N, read, key, 'head');
        expect(head).toBe(await seekPages(N, read, key));
        expect(head).toBe(ITEMS.findIndex((a) => compareKeys(keyOf(a), key) > 0));
      }
    }
  });
});
