/**
 * The small KV surface the snapshot writer needs. The Worker, the tests and `npm start`
 * back it with a real `KVNamespace` (storage/kv-binding.ts); `--remote` publishing backs
 * it with `wrangler kv bulk` (scripts/lib/remote-kv.ts). Values are strings (JSON).
 */
import * as v from 'valibot';

/**
 * A stored value that cannot be used: not JSON, not its schema, missing where the snapshot
 * names it, or its read failed or did not answer in time. The Worker answers such a fault
 * with 503 and Retry-After (src/http/pointer.ts `storedValueProblem`), never a 500: what is
 * wrong is the data or the store, not the request, and another read may well succeed.
 */
export class StoredValueError extends Error {
  override readonly name = 'StoredValueError';
  /** The KV key, or the part of an index, that could not be read. */
  readonly key: string;

  /** `message` names the key (it goes to the log, never to a client). */
  constructor(key: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.key = key;
  }
}

/** JSON.parse, a syntax error becoming the `StoredValueError` of the value it came from. */
export function parseJson(key: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new StoredValueError(key, `KV value at ${key} is not JSON: ${String(error)}`, {
      cause: error,
    });
  }
}

/** A stored JSON value checked against its schema (null when absent); a mismatch names the key. */
export function parseStored<S extends v.GenericSchema>(
  key: string,
  text: string | null,
  schema: S,
): v.InferOutput<S> | null {
  if (text === null) return null;
  const parsed = v.safeParse(schema, parseJson(key, text));
  if (!parsed.success)
    throw new StoredValueError(
      key,
      `KV value at ${key} does not match its schema: ${v.summarize(parsed.issues)}`,
    );
  return parsed.output;
}

export interface KvEntry {
  key: string;
  value: string;
  /** Seconds since the epoch at which KV drops the key. */
  expiration?: number;
}

export interface KvStore {
  get(key: string): Promise<string | null>;
  /** Several keys at once (KV's bulk get); absent keys map to null. Without it, `getMany` reads one by one. */
  getMany?(keys: readonly string[]): Promise<Map<string, string | null>>;
  /** Writes every entry; resolves only once all writes are confirmed. */
  putMany(
    entries: readonly KvEntry[],
    onProgress?: (done: number, total: number) => void,
  ): Promise<void>;
  /** Every key under the prefix (all pages of the listing). */
  list(prefix: string): Promise<string[]>;
  deleteMany(
    keys: readonly string[],
    onProgress?: (done: number, total: number) => void,
  ): Promise<void>;
}

/** Several keys through the store's bulk get, or key by key (a few at a time) without one. */
export async function getMany(
  store: KvStore,
  keys: readonly string[],
): Promise<Map<string, string | null>> {
  if (store.getMany) return store.getMany(keys);
  const out = new Map<string, string | null>();
  for (let i = 0; i < keys.length; i += 8) {
    const chunk = keys.slice(i, i + 8);
    const values = await Promise.all(chunk.map((k) => store.get(k)));
    chunk.forEach((k, j) => out.set(k, values[j] ?? null));
  }
  return out;
}
