/**
 * Approved reader news as `Article`s, in two KV shapes (see storage/submissions.ts):
 * the live list (recent approvals, one key, read on feed and search requests) and the
 * archive (every approval, one chunk per month, read by the snapshot build).
 */
import * as v from 'valibot';
import { Article } from '../content/article.ts';
import { summarize } from '../content/text.ts';
import type { StoredNews } from './stored.ts';

/** Article ids of reader news: `n-` + the submission id, distinct from any source's ids. */
export const newsArticleId = (submissionId: string) => `n-${submissionId}`;

/** How many approved items the live list keeps at most (newest first). The archive keeps all. */
export const APPROVED_NEWS_MAX = 500;

export const APPROVED_NEWS_FORMAT = 1;
export const ApprovedNewsList = v.object({
  format: v.literal(APPROVED_NEWS_FORMAT),
  updated_at: v.string(),
  items: v.array(Article),
});
export type ApprovedNewsList = v.InferOutput<typeof ApprovedNewsList>;

/** One month of approvals (UTC), for the snapshot build. */
export const NewsArchiveChunk = v.object({
  format: v.literal(APPROVED_NEWS_FORMAT),
  month: v.pipe(v.string(), v.regex(/^\d{4}-\d{2}$/)),
  updated_at: v.string(),
  items: v.array(Article),
});
export type NewsArchiveChunk = v.InferOutput<typeof NewsArchiveChunk>;

/** `YYYY-MM` (UTC) of a time: the archive chunk an approval at that time belongs to. */
export const approvalMonth = (ms: number) => new Date(ms).toISOString().slice(0, 7);

/** [start, end) of a `YYYY-MM` month in epoch milliseconds (UTC). */
export function monthRange(month: string): [number, number] {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return [Date.UTC(y, m - 1, 1), Date.UTC(y, m, 1)];
}

/** Several lists as one: each id once (the first seen wins), newest `published` first. */
export function mergeArticles(lists: readonly (readonly Article[])[]): Article[] {
  const byId = new Map<string, Article>();
  for (const list of lists) for (const a of list) if (!byId.has(a.id)) byId.set(a.id, a);
  return [...byId.values()].sort((a, b) =>
    a.published < b.published ? 1 : a.published > b.published ? -1 : a.id < b.id ? 1 : -1,
  );
}

/** The article a piece of approved reader news becomes; `published` is the approval time. */
export function newsToArticle(id: string, news: StoredNews, approvedAt: number): Article {
  return {
    id: newsArticleId(id),
    title: news.title,
    summary: summarize(news.text),
    summary_from_source: false,
    body: news.text,
    url: news.url ?? null,
    source: news.source,
    section: news.section,
    tags: [],
    authors: [],
    lang: news.lang,
    published: new Date(approvedAt).toISOString(),
    image: null,
    image_credit: null,
    duplicates: [],
  };
}
