/**
 * The engine alone, warm, in a process of its own: `node --expose-gc engine-warm.ts
 * <kv dir> <index ids, comma-separated, oldest segment first> <rounds>`. Parts are read from the benchmark's persisted local KV on
 * first use (the warm-up round), so this heap holds what an isolate would: the index cache
 * and the engine. Run inside the benchmark process instead, the gigabytes of corpus there
 * made every major garbage collection a long pause. Also each query on an empty cache, 5 times:
 * its CPU time (their median) and bytes read, medians over the mix. Warm: wall clock and CPU
 * time per query. Prints one JSON line.
 */
import { Miniflare } from 'miniflare';
import { searchKey } from '../../src/core/snapshot/keys.ts';
import { PartCache } from '../../src/core/lib/part-cache.ts';
import { parseQuery, SearchEngine, type SearchParams } from '../../src/core/search/query.ts';
import { coalesceReads, IndexReader } from '../../src/core/search/reader.ts';
import { SegmentSet } from '../../src/core/search/segments.ts';
import { INDEX_CACHE_BYTES } from '../../src/storage/search-index.ts';
import { warmUpEngine } from '../../src/core/search/warm-up.ts';
import { type BenchQuery, QUERIES } from './queries.ts';
import { percentile } from './stats.ts';

const [kvPersist, snapshot, roundsArg] = process.argv.slice(2);
if (!kvPersist || !snapshot) throw new Error('usage: engine-warm.ts <kv dir> <snapshot> <rounds>');
const rounds = Number(roundsArg ?? 20);

const mf = new Miniflare({
  modules: true,
  script: 'export default { fetch() { return new Response(null) } }',
  compatibilityDate: '2026-04-20',
  kvNamespaces: { NEWS: 'bench' },
  kvPersist,
});
const kv = await mf.getKVNamespace('NEWS');
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const cache = new PartCache(INDEX_CACHE_BYTES);
/**
 * The index's segments read as the Worker reads them (src/storage/search-index.ts
 * snapshotIndex): every segment's parts asked for in one turn go in one bulk get.
 */
function segments(into: PartCache, onBytes: (n: number) => void = () => undefined) {
  const read = coalesceReads(async (keys) => {
    const values = (await kv.get([...keys], 'text')) as Map<string, string | null>;
    for (const v of values.values()) onBytes(v?.length ?? 0);
    return values;
  });
  return new SegmentSet(
    snapshot!.split(',').map(
      (id) =>
        new IndexReader(
          id,
          async (names) => {
            const values = await read(names.map((n) => searchKey(id, n)));
            return new Map(names.map((n) => [n, values.get(searchKey(id, n)) ?? null]));
          },
          into,
        ),
    ),
  );
}
const engine = () => new SearchEngine(segments(cache));
const params = (q: BenchQuery): SearchParams => ({
  q: parseQuery(q.q),
  sort: 'relevance',
  limit: 10,
  offset: 0,
  lang: q.params?.lang,
  from: q.params?.from ? Date.parse(q.params.from) : undefined,
});
// Cold, each query of the mix on an empty cache: the CPU time of this process (parsing the
// parts, decoding, matching), which a loaded machine stretches less than the wall clock, and
// the bytes read. A query of the mix that finds nothing would be timed doing less than its
// kind's work.
// First execution of the engine's code, as the Worker does while its module loads.
await warmUpEngine();
const coldCpu: number[] = [];
const coldBytes: number[] = [];
/** Cold runs of each query (a fresh cache each): their median CPU time, so one run's noise does not decide a ratio. */
const COLD_REPEATS = 5;
for (const q of QUERIES) {
  const cpus: number[] = [];
  let bytes = 0;
  for (let k = 0; k < COLD_REPEATS; k++) {
    bytes = 0;
    const fresh = new SearchEngine(
      segments(new PartCache(INDEX_CACHE_BYTES), (n) => {
        bytes += n;
      }),
    );
    const cpu = process.cpuUsage();
    await fresh.search(params(q));
    const used = process.cpuUsage(cpu);
    cpus.push((used.user + used.system) / 1000);
  }
  coldCpu.push(percentile(cpus, 50));
  coldBytes.push(bytes);
  if ((await engine().search(params(q))).hits.length === 0)
    throw new Error(`bench: "${q.q}" (${q.kind}) found nothing in ${snapshot}`);
}
const times: number[] = [];
// CPU time of each warm query too: on a loaded machine the wall clock of a query that does
// no I/O measures the share of the cores this process got, the CPU time its work.
const cpuTimes: number[] = [];
const byKind = new Map<string, number[]>();
for (let r = 0; r < rounds; r++) {
  for (const q of QUERIES) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    await engine().search(params(q));
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    cpuTimes.push((used.user + used.system) / 1000);
    times.push(ms);
    byKind.set(q.kind, [...(byKind.get(q.kind) ?? []), ms]);
  }
}
gc?.();
const heapBytes = process.memoryUsage().heapUsed - heapBefore;
await mf.dispose();
const kinds = Object.fromEntries(
  [...byKind].map(([kind, xs]) => [kind, [percentile(xs, 50), percentile(xs, 95)]]),
);
console.log(
  JSON.stringify({
    warmP50: percentile(times, 50),
    warmP95: percentile(times, 95),
    warmP99: percentile(times, 99),
    warmCpuP50: percentile(cpuTimes, 50),
    warmCpuP95: percentile(cpuTimes, 95),
    cacheBytes: cache.bytes,
    heapBytes,
    coldCpuMs: percentile(coldCpu, 50),
    coldBytes: percentile(coldBytes, 50),
    kinds,
  }),
);
