/**
 * The Worker side of search: the live snapshot's index parts read from KV through one
 * per-isolate cache, and a small in-memory index of approved reader news that the
 * snapshot does not hold yet.
 */
import type { Article } from '../core/content/article.ts';
import { SEARCH_HEAD_KEY, searchKey } from '../core/snapshot/keys.ts';
import { fnv1a64 } from '../core/content/normalize.ts';
import { buildSearchParts } from '../core/search/build.ts';
import { type KeepAlive, PartCache } from '../core/lib/part-cache.ts';
import { coalesceReads, IndexReader } from '../core/search/reader.ts';
import { decodeSearchHead } from '../core/search/format.ts';
import { SegmentSet } from '../core/search/segments.ts';
import type { Pointer } from '../core/snapshot/format.ts';
import { warmUpEngine } from '../core/search/warm-up.ts';
import { boundedRead } from './kv-binding.ts';
import type { Companion } from './snapshots.ts';

/**
 * Index bytes an isolate keeps (128 MB isolate; the issue allows 64 MB of index at 1M
 * articles). Parsed parts and decoded postings both count; the least recently used go first.
 */
export const INDEX_CACHE_BYTES = 48 * 1024 * 1024;

const cache = new PartCache(INDEX_CACHE_BYTES);

// While the module loads (see core/search/warm-up.ts); a failure only costs the first search its speed.
warmUpEngine().catch((error: unknown) => console.warn(`search warm-up failed: ${String(error)}`));

/**
 * The segments of the live snapshot's index, oldest first (core/search/segments.ts): a
 * format-2 manifest lists them; a format-1 snapshot holds one index under its own id.
 */
export const searchSegmentIds = (pointer: Pointer): string[] =>
  pointer.format === 1 ? [pointer.snapshot] : pointer.manifest.search.segments.map((s) => s.id);

/**
 * A reader of a snapshot's index segments; cheap to make, one per request (it counts its
 * reads) and its own view of the isolate's cache (core/lib/part-cache.ts). `keepAlive` is the
 * request's `waitUntil`: a load a prefetch started still fills the cache when an edge-cache hit
 * answers first.
 */
export function snapshotIndex(
  kv: KVNamespace,
  segments: readonly string[],
  keepAlive: KeepAlive,
): SegmentSet {
  const joined = { reads: 0 };
  const read = coalesceReads(
    (keys) => boundedRead(keys[0] ?? 'search parts', () => kv.get([...keys], 'text')),
    joined,
  );
  return new SegmentSet(
    segments.map((id) => segmentReader(read, id, keepAlive)),
    joined,
  );
}

function segmentReader(
  read: (keys: readonly string[]) => Promise<Map<string, string | null>>,
  snapshot: string,
  keepAlive: KeepAlive,
): IndexReader {
  return new IndexReader(
    snapshot,
    async (parts) => {
      const values = await read(parts.map((part) => searchKey(snapshot, part)));
      return new Map(parts.map((part) => [part, values.get(searchKey(snapshot, part)) ?? null]));
    },
    cache.for(keepAlive),
  );
}

/**
 * Reads the search head (the metas of the live index's segments, see core/search/format.ts
 * encodeSearchHead) with a cold pointer, so a fresh isolate's first search does not wait for
 * separate meta reads. A segment's meta is immutable: every one the pointer lists is taken;
 * those of other snapshots (a head that lags behind the pointer while KV propagates) are
 * ignored, and the missing ones are read from KV.
 */
export function searchHead(kv: KVNamespace): Companion {
  return {
    key: SEARCH_HEAD_KEY,
    use(raw, pointer) {
      if (raw == null || pointer === null) return;
      const listed = new Set(searchSegmentIds(pointer));
      for (const [id, meta] of decodeSearchHead(raw)) {
        if (!listed.has(id)) continue;
        // The value is already here: the load does no I/O, so nothing needs keeping alive.
        segmentReader(
          (keys) => kv.get([...keys], 'text'),
          id,
          () => undefined,
        )
          .provideMeta(meta)
          .catch((error: unknown) =>
            console.warn(`search head of ${pointer.snapshot} not used: ${String(error)}`),
          );
      }
    },
  };
}

/** Live reader news change rarely; the index over them is rebuilt only when they change. */
let live:
  | { articles: readonly Article[]; signature: string; id: string; parts: Map<string, string> }
  | undefined;
const liveCache = new PartCache(4 * 1024 * 1024);

/** An index over the given articles, or null if there are none. Rebuilt when they change. */
export function liveIndex(articles: readonly Article[]): IndexReader | null {
  if (articles.length === 0) return null;
  // The same list object (liveArticles memoises it) needs no signature at all.
  if (live?.articles !== articles) {
    const signature = articles.map((a) => `${a.id}@${a.published}`).join('|');
    if (live?.signature === signature) live = { ...live, articles };
    else
      live = {
        articles,
        signature,
        id: `live-${articles.length}-${fnv1a64(signature)}`,
        parts: new Map(buildSearchParts(articles).map((p) => [p.part, p.value])),
      };
  }
  const parts = live.parts;
  return new IndexReader(
    live.id,
    async (names) => new Map(names.map((n) => [n, parts.get(n) ?? null])),
    liveCache.for(),
  );
}
