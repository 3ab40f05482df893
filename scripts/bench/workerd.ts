/**
 * Running the real Worker (and the MiniSearch baseline Worker) in workerd through
 * Miniflare, on a persisted local KV directory: a new Miniflare instance is a fresh
 * isolate, so its first request is a cold query.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import {
  manifestKey,
  POINTER_KEY,
  searchKey,
  sectionsKey,
  sectionsV2Key,
} from '../../src/core/snapshot/keys.ts';
import { activateSnapshot, searchHead } from '../../src/core/snapshot/publish.ts';
import type { SearchPart } from '../../src/core/search/build.ts';
import type { ManifestV2, Pointer } from '../../src/core/snapshot/format.ts';
import type { KvEntry } from '../../src/core/lib/kv-store.ts';
import { bindingStore } from '../../src/storage/kv-binding.ts';
import { diskWriter } from '../lib/local-kv.ts';

const ROOT = join(import.meta.dirname, '..', '..');
/** The KV namespace id of `instance` (a directory name in its persisted KV). */
const BENCH_NAMESPACE = 'bench';

/** The Worker exactly as `wrangler deploy` would upload it. */
export function bundleApp(outdir: string): string {
  execFileSync(
    join(ROOT, 'node_modules', '.bin', 'wrangler'),
    ['deploy', '--dry-run', '--outdir', outdir],
    { cwd: ROOT, stdio: 'ignore' },
  );
  return join(outdir, 'index.js');
}

export async function bundleMiniSearchWorker(outdir: string): Promise<string> {
  const outfile = join(outdir, 'minisearch-worker.js');
  await build({
    entryPoints: [join(ROOT, 'scripts', 'bench', 'minisearch-worker.ts')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions: ['workerd', 'worker', 'import'],
    outfile,
    logLevel: 'silent',
  });
  return outfile;
}

/**
 * The Text modules of wrangler.toml's [[rules]] that wrangler wrote beside the script, named
 * `<sha1>-<file>.txt`, which the script imports by that name: part of the upload.
 */
export function textModules(scriptPath: string) {
  const dir = dirname(scriptPath);
  return readdirSync(dir)
    .filter((f) => /^[0-9a-f]{40}-.+\.txt$/.test(f))
    .map((f) => ({
      type: 'Text' as const,
      path: join(dir, f),
      contents: readFileSync(join(dir, f), 'utf8'),
    }));
}

/** `cachePersist`: the Workers cache on disk (shared by the instances given the same directory); off without it. */
export function instance(
  scriptPath: string,
  kvPersist: string,
  { inspectorPort, cachePersist }: { inspectorPort?: number; cachePersist?: string } = {},
): Miniflare {
  // Modules listed explicitly: Miniflare then takes the bundle as-is instead of tracing
  // optional dynamic imports of unused dependencies (hono-openapi's validator adapters).
  const texts = textModules(scriptPath);
  return new Miniflare({
    modules: [
      { type: 'ESModule', path: scriptPath, contents: readFileSync(scriptPath, 'utf8') },
      ...texts,
    ],
    compatibilityDate: '2026-04-20',
    kvNamespaces: { NEWS: BENCH_NAMESPACE },
    kvPersist,
    // The edge cache would answer repeated queries without searching.
    ...(cachePersist === undefined ? { cache: false } : { cachePersist }),
    bindings: {
      SITE_URL: 'http://localhost',
      SITE_TITLE: 'Bench',
      CACHE_MAX_AGE: '30',
      ADMIN_TOKEN: 'bench',
      TURNSTILE_SECRET: '',
    },
    ...(inspectorPort === undefined ? {} : { inspectorPort }),
  });
}

export interface IsolateMemory {
  /** V8 heap in use after a full collection, bytes. */
  heap: number;
  /** ArrayBuffer backing stores (the decoded posting lists' typed arrays live there), bytes. */
  buffers: number;
}

/**
 * The Worker isolate's memory inside workerd, through its V8 inspector: a heap snapshot runs a
 * full garbage collection first (the inspector's own collectGarbage does not answer in
 * workerd), then Runtime.getHeapUsage. Measured after one 404 and again after `paths`.
 */
export async function isolateMemory(
  scriptPath: string,
  kvPersist: string,
  paths: readonly string[],
  port = 9329,
): Promise<{ before: IsolateMemory; after: IsolateMemory }> {
  const mf = instance(scriptPath, kvPersist, { inspectorPort: port });
  try {
    await mf.ready;
    await (await mf.dispatchFetch('http://bench.local/warmup')).arrayBuffer();
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
      webSocketDebuggerUrl: string;
    }[];
    const ws = new WebSocket(targets[0]?.webSocketDebuggerUrl ?? '');
    await new Promise((resolve, reject) => {
      ws.addEventListener('open', resolve);
      ws.addEventListener('error', reject);
    });
    let id = 0;
    const waiting = new Map<number, (result: unknown) => void>();
    ws.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
      if (message.id !== undefined) waiting.get(message.id)?.(message.result);
    });
    const call = (method: string, params: object = {}) =>
      new Promise<unknown>((resolve) => {
        waiting.set(++id, resolve);
        ws.send(JSON.stringify({ id, method, params }));
      });
    const measure = async (): Promise<IsolateMemory> => {
      await call('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      const usage = (await call('Runtime.getHeapUsage')) as {
        usedSize: number;
        backingStorageSize: number;
      };
      return { heap: usage.usedSize, buffers: usage.backingStorageSize };
    };
    await call('HeapProfiler.enable');
    const before = await measure();
    for (const path of paths)
      await (await mf.dispatchFetch(`http://bench.local${path}`)).arrayBuffer();
    const after = await measure();
    ws.close();
    return { before, after };
  } finally {
    await mf.dispose();
  }
}

/**
 * The snapshot's sections value, empty: /v1/health (the benchmark's one-read floor) answers
 * 503 for a pointer whose snapshot has none, as after a prune (src/routes/feeds.ts).
 */
const NO_SECTIONS = JSON.stringify({ sections: [] });

/**
 * Writes values straight into the instance's persisted KV, in SQLite transactions
 * (scripts/lib/local-kv.ts diskWriter): through the binding a 1M-article index (~144k
 * values) took minutes to hours on a loaded machine. The Worker reads them through KV.
 */
export async function writeValues(
  mf: Miniflare,
  kvPersist: string,
  entries: readonly KvEntry[],
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  // One read makes Miniflare create the namespace's database.
  await (await mf.getKVNamespace('NEWS')).get('\u0000');
  const disk = await diskWriter(kvPersist, BENCH_NAMESPACE);
  try {
    disk.putMany(entries, onProgress);
  } finally {
    disk.close();
  }
}

/** Writes the parts and a pointer to them, as the snapshot publisher would. */
export async function seed(
  mf: Miniflare,
  kvPersist: string,
  snapshot: string,
  parts: readonly SearchPart[],
  docs: number,
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  await writeValues(
    mf,
    kvPersist,
    parts.map((p) => ({ key: searchKey(snapshot, p.part), value: p.value })),
    onProgress,
  );
  await pointAtIndex(mf, snapshot, docs, parts.length);
}

/**
 * A format-1 pointer at the index under `snapshot` (written by `seed`), and its search head:
 * what a publish of that snapshot leaves.
 */
export async function pointAtIndex(
  mf: Miniflare,
  snapshot: string,
  docs: number,
  keys: number,
): Promise<void> {
  const kv = await mf.getKVNamespace('NEWS');
  const now = new Date().toISOString();
  const pointer: Pointer = {
    // Format 1: the parts sit under the snapshot id (src/core/snapshot/keys.ts).
    format: 1,
    snapshot,
    built_at: now,
    published_at: now,
    counts: {
      articles: docs,
      read: docs,
      skipped: 0,
      merged: 0,
      grouped: 0,
      sections: 0,
      feed_pages: 0,
      keys,
      bytes: 0,
    },
  };
  await kv.put(sectionsKey(snapshot), NO_SECTIONS);
  await kv.put(POINTER_KEY, JSON.stringify(pointer));
  for (const head of searchHead([[snapshot, await kv.get(searchKey(snapshot, 'meta'))]]))
    await kv.put(head.key, head.value);
}

/** A listed search segment: what a manifest says of it. */
export interface ListedSegment {
  id: string;
  keys: number;
  bytes: number;
}

/**
 * A format-2 snapshot whose manifest lists these search segments (oldest first, their parts
 * already written), made live as a publish or a rollback makes it (publish.ts
 * activateSnapshot: the pointer and the search head). Only search is benchmarked on it: the
 * manifest lists no feeds.
 */
export async function pointAtSegments(
  mf: Miniflare,
  snapshot: string,
  segments: readonly ListedSegment[],
  docs: number,
): Promise<void> {
  const kv = (await mf.getKVNamespace('NEWS')) as unknown as KVNamespace;
  const now = new Date().toISOString();
  const keys = segments.reduce((n, s) => n + s.keys, 0);
  const counts = { articles: docs, read: docs, skipped: 0, merged: 0, grouped: 0, sections: 0 };
  const manifest: ManifestV2 = {
    format: 2,
    snapshot,
    built_at: now,
    counts: { ...counts, feed_pages: 0, keys, bytes: 0 },
    generation: 1,
    epoch: 1,
    parent: null,
    skip: [],
    lists: {},
    sections: 1,
    folded: 1,
    search: { segments: segments.map(({ id, keys, bytes }) => ({ id, keys, bytes })) },
    written: { keys, bytes: 0, reused: 0 },
  };
  await kv.put(sectionsV2Key(1), NO_SECTIONS);
  await kv.put(manifestKey(snapshot), JSON.stringify(manifest));
  await activateSnapshot(bindingStore(kv), snapshot);
}

export interface Timed {
  ms: number;
  serverTiming: Record<string, number>;
  reads: number;
  status: number;
  body: unknown;
}

export async function timedFetch(mf: Miniflare, path: string): Promise<Timed> {
  const started = performance.now();
  const res = await mf.dispatchFetch(`http://bench.local${path}`);
  const body: unknown = await res.json();
  const ms = performance.now() - started;
  const header = res.headers.get('server-timing') ?? '';
  const serverTiming: Record<string, number> = {};
  for (const m of header.matchAll(/(\w+);dur=([\d.]+)/g)) serverTiming[m[1]!] = Number(m[2]);
  const reads = Number(/"(\d+) reads/.exec(header)?.[1] ?? 0);
  return { ms, serverTiming, reads, status: res.status, body };
}
