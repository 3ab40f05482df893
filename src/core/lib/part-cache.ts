/**
 * A per-isolate cache of immutable snapshot values (search index parts, parsed feed pages
 * and articles): least recently used out first, bounded by an estimate of the memory the
 * values hold, and one in-flight load shared by every caller that asks for the same key
 * meanwhile. Keys carry the snapshot id, so a new snapshot never reads an
 * old snapshot's values; old entries age out.
 */

/**
 * Keeps a request alive until work it started has settled: `ctx.waitUntil` in a Worker. In
 * workerd, I/O that a request started is cancelled when that request ends, and a promise
 * waiting on it never settles; a load shared with later requests must therefore outlive the
 * request that started it (a refused request, or an edge-cache hit whose prefetch was wasted).
 */
export type KeepAlive = (work: Promise<unknown>) => void;

/** What readers of the cache use: `PartCache` itself, or its view for one request. */
export interface PartStore {
  get<T>(key: string, load: () => Promise<{ value: T; bytes: number }>): Promise<T>;
  memo<T>(key: string, compute: () => { value: T; bytes: number }): T;
}

interface Entry {
  value: unknown;
  bytes: number;
}

export class PartCache implements PartStore {
  readonly maxBytes: number;
  #entries = new Map<string, Entry>();
  #loading = new Map<string, Promise<unknown>>();
  #bytes = 0;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /**
   * The cached value, or the shared load of it. `load` reports the value and its size; a
   * load this call starts is handed to `keepAlive`, so it settles for everyone who shares it
   * whatever happens to the caller.
   */
  async get<T>(
    key: string,
    load: () => Promise<{ value: T; bytes: number }>,
    keepAlive?: KeepAlive,
  ): Promise<T> {
    const entry = this.#touch(key);
    if (entry) return entry.value as T;
    const pending = this.#loading.get(key);
    if (pending) return pending as Promise<T>;
    const loading = load()
      .then(({ value, bytes }) => {
        this.#put(key, value, bytes);
        return value;
      })
      .finally(() => this.#loading.delete(key));
    this.#loading.set(key, loading);
    keepAlive?.(loading.catch(() => undefined));
    return loading;
  }

  /** This cache as seen by one request: every load it starts is kept alive by `keepAlive`. */
  for(keepAlive: KeepAlive): PartStore {
    return {
      get: (key, load) => this.get(key, load, keepAlive),
      memo: (key, compute) => this.memo(key, compute),
    };
  }

  /** A value computed synchronously from cached data (decoded postings, derived arrays). */
  memo<T>(key: string, compute: () => { value: T; bytes: number }): T {
    const entry = this.#touch(key);
    if (entry) return entry.value as T;
    const { value, bytes } = compute();
    this.#put(key, value, bytes);
    return value;
  }

  /**
   * A cached value (moved to the warm end), or undefined; never a load. With `put`, for a
   * reader that keeps values only and shares no in-flight promise across requests.
   */
  peek<T>(key: string): T | undefined {
    return this.#touch(key)?.value as T | undefined;
  }

  /** Stores a value its caller read itself (see `peek`). */
  put(key: string, value: unknown, bytes: number): void {
    this.#put(key, value, bytes);
  }

  /** A hit, moved to the warm end (a Map iterates in insertion order, coldest first). */
  #touch(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry;
  }

  #put(key: string, value: unknown, bytes: number): void {
    const old = this.#entries.get(key);
    if (old) this.#bytes -= old.bytes;
    this.#entries.set(key, { value, bytes });
    this.#bytes += bytes;
    for (const [coldKey, cold] of this.#entries) {
      if (this.#bytes <= this.maxBytes || coldKey === key) break;
      this.#entries.delete(coldKey);
      this.#bytes -= cold.bytes;
    }
  }
}
