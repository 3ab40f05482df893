/**
 * A Worker invocation may make at most 1,000 operations on KV (and other bindings): "Operations/
 * Worker invocation: 1000", a bulk get counting as one
 * (https://developers.cloudflare.com/kv/platform/limits/). The scheduled poll counts what it
 * does through this wrapper and stops before the limit with an error that names it, instead of
 * failing somewhere inside a publish.
 */
import type { KvStore } from '../lib/kv-store.ts';

export const WORKER_KV_OPERATIONS = 1000;
/**
 * The most articles a search merge may rebuild inside one Worker invocation: 2,000 articles
 * are 20 bulk reads and a segment of a few dozen parts, well inside the operations above. A
 * bigger merge (a full compaction of a large archive) waits for `npm run build:snapshot` or
 * `npm run ingest`, which have no such limit.
 */
export const WORKER_COMPACT_ARTICLES = 2_000;
/** Keys per bulk get (https://developers.cloudflare.com/kv/api/read-key-value-pairs/). */
const BULK_GET = 100;
/** Keys per list page. */
const LIST_PAGE = 1000;

export class KvBudgetError extends Error {
  constructor(limit: number, wanted: number) {
    super(`KV operation budget of ${limit} per invocation would be exceeded (${wanted})`);
    this.name = 'KvBudgetError';
  }
}

export interface BudgetedStore extends KvStore {
  /** Operations spent so far. */
  readonly used: number;
}

export function budgetedStore(store: KvStore, limit = WORKER_KV_OPERATIONS): BudgetedStore {
  let used = 0;
  const spend = (n: number) => {
    if (used + n > limit) throw new KvBudgetError(limit, used + n);
    used += n;
  };
  return {
    get used() {
      return used;
    },
    async get(key) {
      spend(1);
      return store.get(key);
    },
    async getMany(keys) {
      spend(Math.ceil(keys.length / BULK_GET));
      if (store.getMany) return store.getMany(keys);
      const values = await Promise.all(keys.map((k) => store.get(k)));
      return new Map(keys.map((k, i) => [k, values[i] ?? null]));
    },
    async putMany(entries, onProgress) {
      spend(entries.length);
      return store.putMany(entries, onProgress);
    },
    async list(prefix) {
      spend(1);
      const names = await store.list(prefix);
      // Further pages are further operations; counted once the size is known.
      spend(Math.max(0, Math.ceil(names.length / LIST_PAGE) - 1));
      return names;
    },
    async deleteMany(keys, onProgress) {
      spend(keys.length);
      return store.deleteMany(keys, onProgress);
    },
  };
}
