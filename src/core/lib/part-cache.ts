/**
 * A per-isolate cache of immutable snapshot values (search index parts, parsed feed pages
 * and articles): least recently used out first, bounded by an estimate of the memory the
 * values hold. Keys carry the snapshot id, so a new snapshot never reads an old snapshot's
 * values; old entries age out.
 *
 * Settled values are shared by everyone; a load in flight only by the callers of the object
 * that started it. In the Worker each request reaches the isolate's caches through a view of
 * its own (`for`), so no request ever waits on a promise another request's I/O settles: in
 * workerd that wait is not I/O of the waiting request's own, and a request whose own reads
 * are done while it waits is cancelled as hung ("The Workers runtime canceled this request
 * because it detected that your Worker's code had hung", 500), and settling one request's
 * promise from another's context is refused once the first has ended (see docs/reliability.md,
 * "Shared loads"). Two requests that miss the same value at once each read it.
 */

/**
 * Keeps a request alive until work it started has settled: `ctx.waitUntil` in a Worker. In
 * workerd, I/O that a request started is cancelled when that request ends, so a load whose
 * value should still reach the cache (a prefetch wasted on an edge-cache hit) needs it.
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
   * The cached value, or the load of it in flight for this object's callers. `load` reports
   * the value and its size; a load this call starts is handed to `keepAlive`.
   */
  get<T>(
    key: string,
    load: () => Promise<{ value: T; bytes: number }>,
    keepAlive?: KeepAlive,
  ): Promise<T> {
    return this.#get(this.#loading, key, load, keepAlive);
  }

  /**
   * This cache as one caller sees it (a request in the Worker): the settled values of every
   * caller, and loads in flight shared with this view's own callers only. Every load it
   * starts is handed to `keepAlive`.
   */
  for(keepAlive?: KeepAlive): PartStore {
    const loading = new Map<string, Promise<unknown>>();
    return {
      get: (key, load) => this.#get(loading, key, load, keepAlive),
      memo: (key, compute) => this.memo(key, compute),
    };
  }

  async #get<T>(
    inFlight: Map<string, Promise<unknown>>,
    key: string,
    load: () => Promise<{ value: T; bytes: number }>,
    keepAlive?: KeepAlive,
  ): Promise<T> {
    const entry = this.#touch(key);
    if (entry) return entry.value as T;
    const pending = inFlight.get(key);
    if (pending) return pending as Promise<T>;
    const loading = load()
      .then(({ value, bytes }) => {
        this.#put(key, value, bytes);
        return value;
      })
      .finally(() => inFlight.delete(key));
    inFlight.set(key, loading);
    keepAlive?.(loading.catch(() => undefined));
    return loading;
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
