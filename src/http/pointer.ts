/**
 * The live snapshot pointer as a route needs it: storage says whether there is one, and
 * this turns "none yet" into the API's 503 problem (storage knows nothing of HTTP).
 */
import type { Pointer } from '../core/snapshot/format.ts';
import { getPointer } from '../storage/snapshots.ts';
import { ApiError } from './problem.ts';

/**
 * The live pointer, or 503 before the first publish. `known` is the one the edge-cache
 * middleware already read for this request (its cache key): the answer must come from it.
 */
export async function requirePointer(kv: KVNamespace, known?: Pointer): Promise<Pointer> {
  const pointer = known ?? (await getPointer(kv));
  if (!pointer)
    throw new ApiError(
      'unavailable',
      'No content snapshot has been published yet: run `npm run build:snapshot`.',
    );
  return pointer;
}
