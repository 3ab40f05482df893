/**
 * Every KV key the project reads or writes is built here, and only here.
 *
 * Layout (format version in the prefix, so a new layout never misreads an old one; the
 * pointer and the manifests keep their v1 keys, so history and rollback span both formats;
 * docs/snapshots.md has the whole table and the publish / prune algorithm):
 *
 *   news:v1:current                          the one mutable pointer, switched last (format 1
 *                                            or 2; format 2 carries its manifest inline)
 *   news:v1:search-head                      `<index>\n<search meta>`: a copy of the live snapshot's
 *                                            search meta, read in the same bulk get as the pointer
 *                                            (readers use it only when <index> is the pointer's)
 *   news:v1:manifest:<snap>                  one per snapshot (listing = snapshot history)
 *   news:v2:gen                              the last generation number handed out
 *
 * Format 2: values shared across snapshots, each named by the generation that wrote it
 * (generations are never reused) or by its content:
 *
 *   news:v2:article:<epoch>:<id>             one article: every revision, tagged by generation
 *   news:v2:feed:<list>:<page>:<gen>         page <page> of a list, counted from the oldest end
 *   news:v2:sections:<gen>                   sections with counts per language
 *   news:v2:folded:<gen>                     ids of the approved reader news folded in
 *   news:v2:search:<index>:<part>            search index parts, <index> named by content
 *
 * Format 1 (still read): every value under its snapshot id:
 *
 *   news:v1:s:<snap>:sections                sections with counts per language
 *   news:v1:s:<snap>:article:<id>            full article
 *   news:v1:s:<snap>:feed:<list>:<page>      feed page window (see core/feed.ts)
 *   news:v1:s:<snap>:feedindex:<list>        first key of each page, for cursors from older snapshots
 *   news:v1:s:<snap>:search:<part>           search index parts (see core/search)
 *   news:v1:s:<snap>:folded                  ids of the approved reader news this snapshot holds
 *   sub:v1:...                               submissions (see storage/submissions.ts)
 */

export const NEWS_PREFIX = 'news:v1:';
export const POINTER_KEY = `${NEWS_PREFIX}current`;
export const SEARCH_HEAD_KEY = `${NEWS_PREFIX}search-head`;
export const MANIFEST_PREFIX = `${NEWS_PREFIX}manifest:`;

/** Snapshot ids sort by build time: `20261127T201703Z-1a2b3c4d`. */
const SNAPSHOT_ID = /^\d{8}T\d{6}Z-[0-9a-f]{8}$/;

export function isSnapshotId(id: string): boolean {
  return SNAPSHOT_ID.test(id);
}

export const manifestKey = (snap: string) => `${MANIFEST_PREFIX}${snap}`;
export const snapshotPrefix = (snap: string) => `${NEWS_PREFIX}s:${snap}:`;
export const sectionsKey = (snap: string) => `${snapshotPrefix(snap)}sections`;
export const articleKey = (snap: string, id: string) => `${snapshotPrefix(snap)}article:${id}`;
export const feedPageKey = (snap: string, list: string, page: number) =>
  `${snapshotPrefix(snap)}feed:${list}:${page}`;
export const feedIndexKey = (snap: string, list: string) =>
  `${snapshotPrefix(snap)}feedindex:${list}`;
const searchV1Key = (snap: string, part: string) => `${snapshotPrefix(snap)}search:${part}`;
export const foldedKey = (snap: string) => `${snapshotPrefix(snap)}folded`;

// ---- format 2 ----
export const NEWS_V2_PREFIX = 'news:v2:';
export const GENERATION_KEY = `${NEWS_V2_PREFIX}gen`;
export const ARTICLE_V2_PREFIX = `${NEWS_V2_PREFIX}article:`;
export const FEED_V2_PREFIX = `${NEWS_V2_PREFIX}feed:`;
export const SECTIONS_V2_PREFIX = `${NEWS_V2_PREFIX}sections:`;
export const FOLDED_V2_PREFIX = `${NEWS_V2_PREFIX}folded:`;
export const SEARCH_V2_PREFIX = `${NEWS_V2_PREFIX}search:`;
export const articleV2Key = (epoch: number, id: string) => `${ARTICLE_V2_PREFIX}${epoch}:${id}`;
export const feedV2Key = (list: string, page: number, gen: number) =>
  `${FEED_V2_PREFIX}${list}:${page}:${gen}`;
export const sectionsV2Key = (gen: number) => `${SECTIONS_V2_PREFIX}${gen}`;
export const foldedV2Key = (gen: number) => `${FOLDED_V2_PREFIX}${gen}`;

/** Search index ids of format 2 are content hashes: `x` + 16 hex digits. */
const INDEX_ID = /^x[0-9a-f]{16}$/;

/**
 * Where a search part lives: `index` is a format-1 snapshot id (parts under that snapshot)
 * or a format-2 index id (parts shared by every snapshot that names the index).
 */
export const searchKey = (index: string, part: string) =>
  INDEX_ID.test(index) ? `${SEARCH_V2_PREFIX}${index}:${part}` : searchV1Key(index, part);
export const isSearchIndexId = (id: string) => INDEX_ID.test(id);

export const SUBMISSIONS_PREFIX = 'sub:v1:';

// ---- submissions (layout in docs/submissions.md) ----
// The Durable Object `SubmissionsStore` is the source of truth; these KV keys are its
// read-optimised projections, rewritten by it after each change.
/** Approved reader news, one list (the feeds and search merge it at read time). */
export const APPROVED_NEWS_KEY = `${SUBMISSIONS_PREFIX}news:approved`;
/** One approved, unexpired ad (public detail, contact included), with KV expiration. */
export const AD_PREFIX = `${SUBMISSIONS_PREFIX}ad:`;
export const adKey = (id: string) => `${AD_PREFIX}${id}`;
/**
 * When any ad last changed (created, edited, approved, rejected, renewed, deleted): a version
 * for the edge-cache key of pages that list ads, read instead of asking the Durable Object.
 */
export const ADS_CHANGED_KEY = `${SUBMISSIONS_PREFIX}ads:changed`;
/**
 * Every approved reader news item ever, one chunk per month of approval, never expiring: the
 * snapshot build folds all of them in (the live list above only covers recent ones).
 */
export const NEWS_ARCHIVE_PREFIX = `${SUBMISSIONS_PREFIX}news:month:`;
export const newsArchiveKey = (month: string) => `${NEWS_ARCHIVE_PREFIX}${month}`;

// ---- polled sources (docs/ingest.md) ----
export const INGEST_PREFIX = 'ingest:v1:';
/** What the poller remembers of one feed: validators, last items, failures (src/core/ingest/state.ts). */
export const feedStateKey = (feedId: string) => `${INGEST_PREFIX}feed:${feedId}`;
/** The sources file the scheduled poll reads, as `npm run ingest` last wrote it (src/core/ingest/sources.ts). */
export const SOURCES_KEY = `${INGEST_PREFIX}sources`;
