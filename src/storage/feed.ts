/**
 * The Worker side of feeds: the live snapshot as a `FeedSource`, and approved reader
 * news that is not in a snapshot yet.
 */
import { type Article, type ArticleSummary, toSummary } from '../core/content/article.ts';
import {
  compareKeys,
  type FeedSource,
  keyOf,
  PAGE_STRIDE,
  pageBounds,
  pageForKey,
  pageOf,
  pageOfIndex,
  seekPages,
} from '../core/feed/paging.ts';
import { fnv1a64 } from '../core/content/normalize.ts';
import { StoredValueError } from '../core/lib/kv-store.ts';
import type { ManifestV2, Pointer } from '../core/snapshot/format.ts';
import { readFeedIndex, readFeedPageV2, readFeedWindow, readFolded } from './snapshots.ts';
import { listApprovedNews } from './submissions.ts';

/** The live snapshot's lists, in whichever format it was published. */
export function snapshotFeedSource(kv: KVNamespace, pointer: Pointer): FeedSource {
  return pointer.format === 1
    ? windowSource(kv, pointer.snapshot)
    : pageSource(kv, pointer.snapshot, pointer.manifest);
}

/** Format 2: pages from the oldest end, every key known from the manifest in the pointer. */
function pageSource(kv: KVNamespace, snapshot: string, m: ManifestV2): FeedSource {
  const sizeOf = (list: string) => m.lists[list]?.[0] ?? 0;
  const page = async (list: string, k: number) => {
    const read = await readFeedPageV2(kv, m, list, k);
    if (read) return read.items;
    // The manifest names every page of a list it holds: one that is gone is damage (a
    // prune that missed it, a lost write), not an empty page to skip without a word.
    if (m.lists[list])
      throw new StoredValueError(
        `${list}#${k}`,
        `feed page ${k} of list "${list}" in snapshot ${snapshot} is missing`,
      );
    return [];
  };
  return {
    snapshot,
    sizeOf,
    async readRange(list, offset, count) {
      const total = sizeOf(list);
      if (offset >= total || count <= 0) return { total, items: [] };
      const last = Math.min(total, offset + count) - 1;
      const pages: number[] = [];
      for (let k = pageOfIndex(total, offset); k >= pageOfIndex(total, last); k--) pages.push(k);
      // At most two pages for a request of PAGE_SIZE + 1 items: read in parallel.
      const read = await Promise.all(pages.map((k) => page(list, k)));
      const start = pageBounds(total, pages[0]!)[0];
      const items = read.flat().slice(offset - start, offset - start + count);
      return { total, items };
    },
    seek: (list, key, near) => seekPages(sizeOf(list), (k) => page(list, k), key, near),
  };
}

/** Format 1: overlapping windows, and the list index for cursors from other snapshots. */
function windowSource(kv: KVNamespace, snapshot: string): FeedSource {
  return {
    snapshot,
    sizeOf: () => null,
    async readRange(list, offset, count) {
      const window = await readFeedWindow(kv, snapshot, list, pageOf(offset));
      if (!window) return { total: 0, items: [] };
      const start = offset - window.offset;
      return { total: window.total, items: window.items.slice(start, start + count) };
    },
    async seek(list, key) {
      const index = await readFeedIndex(kv, snapshot, list);
      const page = index && index.length > 0 ? pageForKey(index, key) : 0;
      const window = await readFeedWindow(kv, snapshot, list, page);
      const skip = window?.items.findIndex((a) => compareKeys(keyOf(a), key) > 0) ?? -1;
      return page * PAGE_STRIDE + (skip === -1 ? (window?.items.length ?? 0) : skip);
    },
  };
}

/**
 * Approved reader news the live snapshot does not hold yet. The snapshot records the ids
 * it folded in; deciding by id, not by time, leaves no gap between the build's read of
 * the approved list and its build time, whatever the clocks say.
 */
export async function liveArticles(kv: KVNamespace, pointer: Pointer): Promise<Article[]> {
  // Usually nothing is waiting (and the list is cached per isolate): then the snapshot's
  // folded ids are not needed, and a cold request saves that KV round trip.
  const approved = await listApprovedNews(kv);
  if (approved.length === 0) return approved;
  const folded = await readFolded(kv, pointer);
  // Both are cached objects: the same pair gives the same list (and search reuses its index).
  const memo = liveMemo.get(approved);
  if (memo && memo.folded === folded) return memo.articles;
  // A snapshot without the list (format-1 fixture) folded nothing.
  const inSnapshot = new Set(folded?.ids ?? []);
  const articles = approved.filter((a) => !inSnapshot.has(a.id));
  liveMemo.set(approved, { folded, articles });
  return articles;
}

/** Keyed by the cached approved list; `folded` is compared by identity. */
const liveMemo = new WeakMap<readonly Article[], { folded: unknown; articles: Article[] }>();

const versions = new WeakMap<readonly Article[], string>();

/**
 * A short version of the approved reader-news list, for cache keys: it changes with every
 * approval or removal. Memoised per list object (the list itself is cached per isolate).
 */
export async function liveVersion(kv: KVNamespace): Promise<string> {
  const approved = await listApprovedNews(kv);
  let version = versions.get(approved);
  if (version === undefined) {
    version =
      approved.length === 0 ? '0' : fnv1a64(approved.map((a) => a.id).join(',')).slice(0, 12);
    versions.set(approved, version);
  }
  return version;
}

export async function liveSummaries(kv: KVNamespace, pointer: Pointer): Promise<ArticleSummary[]> {
  return (await liveArticles(kv, pointer)).map(toSummary);
}
