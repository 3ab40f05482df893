/**
 * The small KV surface the snapshot writer needs. The Worker, the tests and `npm start`
 * back it with a real `KVNamespace` (storage/kv-binding.ts); `--remote` publishing backs
 * it with `wrangler kv bulk` (scripts/lib/remote-kv.ts). Values are strings (JSON).
 */
export interface KvEntry {
  key: string;
  value: string;
  /** Seconds since the epoch at which KV drops the key. */
  expiration?: number;
}

export interface KvStore {
  get(key: string): Promise<string | null>;
  /** Writes every entry; resolves only once all writes are confirmed. */
  putMany(entries: readonly KvEntry[], onProgress?: (done: number, total: number) => void): Promise<void>;
  /** Every key under the prefix (all pages of the listing). */
  list(prefix: string): Promise<string[]>;
  deleteMany(keys: readonly string[], onProgress?: (done: number, total: number) => void): Promise<void>;
}
