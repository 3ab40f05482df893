/**
 * Every KV key the project reads or writes is built here, and only here.
 *
 * Layout (format version in the prefix, so a new layout never misreads an old one):
 *
 *   news:v1:current                          the one mutable pointer, switched last
 *   news:v1:search-head                      `<snap>\n<search meta>`: a copy of the live snapshot's
 *                                            search meta, read in the same bulk get as the pointer
 *                                            (readers use it only when <snap> is the pointer's)
 *   news:v1:manifest:<snap>                  one per snapshot (listing = snapshot history)
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
export const searchKey = (snap: string, part: string) => `${snapshotPrefix(snap)}search:${part}`;
export const foldedKey = (snap: string) => `${snapshotPrefix(snap)}folded`;

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
 * Every approved reader news item ever, one chunk per month of approval, never expiring: the
 * snapshot build folds all of them in (the live list above only covers recent ones).
 */
export const NEWS_ARCHIVE_PREFIX = `${SUBMISSIONS_PREFIX}news:month:`;
export const newsArchiveKey = (month: string) => `${NEWS_ARCHIVE_PREFIX}${month}`;
