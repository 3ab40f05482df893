/**
 * Schemas of the snapshot's own records: the pointer, the manifest, the sections list
 * and feed pages. Values are parsed with these on read (src/storage/snapshots.ts).
 * Format 1 (every value under its snapshot id) is still read; builds write format 2
 * (values shared across snapshots, docs/snapshots.md).
 */
import * as v from 'valibot';
import { Article, ArticleSummary } from '../content/article.ts';

/** Bumped when the meaning of any snapshot value changes; readers refuse other formats. */
export const SNAPSHOT_FORMAT = 2;

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

export const ManifestV1 = v.object({
  format: v.literal(1),
  snapshot: v.string(),
  built_at: v.string(),
  counts: Counts,
  /** Every key the snapshot wrote, counted, so a delete can be checked. */
  key_count: v.number(),
});

const whole = v.pipe(v.number(), v.integer(), v.minValue(0));

/**
 * Per list: `[size, page0, gen0, page1, gen1, ...]`: pages from `page_i` up to the next run's
 * first page were written by generation `gen_i` (runs, because most pages of a list are
 * written by the same build). The key of every page follows from it (keys.ts feedV2Key).
 */
export const ListRuns = v.pipe(
  v.array(whole),
  v.check((a) => a.length >= 3 && a.length % 2 === 1, 'must be [size, page, gen, ...]'),
);

export const ManifestV2 = v.object({
  format: v.literal(2),
  snapshot: v.string(),
  built_at: v.string(),
  counts: Counts,
  /** This snapshot's generation: a number never handed out twice (keys.ts GENERATION_KEY). */
  generation: whole,
  /** The generation of the full build this one descends from: its articles' key space. */
  epoch: whole,
  parent: v.nullable(v.string()),
  /**
   * Generations in (epoch, generation) that are not ancestors (interrupted publishes,
   * branches left by a rollback): their article revisions are not this snapshot's.
   */
  skip: v.array(v.tuple([whole, whole])),
  lists: v.record(v.string(), ListRuns),
  /** Generations whose sections and folded values this snapshot uses. */
  sections: whole,
  folded: whole,
  /** The search index: opaque ids of its segments, oldest first (src/core/search). */
  search: v.object({
    segments: v.array(v.object({ id: v.string(), keys: whole, bytes: whole })),
  }),
  /** What publishing this snapshot wrote, and what it named that was already there. */
  written: v.object({ keys: whole, bytes: whole, reused: whole }),
});
export type ManifestV2 = v.InferOutput<typeof ManifestV2>;

export const Manifest = v.variant('format', [ManifestV1, ManifestV2]);
export type Manifest = v.InferOutput<typeof Manifest>;

const PointerBase = {
  snapshot: v.string(),
  built_at: v.string(),
  published_at: v.string(),
  counts: Counts,
};
/**
 * The one mutable key: which snapshot is live. Format 2 carries its manifest, so every
 * value key of the snapshot is known from the pointer alone: a feed page is one read after it.
 */
export const Pointer = v.variant('format', [
  v.object({ format: v.literal(1), ...PointerBase }),
  v.object({ format: v.literal(2), ...PointerBase, manifest: ManifestV2 }),
]);
export type Pointer = v.InferOutput<typeof Pointer>;

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

/**
 * Format 2: one article with its revisions, oldest first, each tagged by its generation; a
 * null revision says the article left the archive at that generation (merged into another).
 */
export const ArticleRevisions = v.object({ r: v.array(v.tuple([whole, v.nullable(Article)])) });
export type ArticleRevisions = v.InferOutput<typeof ArticleRevisions>;

/** Format 2: page `page` of a list counted from the oldest end, items newest first. */
export const FeedPageV2 = v.object({
  list: v.string(),
  page: whole,
  items: v.array(ArticleSummary),
});
export type FeedPageV2 = v.InferOutput<typeof FeedPageV2>;

/** Format 1: a window of a list. */
export const FeedPage = v.object({
  list: v.string(),
  page: v.number(),
  offset: v.number(),
  total: v.number(),
  items: v.array(ArticleSummary),
});
export type FeedPage = v.InferOutput<typeof FeedPage>;
