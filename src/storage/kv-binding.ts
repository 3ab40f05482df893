import type { KvEntry, KvStore } from '../core/lib/kv-store.ts';

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
