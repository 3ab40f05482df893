/**
 * A per-isolate cache of immutable snapshot values (search index parts, parsed feed pages
 * and articles): least recently used out first, bounded by an estimate of the memory the
 * values hold, and one in-flight load shared by every caller that asks for the same key
 * meanwhile. Keys carry the snapshot id, so a new snapshot never reads an
 * old snapshot's values; old entries age out.
 */

interface Entry {
  value: unknown;
  bytes: number;
}

export class PartCache {
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

  /** The cached value, or the shared load of it. `load` reports the value and its size. */
  async get<T>(key: string, load: () => Promise<{ value: T; bytes: number }>): Promise<T> {
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
