import { type KvEntry, type KvStore, StoredValueError } from '../core/lib/kv-store.ts';

/**
 * Longest the Worker waits for one KV read before it answers without it. A read from KV's
 * central store takes tens to hundreds of milliseconds
 * (https://developers.cloudflare.com/kv/concepts/how-kv-works/); a read still unanswered
 * after seconds will not help the client waiting on it, and without a bound a stalled read
 * holds the request open until the client gives up.
 */
export const KV_READ_DEADLINE_MS = 5_000;

/**
 * A KV read of the Worker's, bounded: it fails with a `StoredValueError` naming `what` (the
 * key) when the binding throws or gives no answer within KV_READ_DEADLINE_MS, so the route
 * answers 503 with Retry-After, or serves without the value, instead of a 500 or a hang.
 */
export async function boundedRead<T>(what: string, read: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new StoredValueError(what, `KV read of ${what}: no answer in ${KV_READ_DEADLINE_MS} ms`),
        ),
      KV_READ_DEADLINE_MS,
    );
  });
  try {
    return await Promise.race([
      (async () => read())().catch((error: unknown) => {
        throw new StoredValueError(what, `KV read of ${what} failed: ${String(error)}`, {
          cause: error,
        });
      }),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Concurrent writes per batch: a Worker may have six connections open at once. */
const PARALLEL = 6;
/** KV's bulk get takes at most 100 keys (https://developers.cloudflare.com/kv/api/read-key-value-pairs/). */
const BULK_GET = 100;

/**
 * A `KvStore` over a real KV binding (Worker, vitest in workerd, wrangler's platform proxy).
 * `parallel`: writes in flight at once (scripts over Miniflare's local KV may use more).
 */
export function bindingStore(kv: KVNamespace, parallel = PARALLEL): KvStore {
  async function inBatches<T>(
    items: readonly T[],
    run: (item: T) => Promise<unknown>,
    onProgress?: (done: number, total: number) => void,
  ) {
    for (let i = 0; i < items.length; i += parallel) {
      await Promise.all(items.slice(i, i + parallel).map(run));
      onProgress?.(Math.min(i + parallel, items.length), items.length);
    }
  }
  return {
    get: (key) => kv.get(key),
    async getMany(keys) {
      const out = new Map<string, string | null>();
      const chunks: string[][] = [];
      for (let i = 0; i < keys.length; i += BULK_GET) chunks.push(keys.slice(i, i + BULK_GET));
      await inBatches(chunks, async (chunk) => {
        const values = await kv.get(chunk, 'text');
        for (const key of chunk) out.set(key, values.get(key) ?? null);
      });
      return out;
    },
    putMany: (entries, onProgress) =>
      inBatches(
        entries,
        (e: KvEntry) =>
          kv.put(e.key, e.value, e.expiration === undefined ? {} : { expiration: e.expiration }),
        onProgress,
      ),
    async list(prefix) {
      const names: string[] = [];
      let cursor: string | undefined;
      do {
        const page: KVNamespaceListResult<unknown, string> = await kv.list({
          prefix,
          ...(cursor ? { cursor } : {}),
        });
        names.push(...page.keys.map((k) => k.name));
        cursor = page.list_complete ? undefined : page.cursor;
      } while (cursor);
      return names;
    },
    deleteMany: (keys, onProgress) => inBatches(keys, (k) => kv.delete(k), onProgress),
  };
}
