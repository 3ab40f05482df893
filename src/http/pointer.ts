/**
 * The live snapshot pointer as a route needs it: storage says whether there is one, and
 * this turns "none yet" into the API's 503 problem (storage knows nothing of HTTP).
 */
import { StoredValueError } from '../core/lib/kv-store.ts';
import type { Pointer } from '../core/snapshot/format.ts';
import { getPointer, PointerUnreadable } from '../storage/snapshots.ts';
import { ApiError } from './problem.ts';

/**
 * Seconds a client should wait before asking again when no snapshot can be served: a
 * publish takes seconds, and KV spreads a new pointer within 60 s
 * (https://developers.cloudflare.com/kv/concepts/how-kv-works/).
 */
export const UNAVAILABLE_RETRY_AFTER_S = 30;

/** The 503 every snapshot route answers when it has no snapshot to serve (RFC 9110 §10.2.3). */
export function snapshotUnavailable(detail: string): ApiError {
  return new ApiError('unavailable', detail, {
    headers: { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_S) },
  });
}

/**
 * The live pointer, or 503 with Retry-After when there is none or it cannot be read.
 * `known` is the one the edge-cache middleware already read for this request (its cache
 * key): the answer must come from it.
 */
export async function requirePointer(kv: KVNamespace, known?: Pointer): Promise<Pointer> {
  let pointer: Pointer | null;
  try {
    pointer = known ?? (await getPointer(kv));
  } catch (error) {
    if (!(error instanceof PointerUnreadable)) throw error;
    throw snapshotUnavailable('The live snapshot pointer cannot be read; try again shortly.');
  }
  if (!pointer)
    throw snapshotUnavailable(
      'No content snapshot has been published yet: run `npm run build:snapshot`.',
    );
  return pointer;
}

/**
 * The answer to a stored value that cannot be read (core/lib/kv-store.ts StoredValueError: a
 * corrupt or missing feed page, article or index part, a KV read that failed or stalled):
 * 503 with Retry-After, the fault logged with its key. Routes that do not need the value
 * keep answering; this request cannot be answered truthfully without it. Anything else: undefined.
 */
export function storedValueProblem(error: unknown): ApiError | undefined {
  if (!(error instanceof StoredValueError)) return undefined;
  console.error(`stored value unreadable (${error.key}), answering 503: ${error.message}`);
  return snapshotUnavailable(
    'Part of the live content cannot be read right now; try again shortly.',
  );
}
