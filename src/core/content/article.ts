/**
 * Article schemas: the raw input record (the shape of `../shared/data/*.jsonl` plus the
 * optional rich fields), the normalised article the snapshot stores, and the summary
 * that feed pages carry. valibot is the single source of truth for validation, types and
 * the OpenAPI document.
 */
import * as v from 'valibot';
import { languageOf } from './normalize.ts';

const isoDate = v.pipe(
  v.string(),
  v.check((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 date-time'),
);

/**
 * A language field or parameter under the one rule of `languageOf`: any BCP 47 tag in,
 * its primary subtag out (`en-GB` -> `en`), so a filter and a stored value always compare
 * equal. `message` is what a client reads when the value is not a tag.
 */
export const Language = (message: string) =>
  v.pipe(
    v.string('must be a string'),
    v.trim(),
    v.check((s) => languageOf(s) !== null, message),
    v.transform((s) => languageOf(s) ?? s),
  );

/** One input record, before normalisation. Unknown keys are ignored. */
export const RawArticle = v.object({
  id: v.optional(v.nullable(v.union([v.string(), v.number()]))),
  source: v.pipe(v.string('must be a string'), v.trim(), v.minLength(1, 'must not be empty')),
  section: v.optional(v.nullable(v.string('must be a string'))),
  lang: v.pipe(v.string('must be a string'), v.minLength(2, 'must be a language tag such as "ru"')),
  published: v.nullable(isoDate, null),
  title: v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty')),
  body: v.optional(v.nullable(v.string('must be a string')), ''),
  url: v.optional(v.nullable(v.string('must be a string'))),
  summary: v.optional(v.nullable(v.string('must be a string'))),
  image: v.optional(v.nullable(v.string('must be a string'))),
  image_credit: v.optional(v.nullable(v.string('must be a string'))),
  tags: v.optional(v.nullable(v.array(v.string('must be a string')))),
  authors: v.optional(v.nullable(v.array(v.string('must be a string')))),
});
export type RawArticle = v.InferOutput<typeof RawArticle>;

export const DuplicateRef = v.object({
  id: v.string(),
  source: v.string(),
  url: v.nullable(v.string()),
  title: v.string(),
});
export type DuplicateRef = v.InferOutput<typeof DuplicateRef>;

/** The normalised article, as stored under `article/<id>` in a snapshot. */
export const Article = v.object({
  id: v.string(),
  title: v.string(),
  summary: v.string(),
  /**
   * true: `summary` is the source's own; false: it is the body's first sentences. Absent in
   * snapshots and reader news written before the field (treat as false: derived).
   */
  summary_from_source: v.optional(v.boolean()),
  body: v.string(),
  url: v.nullable(v.string()),
  source: v.string(),
  section: v.string(),
  tags: v.array(v.string()),
  authors: v.array(v.string()),
  lang: v.string(),
  published: v.string(),
  image: v.nullable(v.string()),
  image_credit: v.nullable(v.string()),
  /** Near-duplicates grouped under this article (same story elsewhere), never dropped. */
  duplicates: v.array(DuplicateRef),
});
export type Article = v.InferOutput<typeof Article>;

/**
 * What a feed page lists for each item: the article without body and duplicates. Authors are
 * kept for the JSON Feed, RSS and Atom output (src/core/feed/formats.ts); pages written before
 * they were kept (the frozen fixture test/fixtures/snapshot-v1/feed_page.json) read as none.
 */
export const ArticleSummary = v.object({
  ...v.omit(Article, ['body', 'summary_from_source', 'authors', 'duplicates']).entries,
  authors: v.optional(v.array(v.string()), []),
  duplicate_count: v.number(),
});
export type ArticleSummary = v.InferOutput<typeof ArticleSummary>;

export function toSummary(article: Article): ArticleSummary {
  const { body: _body, summary_from_source: _fromSource, duplicates, ...rest } = article;
  return { ...rest, duplicate_count: duplicates.length };
}
