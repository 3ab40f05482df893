/**
 * The local KV that `wrangler dev` reads (.wrangler/state/v3/kv), opened with Miniflare:
 * reads go through the runtime's own `KVNamespace` (`bindingStore`, exactly as in the Worker
 * and the tests). (wrangler's getPlatformProxy would also start every other binding, and
 * warns about the Durable Object it cannot run outside a Worker.)
 *
 * Writes and deletes go straight into the store Miniflare keeps on disk, in large SQLite
 * transactions. Through the binding every put is one blob write and one SQLite transaction
 * inside Miniflare's KV object, one at a time: 850-1,200 keys/s here, and as little as 17
 * keys/s on a loaded machine, so a 100k-article publish (~130k keys) took minutes to hours.
 * The layout written is Miniflare's own (node_modules/miniflare/dist/src/workers/shared/
 * index.worker.js, `KeyValueStorage` and `BlobStore`): a row `(key, blob_id, expiration ms,
 * metadata)` in `_mf_entries` of the namespace object's SQLite file, the value in
 * `<namespace>/blobs/<blob_id>`. The value file is written before its row is committed and a
 * replaced value's file is removed after, as Miniflare does, so a reader never sees a row
 * without its value. SQLite's own locking (WAL) keeps the running Miniflare, and a
 * `wrangler dev` on the same directory, coherent with these writes. `npm run bench:local-kv`
 * measures both paths.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { Miniflare } from 'miniflare';
import { unstable_readConfig } from 'wrangler';
import type { KvEntry, KvStore } from '../../src/core/lib/kv-store.ts';
import { bindingStore } from '../../src/storage/kv-binding.ts';

/** Where `wrangler dev` keeps local state unless told otherwise (`--persist-to`). */
export const DEFAULT_PERSIST = '.wrangler/state';
/** Reads in flight at once through the binding (one local workerd process, not the network). */
const LOCAL_PARALLEL = 64;
/** Rows per SQLite transaction: long enough to be fast, short enough to report progress. */
const TRANSACTION_ROWS = 5_000;
/** Miniflare's Durable Object class that holds a KV namespace (its `uniqueKey`). */
const KV_OBJECT = 'miniflare-KVNamespaceObject';

export function newsNamespaceId(configPath = 'wrangler.toml'): string {
  const config = unstable_readConfig({ config: configPath });
  const binding = config.kv_namespaces.find(
    (ns: { binding: string; id?: string }) => ns.binding === 'NEWS',
  );
  if (!binding?.id)
    throw new Error(`${configPath} has no [[kv_namespaces]] entry with binding = "NEWS" and an id`);
  return binding.id;
}

/**
 * The file name of a Durable Object's SQLite database for `idFromName(name)`, as Miniflare
 * derives it (`durableObjectNamespaceIdFromName` in node_modules/miniflare/dist/src/index.js).
 */
export function objectIdFromName(uniqueKey: string, name: string): string {
  const key = createHash('sha256').update(uniqueKey).digest();
  const nameHmac = createHmac('sha256', key).update(name).digest().subarray(0, 16);
  const hmac = createHmac('sha256', key).update(nameHmac).digest().subarray(0, 16);
  return Buffer.concat([nameHmac, hmac]).toString('hex');
}

/** A blob id as Miniflare makes them: 32 random bytes, then the time in ms (8 bytes, big-endian). */
function blobId(): string {
  const id = Buffer.alloc(40);
  randomBytes(32).copy(id);
  id.writeBigInt64BE(BigInt(Date.now()), 32);
  return id.toString('hex');
}

/** node:sqlite without its one-time "experimental" warning on stderr (Node 22). */
async function loadSqlite(): Promise<typeof DatabaseSync> {
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (!String(warning).includes('SQLite'))
      (emit as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return (await import('node:sqlite')).DatabaseSync;
  } finally {
    process.emitWarning = emit;
  }
}

/** Bulk writes and deletes into Miniflare's on-disk KV (layout in the header comment). */
export async function diskWriter(kvDir: string, namespaceId: string) {
  if (!/^[\w-]+$/.test(namespaceId))
    throw new Error(`KV namespace id "${namespaceId}" has characters Miniflare would rename`);
  const Database = await loadSqlite();
  const file = join(kvDir, KV_OBJECT, `${objectIdFromName(KV_OBJECT, namespaceId)}.sqlite`);
  if (!existsSync(file)) throw new Error(`${file} does not exist: open it through Miniflare first`);
  const blobs = join(kvDir, namespaceId, 'blobs');
  mkdirSync(blobs, { recursive: true });
  // A `wrangler dev` or Miniflare on the same directory may hold the write lock for a moment.
  const db = new Database(file, { timeout: 30_000 });
  const oldBlob = db.prepare('SELECT blob_id FROM _mf_entries WHERE key = ?');
  const put = db.prepare(
    'INSERT OR REPLACE INTO _mf_entries (key, blob_id, expiration, metadata) VALUES (?, ?, ?, NULL)',
  );
  const remove = db.prepare('DELETE FROM _mf_entries WHERE key = ? RETURNING blob_id');
  const unlink = (ids: readonly string[]) => {
    for (const id of ids) rmSync(join(blobs, id), { force: true });
  };

  /** Runs `step` over items in transactions of TRANSACTION_ROWS; blobs to remove go after each commit. */
  function inTransactions<T>(
    items: readonly T[],
    step: (item: T, replaced: string[]) => void,
    onProgress?: (done: number, total: number) => void,
  ) {
    for (let i = 0; i < items.length; i += TRANSACTION_ROWS) {
      const chunk = items.slice(i, i + TRANSACTION_ROWS);
      const replaced: string[] = [];
      db.exec('BEGIN IMMEDIATE');
      try {
        for (const item of chunk) step(item, replaced);
        db.exec('COMMIT');
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      }
      unlink(replaced);
      onProgress?.(i + chunk.length, items.length);
    }
  }

  return {
    putMany(entries: readonly KvEntry[], onProgress?: (done: number, total: number) => void) {
      inTransactions(
        entries,
        (e, replaced) => {
          const id = blobId();
          writeFileSync(join(blobs, id), e.value);
          const prior = oldBlob.get(e.key) as { blob_id: string } | undefined;
          if (prior) replaced.push(prior.blob_id);
          put.run(e.key, id, e.expiration === undefined ? null : e.expiration * 1000);
        },
        onProgress,
      );
    },
    deleteMany(keys: readonly string[], onProgress?: (done: number, total: number) => void) {
      inTransactions(
        keys,
        (key, replaced) => {
          const row = remove.get(key) as { blob_id: string } | undefined;
          if (row) replaced.push(row.blob_id);
        },
        onProgress,
      );
    },
    close: () => db.close(),
  };
}

export async function openLocalKv(
  options: { persistTo?: string; via?: 'disk' | 'binding' } = {},
): Promise<{ store: KvStore; namespace: KVNamespace; close: () => Promise<void> }> {
  const kvDir = `${options.persistTo ?? DEFAULT_PERSIST}/v3/kv`;
  const namespaceId = newsNamespaceId();
  const mf = new Miniflare({
    modules: true,
    script: 'export default { fetch() { return new Response(null, { status: 204 }); } }',
    kvNamespaces: { NEWS: namespaceId },
    kvPersist: kvDir,
  });
  // Miniflare's KVNamespace is the runtime's own, typed by miniflare rather than workers-types.
  const kv = (await mf.getKVNamespace('NEWS')) as unknown as KVNamespace;
  const binding = bindingStore(kv, LOCAL_PARALLEL);
  if (options.via === 'binding')
    return { store: binding, namespace: kv, close: () => mf.dispose() };
  // One read makes Miniflare create the namespace's database and its table.
  await kv.get('\u0000');
  const disk = await diskWriter(kvDir, namespaceId);
  const store: KvStore = {
    ...binding,
    putMany: async (entries, onProgress) => disk.putMany(entries, onProgress),
    deleteMany: async (keys, onProgress) => disk.deleteMany(keys, onProgress),
  };
  return {
    store,
    namespace: kv,
    close: async () => {
      disk.close();
      await mf.dispose();
    },
  };
}
