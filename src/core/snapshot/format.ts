/**
 * Schemas of the snapshot's own records: the pointer, the manifest, the sections list
 * and feed pages. Values are parsed with these on read (src/storage/snapshots.ts).
 */
import * as v from 'valibot';
import { ArticleSummary } from '../content/article.ts';

/** Bumped when the meaning of any snapshot value changes; readers refuse other formats. */
export const SNAPSHOT_FORMAT = 1;

export const Counts = v.object({
  articles: v.number(),
  read: v.number(),
  skipped: v.number(),
  merged: v.number(),
  grouped: v.number(),
  sections: v.number(),
  feed_pages: v.number(),
  keys: v.number(),
  bytes: v.number(),
});
export type Counts = v.InferOutput<typeof Counts>;

/** The one mutable key: which snapshot is live. Small, so health costs one read. */
export const Pointer = v.object({
  format: v.literal(SNAPSHOT_FORMAT),
  snapshot: v.string(),
  built_at: v.string(),
  published_at: v.string(),
  counts: Counts,
});
export type Pointer = v.InferOutput<typeof Pointer>;

export const Manifest = v.object({
  format: v.literal(SNAPSHOT_FORMAT),
  snapshot: v.string(),
  built_at: v.string(),
  counts: Counts,
  /** Every key the snapshot wrote, counted, so a delete can be checked. */
  key_count: v.number(),
});
export type Manifest = v.InferOutput<typeof Manifest>;

export const Sections = v.object({
  sections: v.array(
    v.object({
      section: v.string(),
      count: v.number(),
      latest: v.string(),
      languages: v.array(v.object({ lang: v.string(), count: v.number(), latest: v.string() })),
    }),
  ),
});
export type Sections = v.InferOutput<typeof Sections>;

/** Ids of the approved reader news folded into a snapshot: the live merge skips exactly these. */
export const Folded = v.object({ ids: v.array(v.string()) });

export const FeedPage = v.object({
  list: v.string(),
  page: v.number(),
  offset: v.number(),
  total: v.number(),
  items: v.array(ArticleSummary),
});
export type FeedPage = v.InferOutput<typeof FeedPage>;
