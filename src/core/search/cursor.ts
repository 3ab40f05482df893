/**
 * Search cursors: opaque, URL-safe, bound to the query they page through. A cursor holds
 * the offset of the next page and a digest of the query, so one pasted onto another query
 * is refused instead of paging through the wrong results. Pages stay consistent within a
 * snapshot; after a deploy the offset continues in the new snapshot's ranking.
 */
import * as v from 'valibot';
import { fnv1a32 } from '../content/normalize.ts';
import { decodeOpaque, encodeOpaque } from '../lib/opaque.ts';

/** Deepest page a cursor may reach: ranking beyond it is noise, and it bounds the work. */
export const MAX_OFFSET = 1_000;

const Cursor = v.object({
  v: v.literal(1),
  o: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_OFFSET)),
  q: v.string(),
});
type Cursor = v.InferOutput<typeof Cursor>;

/** FNV-1a over the query's canonical form: a cheap, stable digest, not a security measure. */
export function queryDigest(parts: readonly (string | number | undefined)[]): string {
  return fnv1a32(JSON.stringify(parts)).toString(36);
}

export function encodeSearchCursor(offset: number, digest: string): string {
  const cursor: Cursor = { v: 1, o: offset, q: digest };
  return encodeOpaque(cursor);
}

/** The offset a cursor stands for, or null if it is not ours or belongs to another query. */
export function decodeSearchCursor(text: string, digest: string): number | null {
  const cursor = decodeOpaque(text, Cursor, 200);
  return cursor !== null && cursor.q === digest ? cursor.o : null;
}
