/**
 * The Worker side of feeds: the live snapshot as a `FeedSource`, and approved reader
 * news that is not in a snapshot yet.
 */
import { type Article, type ArticleSummary, toSummary } from '../core/content/article.ts';
import type { FeedSource } from '../core/feed/paging.ts';
import { fnv1a64 } from '../core/content/normalize.ts';
import type { Pointer } from '../core/snapshot/format.ts';
import { readFeedIndex, readFeedPage, readFolded } from './snapshots.ts';
import { listApprovedNews } from './submissions.ts';

export function snapshotFeedSource(kv: KVNamespace, snapshot: string): FeedSource {
  return {
    snapshot,
    readPage: (list, page) => readFeedPage(kv, snapshot, list, page),
    readIndex: async (list) => readFeedIndex(kv, snapshot, list),
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
  const folded = await readFolded(kv, pointer.snapshot);
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
