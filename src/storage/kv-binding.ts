import type { KvEntry, KvStore } from '../core/lib/kv-store.ts';

/** Concurrent writes per batch: a Worker may have six connections open at once. */
const PARALLEL = 6;

/** A `KvStore` over a real KV binding (Worker, vitest in workerd, wrangler's platform proxy). */
export function bindingStore(kv: KVNamespace): KvStore {
  async function inBatches<T>(
    items: readonly T[],
    run: (item: T) => Promise<unknown>,
    onProgress?: (done: number, total: number) => void,
  ) {
    for (let i = 0; i < items.length; i += PARALLEL) {
      await Promise.all(items.slice(i, i + PARALLEL).map(run));
      onProgress?.(Math.min(i + PARALLEL, items.length), items.length);
    }
  }
  return {
    get: (key) => kv.get(key),
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
