/**
 * `npm run bench:publish`: what a publish costs at archive scale, incremental beside a full
 * rebuild. For each size: an archive of N articles (real text from ../shared/data where present,
 * beyond it generated with the same word-frequency shape: corpus.ts), published by the real
 * CLI into local KV (Miniflare, on disk); then deltas of 1,000 newer articles published with
 * `build:snapshot --incremental`; then a full rebuild of the archive plus the first delta.
 * Every run is the real `scripts/build.ts` in its own process, so its peak RSS is its own
 * (`/usr/bin/time -f %M`).
 *
 *   node scripts/bench/publish.ts [--sizes 100k,1m] [--delta 1000] [--kept 6] [--dir DIR]
 *                                 [--no-rebuild] [--heap MB]
 *
 * A full build runs with a bounded heap (`--heap`, default 1536 MB of old space): the build
 * streams (scripts/lib/stream-build.ts), and without a bound V8 lets garbage grow the RSS far
 * past what the build holds. `--no-rebuild` leaves out the full rebuild of the archive plus the
 * first delta (at 1M it is a second long full build) and compares the incremental run with the
 * archive's own full build instead.
 *
 * Prints keys and bytes written, time and peak RSS per run, the ratios, and the bytes of the
 * kept snapshots against one. Search with segments is measured by `npm run bench:search`.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import type { Article } from '../../src/core/content/article.ts';
import { runPipeline } from '../../src/core/content/pipeline.ts';
import type { KvStore } from '../../src/core/lib/kv-store.ts';
import { buildSnapshot, type BuiltSnapshot } from '../../src/core/snapshot/build.ts';
import { buildIncremental } from '../../src/core/snapshot/incremental.ts';
import { nextBuild, publishSnapshot, readPointer } from '../../src/core/snapshot/publish.ts';
import { openLocalKv } from '../lib/local-kv.ts';
import { formatBytes } from '../lib/progress.ts';
import { corpus, loadReal } from './corpus.ts';
import { writeJsonl } from '../lib/jsonl.ts';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100k' },
    delta: { type: 'string', default: '1000' },
    kept: { type: 'string', default: '6' },
    dir: { type: 'string' },
    // `memory`: every build in this process over an in-memory KvStore (keys and bytes are the
    // same; time and RSS then leave out KV's own writes). `local`: the real CLI into Miniflare.
    store: { type: 'string', default: 'local' },
    'no-rebuild': { type: 'boolean', default: false },
    heap: { type: 'string', default: '1536' },
  },
});

const parseSize = (s: string) => Number(s.replace(/k$/i, '000').replace(/m$/i, '000000'));
const sizes = values.sizes.split(',').map(parseSize);
const deltaSize = Number(values.delta);
const kept = Number(values.kept);
const log = (line: string) =>
  console.error(`[bench:publish ${new Date().toISOString().slice(11, 19)}] ${line}`);

interface Run {
  snapshot: string;
  articles: number;
  added: number;
  merged: number;
  keys_written: number;
  bytes_written: number;
  keys_reused: number;
  segments: number;
  ms: number;
  rss: number;
  /** CPU seconds (user + system) of the run's process and its threads. */
  cpu: number;
}

/** One `scripts/build.ts` run in its own process: its JSON line and its peak RSS (bytes). */
async function build(args: string[], label: string, heapMb?: number): Promise<Run> {
  log(
    `${label}: node scripts/build.ts ${args.join(' ').replaceAll(/\S*\/bench-publish-\S*\//g, '')}`,
  );
  const child = spawn(
    '/usr/bin/time',
    ['-f', 'peak-rss-kb %M cpu %U %S', process.execPath, 'scripts/build.ts', '--json', ...args],
    // An incremental build reads the live snapshot's lists and ids: no bound is set for it.
    { env: { ...process.env, NODE_OPTIONS: `--max-old-space-size=${heapMb ?? 20000}` } },
  );
  let stdout = '';
  let rss = 0;
  let cpu = 0;
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  let tail = '';
  child.stderr.on('data', (d: Buffer) => {
    tail += d.toString();
    const lines = tail.split('\n');
    tail = lines.pop() ?? '';
    for (const line of lines) {
      const peak = /^peak-rss-kb (\d+) cpu ([\d.]+) ([\d.]+)/.exec(line);
      if (peak) [rss, cpu] = [Number(peak[1]) * 1024, Number(peak[2]) + Number(peak[3])];
      else if (line.trim()) console.error(`    ${label} | ${line.trim()}`);
    }
  });
  const [code] = (await once(child, 'exit')) as [number];
  const peak = /peak-rss-kb (\d+) cpu ([\d.]+) ([\d.]+)/.exec(tail);
  if (peak) [rss, cpu] = [Number(peak[1]) * 1024, Number(peak[2]) + Number(peak[3])];
  if (code !== 0) throw new Error(`${label} failed (exit ${code})`);
  const run = {
    ...(JSON.parse(stdout.trim().split('\n').at(-1)!) as Omit<Run, 'rss' | 'cpu'>),
    rss,
    cpu,
  };
  log(
    `${label}: ${run.keys_written} keys, ${mib(run.bytes_written)}, ${(run.ms / 1000).toFixed(1)} s, CPU ${cpu.toFixed(0)} s, peak RSS ${mib(rss)}, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  return run;
}

const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(1)}x` : '-');

function makeCorpus(n: number) {
  log(`size ${n}: generating ${n} + ${(kept - 1) * deltaSize} articles`);
  const real = loadReal();
  const all = corpus(n + (kept - 1) * deltaSize, real, (done) => log(`  generated ${done}`));
  const archive = all.slice(0, n);
  const newest = archive.reduce((m, a) => (a.published > m ? a.published : m), '');
  // The deltas are news newer than the archive, a minute apart, at URLs of their own.
  const deltas = Array.from({ length: kept - 1 }, (_, d) =>
    all.slice(n + d * deltaSize, n + (d + 1) * deltaSize).map((a, i) => ({
      ...a,
      id: `d${d}-${i}`,
      url: `https://bench.example/delta/${d}/${i}`,
      published: new Date(Date.parse(newest) + (d * deltaSize + i + 1) * 60_000).toISOString(),
    })),
  );
  return { archive, deltas };
}

async function bench(n: number, root: string) {
  const { archive, deltas } = makeCorpus(n);
  const dir = join(root, String(n));
  await mkdir(dir, { recursive: true });
  const archiveFile = join(dir, 'archive.jsonl');
  await writeJsonl(archiveFile, archive);
  const deltaFiles = deltas.map((_, d) => join(dir, `delta-${d}.jsonl`));
  for (const [d, file] of deltaFiles.entries()) await writeJsonl(file, deltas[d]!);

  const kv = join(dir, 'kv');
  const heap = Number(values.heap);
  const full = await build(['--local', '--persist-to', kv, archiveFile], `full ${n}`, heap);
  const increments: Run[] = [];
  for (const [d, file] of deltaFiles.entries())
    increments.push(
      await build(['--local', '--persist-to', kv, '--incremental', file], `incremental ${d + 1}`),
    );
  const { store, close } = await openLocalKv({ persistTo: kv });
  const pointer = await readPointer(store);
  await close();
  const rebuild = values['no-rebuild']
    ? full
    : await build(
        ['--local', '--persist-to', join(dir, 'kv-rebuild'), archiveFile, deltaFiles[0]!],
        `full rebuild ${n} + ${deltaSize}`,
        heap,
      );
  return { n, full, increments, rebuild, snapshotBytes: pointer?.counts.bytes ?? 0 };
}

/** A KvStore over a Map: the values a publish writes, without any KV under them. */
function memoryStore(): KvStore {
  const data = new Map<string, string>();
  return {
    get: async (key) => data.get(key) ?? null,
    getMany: async (keys) => new Map(keys.map((k) => [k, data.get(k) ?? null])),
    putMany: async (entries) => void entries.forEach((e) => data.set(e.key, e.value)),
    list: async (prefix) => [...data.keys()].filter((k) => k.startsWith(prefix)).sort(),
    deleteMany: async (keys) => void keys.forEach((k) => data.delete(k)),
  };
}

const records = (articles: readonly Article[]) =>
  articles.map((a, i) => ({
    value: { ...a, url: a.url ?? `https://bench.example/${a.id}` },
    origin: { file: 'bench', line: i + 1 },
  }));

/** The same runs in this process over a memory store; RSS is the process's peak so far. */
async function benchInMemory(n: number) {
  const { archive, deltas } = makeCorpus(n);
  const store = memoryStore();
  const timed = async (label: string, run: () => Promise<BuiltSnapshot>): Promise<Run> => {
    log(label);
    const started = performance.now();
    const built = await run();
    const ms = performance.now() - started;
    const m = built.manifest;
    return {
      snapshot: built.id,
      articles: m.counts.articles,
      added: 0,
      merged: 0,
      keys_written: m.written.keys,
      bytes_written: m.written.bytes,
      keys_reused: m.written.reused,
      segments: m.search.segments.length,
      ms,
      rss: process.resourceUsage().maxRSS * 1024,
      cpu: 0,
    };
  };
  const publishFull = (list: readonly Article[], publish: boolean) => async () => {
    const { articles, stats } = runPipeline(records(list));
    const built = buildSnapshot(articles, stats, {
      base: await nextBuild(store, { dryRun: !publish }),
    });
    if (publish) await publishSnapshot(store, built);
    return built;
  };
  const full = await timed(`full ${n}`, publishFull(archive, true));
  const increments: Run[] = [];
  for (const [d, delta] of deltas.entries())
    increments.push(
      await timed(`incremental ${d + 1}`, async () => {
        const built = await buildIncremental(
          store,
          await nextBuild(store),
          runPipeline(records(delta)),
        );
        await publishSnapshot(store, built);
        return built;
      }),
    );
  const snapshotBytes = (await readPointer(store))?.counts.bytes ?? 0;
  const rebuild = await timed(
    `full rebuild ${n} + ${deltaSize}`,
    publishFull([...archive, ...deltas[0]!], false),
  );
  return { n, full, increments, rebuild, snapshotBytes };
}

async function main() {
  if (values.store === 'memory') {
    const results = [];
    for (const n of sizes) results.push(await benchInMemory(n));
    return report(results);
  }
  const root = values.dir ?? (await mkdtemp(join(tmpdir(), 'bench-publish-')));
  const results = [];
  try {
    for (const n of sizes) results.push(await bench(n, root));
  } finally {
    if (!values.dir) await rm(root, { recursive: true, force: true });
  }
  report(results);
}

interface Result {
  n: number;
  full: Run;
  increments: Run[];
  rebuild: Run;
  snapshotBytes: number;
}

function report(results: readonly Result[]) {
  const rows = [
    '| archive | run | keys written | bytes written | time | CPU | peak RSS |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  const against = values['no-rebuild'] ? 'full build' : 'rebuild';
  for (const r of results) {
    const first = r.increments[0]!;
    const line = (label: string, x: Run) =>
      `| ${r.n} | ${label} | ${x.keys_written} | ${mib(x.bytes_written)} | ${(x.ms / 1000).toFixed(1)} s | ${x.cpu.toFixed(0)} s | ${mib(x.rss)} |`;
    rows.push(line('full build', r.full));
    rows.push(line(`+${deltaSize}, incremental`, first));
    if (r.rebuild !== r.full) rows.push(line(`+${deltaSize}, full rebuild`, r.rebuild));
    rows.push(
      `| ${r.n} | ${against} / incremental | ${ratio(r.rebuild.keys_written, first.keys_written)} | ${ratio(r.rebuild.bytes_written, first.bytes_written)} | ${ratio(r.rebuild.ms, first.ms)} | ${ratio(r.rebuild.cpu, first.cpu)} | ${ratio(r.rebuild.rss, first.rss)} |`,
    );
    const stored = r.full.bytes_written + r.increments.reduce((s, x) => s + x.bytes_written, 0);
    console.error(
      `size ${r.n}: ${kept} kept snapshots (full + ${r.increments.length} incremental, each ${deltaSize} newer) store ${formatBytes(stored)} written in all, against ${formatBytes(r.snapshotBytes)} named by the newest one: ${(stored / r.snapshotBytes).toFixed(2)}x`,
    );
    console.error(
      `size ${r.n}: incremental runs ${r.increments.map((x) => `${x.keys_written} keys / ${mib(x.bytes_written)} / ${(x.ms / 1000).toFixed(1)} s`).join('; ')}`,
    );
  }
  console.log(rows.join('\n'));
  console.log(
    '\nSearch cold/warm with 1, 4 and 8 segments beside one compacted: npm run bench:search (search helper).',
  );
}

main().catch((error: unknown) => {
  console.error(`bench:publish failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
});
