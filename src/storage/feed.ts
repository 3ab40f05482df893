/**
 * The Worker side of feeds: the live snapshot as a `FeedSource`, and approved reader
 * news that is not in a snapshot yet.
 */
import { type Article, type ArticleSummary, toSummary } from '../core/article.ts';
import type { FeedSource } from '../core/feed.ts';
import type { Pointer } from '../core/snapshot-format.ts';
import { ApiError } from '../http/problem.ts';
import { readFeedIndex, readFeedPage, getPointer } from './snapshots.ts';
import { listApprovedNews } from './submissions.ts';

export async function requirePointer(kv: KVNamespace): Promise<Pointer> {
  const pointer = await getPointer(kv);
  if (!pointer) throw new ApiError('unavailable', 'No content snapshot has been published yet: run `npm run build:snapshot`.');
  return pointer;
}

export function snapshotFeedSource(kv: KVNamespace, snapshot: string): FeedSource {
  return {
    snapshot,
    readPage: (list, page) => readFeedPage(kv, snapshot, list, page),
    readIndex: async (list) => readFeedIndex(kv, snapshot, list),
  };
}

/**
 * Approved reader news the live snapshot does not hold yet. A snapshot folds in what was
 * approved before its build, so anything approved later is live-only.
 */
export async function liveArticles(kv: KVNamespace, pointer: Pointer): Promise<Article[]> {
  const approved = await listApprovedNews(kv);
  return approved.filter((a) => a.published > pointer.built_at);
}

export async function liveSummaries(kv: KVNamespace, pointer: Pointer): Promise<ArticleSummary[]> {
  return (await liveArticles(kv, pointer)).map(toSummary);
}
