/**
 * Approved reader news as the feeds and the search see it: one small list, stored under
 * one KV key (see storage/submissions.ts), each entry already an `Article`.
 */
import * as v from 'valibot';
import { Article } from '../article.ts';
import type { NewsContent } from './schemas.ts';

/** Article ids of reader news: `n-` + the submission id, distinct from any source's ids. */
export const newsArticleId = (submissionId: string) => `n-${submissionId}`;

/** How many approved items the live list keeps at most (newest first). */
export const APPROVED_NEWS_MAX = 500;

export const APPROVED_NEWS_FORMAT = 1;
export const ApprovedNewsList = v.object({
  format: v.literal(APPROVED_NEWS_FORMAT),
  updated_at: v.string(),
  items: v.array(Article),
});
export type ApprovedNewsList = v.InferOutput<typeof ApprovedNewsList>;

const SUMMARY_CHARS = 280;

export function summarize(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= SUMMARY_CHARS) return flat;
  const cut = flat.slice(0, SUMMARY_CHARS);
  const space = cut.lastIndexOf(' ');
  return `${(space > SUMMARY_CHARS / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** The article a piece of approved reader news becomes; `published` is the approval time. */
export function newsToArticle(id: string, news: NewsContent, approvedAt: number): Article {
  return {
    id: newsArticleId(id),
    title: news.title,
    summary: summarize(news.text),
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
