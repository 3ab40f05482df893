/**
 * Feed lists, pages and cursors.
 *
 * Every article is in 8 lists: each of language, section and source either its own
 * value or "*" (all). A list is stored as overlapping windows (see PAGE_STRIDE), so a
 * request at any offset for at most PAGE_STRIDE items is one KV read.
 *
 * Order is newest first: published descending, then id descending. A cursor carries the
 * last item's (published, id) - keyset paging, so it stays valid across snapshots - plus
 * the snapshot, list and offset it came from, which make the common case (same
 * snapshot) a direct page read without the list index.
 */
import * as v from 'valibot';
import type { ArticleSummary } from '../content/article.ts';
import { slugify } from '../content/normalize.ts';
import { decodeOpaque, encodeOpaque } from '../lib/opaque.ts';

export const ALL = '*';

export interface ListFilter {
  lang?: string | undefined;
  section?: string | undefined;
  source?: string | undefined;
}

export function listId(filter: ListFilter): string {
  return `${filter.lang ?? ALL}.${filter.section ?? ALL}.${filter.source ? slugify(filter.source) : ALL}`;
}

/** The lists an article belongs to. */
export function listsOf(a: { lang: string; section: string; source: string }): string[] {
  const ids: string[] = [];
  for (const lang of [a.lang, undefined])
    for (const section of [a.section, undefined])
      for (const source of [a.source, undefined]) ids.push(listId({ lang, section, source }));
  return ids;
}

export function matches(
  a: { lang: string; section: string; source: string },
  filter: ListFilter,
): boolean {
  return (
    (!filter.lang || a.lang === filter.lang) &&
    (!filter.section || a.section === filter.section) &&
    (!filter.source || slugify(a.source) === slugify(filter.source))
  );
}

export type SortKey = readonly [published: string, id: string];

/** Newest first; negative when `a` comes before `b`. ISO 8601 UTC strings sort as text. */
export function compareKeys(a: SortKey, b: SortKey): number {
  if (a[0] !== b[0]) return a[0] > b[0] ? -1 : 1;
  if (a[1] !== b[1]) return a[1] > b[1] ? -1 : 1;
  return 0;
}

export const keyOf = (a: { published: string; id: string }): SortKey => [a.published, a.id];

/**
 * A feed page is a window of up to 2 * PAGE_STRIDE items starting at item
 * `page * PAGE_STRIDE` of its list: any request of at most PAGE_STRIDE items, at any
 * offset, is inside one window, so a page of the feed is always one KV read.
 */
export const PAGE_STRIDE = 100;

export const pageOf = (offset: number) => Math.floor(offset / PAGE_STRIDE);

/** Windows of a sorted list: page k holds items [k*S, k*S + 2S). */
export function windows<T>(sorted: readonly T[]): T[][] {
  // An empty list still has its (empty) first page, so every feed answers.
  const count = Math.max(1, Math.ceil(sorted.length / PAGE_STRIDE));
  return Array.from({ length: count }, (_, page) =>
    sorted.slice(page * PAGE_STRIDE, page * PAGE_STRIDE + 2 * PAGE_STRIDE),
  );
}

/** For a cursor from another snapshot: the page whose window holds the first item after `key`. */
export function pageForKey(index: readonly SortKey[], key: SortKey): number {
  // Last page whose first item is not after `key` (binary search over descending keys).
  let lo = 0;
  let hi = index.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (compareKeys(index[mid]!, key) <= 0) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

const CursorSchema = v.object({
  v: v.literal(1),
  /** published and id of the last item returned */
  k: v.tuple([v.string(), v.string()]),
  /** snapshot the offset refers to */
  s: v.string(),
  /** list the offset refers to */
  l: v.string(),
  /** offset of the next snapshot item in that list */
  o: v.pipe(v.number(), v.integer(), v.minValue(0)),
});
export type Cursor = v.InferOutput<typeof CursorSchema>;

export const encodeCursor = (cursor: Cursor): string => encodeOpaque(cursor);

/** Decodes an opaque cursor; null when it is not one of ours. */
export const decodeCursor = (text: string): Cursor | null => decodeOpaque(text, CursorSchema);

/**
 * Merges live items (approved reader news not yet in a snapshot) into a page of
 * snapshot items, by sort key. Returns the page and how many snapshot items it used.
 */
export function mergeLive(
  snapshotItems: readonly ArticleSummary[],
  live: readonly ArticleSummary[],
  limit: number,
): { items: ArticleSummary[]; fromSnapshot: number } {
  const items: ArticleSummary[] = [];
  let i = 0;
  let j = 0;
  while (items.length < limit && (i < snapshotItems.length || j < live.length)) {
    const takeLive =
      j < live.length &&
      (i >= snapshotItems.length || compareKeys(keyOf(live[j]!), keyOf(snapshotItems[i]!)) < 0);
    items.push(takeLive ? live[j++]! : snapshotItems[i++]!);
  }
  return { items, fromSnapshot: i };
}

export interface FeedSource {
  snapshot: string;
  readPage(
    list: string,
    page: number,
  ): Promise<{ offset: number; total: number; items: ArticleSummary[] } | null>;
  readIndex(list: string): Promise<SortKey[] | null>;
}

export interface FeedRequest {
  filter: ListFilter;
  limit: number;
  cursor: Cursor | null;
  /** Approved reader news not yet in a snapshot; any order, filtered here. */
  live?: readonly ArticleSummary[];
}

export interface FeedResult {
  items: ArticleSummary[];
  next_cursor: string | null;
  total: number;
}

/** One page of a feed: one KV read when the cursor is from the live snapshot. */
export async function pageFeed(source: FeedSource, request: FeedRequest): Promise<FeedResult> {
  const list = listId(request.filter);
  const { cursor, limit } = request;
  let offset = 0;
  if (cursor && cursor.s === source.snapshot && cursor.l === list) {
    offset = cursor.o;
  } else if (cursor) {
    // Cursor from an earlier snapshot or another list: find its place by key.
    const index = await source.readIndex(list);
    offset = index && index.length > 0 ? pageForKey(index, cursor.k) * PAGE_STRIDE : 0;
  }
  const window = await source.readPage(list, pageOf(offset));
  let candidates: ArticleSummary[] = [];
  if (window) {
    const start = offset - window.offset;
    candidates = window.items.slice(Math.max(start, 0));
    // Keyset: skip whatever is not strictly after the cursor (items shifted by a new snapshot).
    if (cursor) {
      const skip = candidates.findIndex((a) => compareKeys(keyOf(a), cursor.k) > 0);
      offset += skip === -1 ? candidates.length : skip;
      candidates = skip === -1 ? [] : candidates.slice(skip);
    }
  }
  const seen = new Set(candidates.map((a) => a.id));
  const liveInList = (request.live ?? []).filter((a) => matches(a, request.filter));
  const live = liveInList
    .filter((a) => !seen.has(a.id) && (!cursor || compareKeys(keyOf(a), cursor.k) > 0))
    .sort((a, b) => compareKeys(keyOf(a), keyOf(b)));
  const { items, fromSnapshot } = mergeLive(candidates, live, limit);
  const total = (window?.total ?? 0) + liveInList.length;
  const last = items.at(-1);
  const more =
    fromSnapshot < candidates.length ||
    (window !== null && offset + fromSnapshot < window.total) ||
    live.length > items.length - fromSnapshot;
  return {
    items,
    total,
    next_cursor:
      last && more
        ? encodeCursor({
            v: 1,
            k: [last.published, last.id],
            s: source.snapshot,
            l: list,
            o: offset + fromSnapshot,
          })
        : null,
  };
}
