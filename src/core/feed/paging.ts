/**
 * Feed lists, pages and cursors.
 *
 * Every article is in 8 lists: each of language, section and source either its own
 * value or "*" (all). Format 2 stores a list as pages counted from the oldest end (see
 * PAGE_SIZE), format 1 as overlapping windows (see PAGE_STRIDE).
 *
 * Order is newest first: published descending, then id descending. A cursor carries the
 * last item's (published, id) - keyset paging, so it stays valid across snapshots - plus
 * the place of the next item counted from the oldest end, which new items do not move:
 * the common case (any snapshot with only newer items added) is a direct page read.
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
 * Format 1 (still read): a feed page is a window of up to 2 * PAGE_STRIDE items starting at
 * item `page * PAGE_STRIDE` of its list, so any request of at most PAGE_STRIDE items, at any
 * offset, is inside one window.
 */
export const PAGE_STRIDE = 100;

export const pageOf = (offset: number) => Math.floor(offset / PAGE_STRIDE);

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

/**
 * Format 2: pages without overlap, numbered from the oldest end. Page k holds the items of
 * rank [k * PAGE_SIZE, (k + 1) * PAGE_SIZE) counted from the oldest, stored newest first; the
 * top page holds the newest 1 to PAGE_SIZE items. New items land on the top page, so every
 * page below it keeps its items, and its bytes, across snapshots. A request of at most
 * PAGE_SIZE + 1 items at any offset spans at most two pages, read in parallel.
 */
export const PAGE_SIZE = 100;

/** How many pages a list of `n` items has (an empty list has its one empty page). */
export const pageCount = (n: number) => Math.max(1, Math.ceil(n / PAGE_SIZE));

/** The page holding newest-first index `i` of a list of `n` items. */
export const pageOfIndex = (n: number, i: number) => Math.floor((n - 1 - i) / PAGE_SIZE);

/** Newest-first index of the newest item of page `k` (pages are [start, end)). */
export const pageBounds = (n: number, k: number): [start: number, end: number] => [
  Math.max(0, n - PAGE_SIZE * (k + 1)),
  Math.max(0, n - PAGE_SIZE * k),
];

/** Splits a newest-first list into its format-2 pages, oldest page first. */
export function pagesFromOldest<T>(sorted: readonly T[]): T[][] {
  return Array.from({ length: pageCount(sorted.length) }, (_, k) => {
    const [start, end] = pageBounds(sorted.length, k);
    return sorted.slice(start, end);
  });
}

const CursorV1 = v.object({
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

/**
 * Format 2 cursors name a place counted from the oldest end, which new items at the head
 * do not move: the same place in any later snapshot, checked against the key and found by
 * key when items were inserted or removed below it.
 */
const CursorV2 = v.object({
  v: v.literal(2),
  k: v.tuple([v.string(), v.string()]),
  l: v.string(),
  /** snapshot items from the next one to the oldest end, inclusive */
  r: v.pipe(v.number(), v.integer(), v.minValue(0)),
});
const CursorSchema = v.variant('v', [CursorV1, CursorV2]);
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

/** One snapshot's lists, as the feed reads them (storage/feed.ts has one per format). */
export interface FeedSource {
  snapshot: string;
  /** Items [offset, offset + count) of a list, newest first (count <= PAGE_SIZE + 1), and its size. */
  readRange(
    list: string,
    offset: number,
    count: number,
  ): Promise<{ total: number; items: ArticleSummary[] }>;
  /** The list's size when it is known without a read (format 2: in the pointer), else null. */
  sizeOf(list: string): number | null;
  /**
   * The newest-first offset of the first item strictly after `key`, found by key. `near:
   * 'head'` says the key is probably among the newest items (a `since` or `until` of a
   * pull-to-refresh): the search starts there instead of halving the whole list.
   */
  seek(list: string, key: SortKey, near?: 'head'): Promise<number>;
}

export interface FeedRequest {
  filter: ListFilter;
  limit: number;
  cursor: Cursor | null;
  /**
   * A time range on `published`, as `Date.toISOString()` text (the stored form, so keys
   * compare as text): items published after `since` (exclusive) and up to `until`
   * (inclusive). Consecutive ranges (a, b], (b, c] neither overlap nor leave a gap.
   */
  since?: string | undefined;
  until?: string | undefined;
  /** Approved reader news not yet in a snapshot; any order, filtered here. */
  live?: readonly ArticleSummary[];
}

/**
 * Sorts after every item published at the same time (ids are [a-z0-9-]): the items strictly
 * after `[t, RANGE_EDGE]` are exactly those published at or before `t`.
 */
const RANGE_EDGE = '\uffff';
const edgeKey = (time: string | undefined): SortKey | null =>
  time === undefined ? null : [time, RANGE_EDGE];

export interface FeedResult {
  items: ArticleSummary[];
  next_cursor: string | null;
  total: number;
}

/** Where a cursor expects the next snapshot item of `list` in this snapshot, if it can tell. */
function expectedNext(source: FeedSource, list: string, cursor: Cursor): number | null {
  if (cursor.l !== list) return null;
  if (cursor.v === 1) return cursor.s === source.snapshot ? cursor.o : null;
  const size = source.sizeOf(list);
  return size === null ? null : Math.max(0, size - cursor.r);
}

/**
 * The snapshot items strictly after the cursor, from the place the cursor expects them: one
 * read that also holds the item before, to check the place by key. When items were inserted
 * or removed below it since the cursor was made, the place is found by key instead.
 */
async function itemsAfter(
  source: FeedSource,
  list: string,
  cursor: Cursor,
  limit: number,
): Promise<{ offset: number; total: number; items: ArticleSummary[] }> {
  const after = (a: ArticleSummary) => compareKeys(keyOf(a), cursor.k) > 0;
  const expected = expectedNext(source, list, cursor);
  if (expected !== null) {
    const from = Math.max(0, expected - 1);
    const read = await source.readRange(list, from, limit + 1);
    const first = read.items.findIndex(after);
    const end = from + read.items.length;
    // In place when the item before the first one after the key is not after it (or the
    // first is the list's start), or when nothing after the key is left in the list.
    const placed =
      first > 0 ||
      (first === 0 && from === 0) ||
      (first === -1 && end >= read.total && (read.items.length > 0 || read.total === 0));
    if (placed) {
      const offset = first === -1 ? end : from + first;
      const items = first === -1 ? [] : read.items.slice(first, first + limit);
      if (items.length >= limit || offset + items.length >= read.total)
        return { offset, total: read.total, items };
      // Items were inserted just below the cursor: the place is right, the read too short.
      return { offset, ...(await source.readRange(list, offset, limit)) };
    }
  }
  const offset = await source.seek(list, cursor.k);
  const read = await source.readRange(list, offset, limit);
  // seek found the place by key; a list that changed meanwhile is still filtered by it.
  const skip = read.items.findIndex(after);
  return {
    offset: skip === -1 ? offset + read.items.length : offset + skip,
    total: read.total,
    items: skip === -1 ? [] : read.items.slice(skip),
  };
}

/**
 * One page of a feed. Format 2: one KV read after the pointer, or two in parallel when the
 * page straddles two stored pages; a cursor from an older snapshot whose place moved costs a
 * few more reads to find it by key.
 */
export async function pageFeed(source: FeedSource, request: FeedRequest): Promise<FeedResult> {
  const list = listId(request.filter);
  const { cursor, limit } = request;
  // The range is the items strictly after `untilKey` and strictly before `sinceKey`, so it
  // starts at `untilKey`'s place and ends at `sinceKey`'s, each found by key from the head.
  const untilKey = edgeKey(request.until);
  const sinceKey = edgeKey(request.since);
  const inRange = (a: ArticleSummary) =>
    (!untilKey || compareKeys(keyOf(a), untilKey) > 0) &&
    (!sinceKey || compareKeys(keyOf(a), sinceKey) < 0);
  const start = untilKey ? source.seek(list, untilKey, 'head') : Promise.resolve(0);
  const end = sinceKey ? source.seek(list, sinceKey, 'head') : Promise.resolve(null);
  // A cursor from before the range (until moved later than where it paged) starts at until.
  const fromCursor = cursor && (!untilKey || compareKeys(cursor.k, untilKey) >= 0);
  const [window, first, stop] = await Promise.all([
    fromCursor
      ? itemsAfter(source, list, cursor, limit)
      : start.then(async (offset) => ({
          offset,
          ...(await source.readRange(list, offset, limit)),
        })),
    start,
    end,
  ]);
  const candidates = window.items.filter(inRange);
  const seen = new Set(candidates.map((a) => a.id));
  const liveInList = (request.live ?? []).filter((a) => matches(a, request.filter) && inRange(a));
  const live = liveInList
    .filter((a) => !seen.has(a.id) && (!cursor || compareKeys(keyOf(a), cursor.k) > 0))
    .sort((a, b) => compareKeys(keyOf(a), keyOf(b)));
  const { items, fromSnapshot } = mergeLive(candidates, live, limit);
  const last = Math.min(window.total, stop ?? window.total);
  const total = Math.max(0, last - first) + liveInList.length;
  const lastItem = items.at(-1);
  const next = window.offset + fromSnapshot;
  const more = next < last || live.length > items.length - fromSnapshot;
  return {
    items,
    total,
    next_cursor:
      lastItem && more
        ? encodeCursor({
            v: 2,
            k: [lastItem.published, lastItem.id],
            l: list,
            r: window.total - next,
          })
        : null,
  };
}

/**
 * Binary search over a list's format-2 pages for the first item strictly after `key`:
 * pages are ordered, so each read halves the pages left. Used only when a cursor's place
 * moved (items inserted or removed below it since it was made).
 */
export async function seekPages(
  size: number,
  readPage: (page: number) => Promise<readonly ArticleSummary[]>,
  key: SortKey,
  near?: 'head',
): Promise<number> {
  // Pages from the oldest (0) to the newest; find the newest page holding an item after `key`.
  let lo = 0;
  let hi = pageCount(size) - 1;
  let found = -1;
  // From the head, galloping: pages 1, 2, 4, ... below the newest until one holds an item
  // after the key, so a key d pages down costs about 2 log2(d) reads, not log2 of the list.
  for (let step = 1; near === 'head' && lo <= hi; step *= 2) {
    const k = Math.max(lo, hi - step + 1);
    const firstAfter = (await readPage(k)).findIndex((a) => compareKeys(keyOf(a), key) > 0);
    if (firstAfter === -1) {
      hi = k - 1;
      continue;
    }
    if (firstAfter > 0) return pageBounds(size, k)[0] + firstAfter;
    found = k;
    lo = k + 1;
    break;
  }
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const items = await readPage(mid);
    const firstAfter = items.findIndex((a) => compareKeys(keyOf(a), key) > 0);
    if (firstAfter === -1) hi = mid - 1;
    else {
      found = mid;
      if (firstAfter > 0) return pageBounds(size, mid)[0] + firstAfter;
      lo = mid + 1;
    }
  }
  // Every item of page `found` is after the key, and nothing newer is: it starts there.
  return found === -1 ? size : pageBounds(size, found)[0];
}
