/**
 * npm run bench:search [-- --sizes 10k,100k,1m --baselines-max 10k --cold 5 --rounds 30 --reuse
 *                         --segments 1,4,8]
 *
 * For each corpus size: build the chunked index, write it to a persisted local KV, then
 * query the real Worker in workerd (Miniflare): cold (first request of a fresh isolate)
 * and warm (a fixed query mix), and the same engine in a process of its own for memory. Beside it, in
 * the same run and on the same corpus and queries: MiniSearch as-is (one KV value,
 * `loadJSON`, cold in workerd where it fits in KV), FlexSearch, Orama and lunr in Node.
 * With `--segments`, each size is also measured as an index in that many segments (a base
 * and deltas of the newest DELTA_ARTICLES articles each, src/core/search/segments.ts) behind
 * a format-2 pointer, cold and warm, against one compacted segment (the `1` of the list).
 * Prints progress, per-size tables, ratios and a markdown summary (.wrangler/bench-search/search-results.md).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Article } from '../../src/core/content/article.ts';
import { buildSearchParts, type SearchPart } from '../../src/core/search/build.ts';
import { buildSegment, MAX_SEGMENTS, type SegmentMeta } from '../../src/core/search/segments.ts';
import type { SearchMeta } from '../../src/core/search/format.ts';
import { MANIFEST_PREFIX, searchKey } from '../../src/core/snapshot/keys.ts';
import type { ManifestV2 } from '../../src/core/snapshot/format.ts';
import {
  type BaselineResult,
  flexSearch,
  lunrLanguages,
  miniSearchAsIs,
  orama,
} from './baselines.ts';
import { corpus, DATA_DIR, loadReal, newerArticles } from './corpus.ts';
import { QUERIES, searchPath } from './queries.ts';
import { median, percentile } from './stats.ts';
import {
  bundleApp,
  bundleMiniSearchWorker,
  instance,
  isolateMemory,
  type ListedSegment,
  pointAtIndex,
  pointAtSegments,
  seed,
  timedFetch,
  writeValues,
  type Timed,
} from './workerd.ts';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10k,100k' },
    'baselines-max': { type: 'string', default: '10k' },
    cold: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '20' },
    // Measure again on the index an earlier run built and wrote (sizes above --baselines-max
    // only), if the code that builds the index and the corpus is unchanged.
    reuse: { type: 'boolean', default: false },
    // With --reuse: also reuse an index built by other build code (the figures then say so).
    'reuse-stale': { type: 'boolean', default: false },
    segments: { type: 'string', default: '' },
    // Only the segment sets of more than one segment (another run measures the rest; the
    // 1M builds can then run side by side).
    'segments-only': { type: 'boolean', default: false },
    // Where bundles, local KV directories and results go (two runs side by side need two).
    out: { type: 'string', default: '' },
    // The segment sets grown from an index another build wrote instead of one built here
    // (bench:publish's streaming 1M build: the in-memory build of this script outgrows a 12 GB
    // heap at 1M). A local KV directory under this checkout (workerd refuses paths outside
    // it) that this run may write pointers into, so a copy; and the index id (a manifest's
    // search.segments[0].id). Only the segment sets are measured, the `1` being that index.
    'base-kv': { type: 'string', default: '' },
    'base-index': { type: 'string', default: '' },
  },
});
const segmentCounts = (args.segments ?? '').split(',').filter(Boolean).map(Number);
/** Articles per delta segment: one incremental publish of the archive-scale target. */
const DELTA_ARTICLES = 1_000;
/** Deltas of the largest set: more, and the merge policy merges them (segments.ts planMerge). */
const MAX_DELTAS = MAX_SEGMENTS - 1;

const parseSize = (s: string) =>
  Math.round(Number.parseFloat(s) * (/m$/i.test(s) ? 1_000_000 : /k$/i.test(s) ? 1_000 : 1));
const sizes = (args.sizes ?? '').split(',').filter(Boolean).map(parseSize);
const baselinesMax = parseSize(args['baselines-max'] ?? '10k');
const coldSamples = Number(args.cold);
const rounds = Number(args.rounds);
const KV_VALUE_LIMIT = 25 * 1024 * 1024;
// Under .wrangler/ (ignored by git and eslint): bundles, local KV directories, results.
const OUT = args.out || join(import.meta.dirname, '..', '..', '.wrangler', 'bench-search');
mkdirSync(OUT, { recursive: true });

/** The code that decides what the index holds: a reused index must have been built by it. */
const BUILD_CODE = createHash('sha256')
  .update(
    ['build', 'format', 'analyze', 'options', 'ukrainian']
      .map((f) =>
        readFileSync(
          join(import.meta.dirname, '..', '..', 'src', 'core', 'search', `${f}.ts`),
          'utf8',
        ),
      )
      .join('\0'),
  )
  .update(readFileSync(join(import.meta.dirname, 'corpus.ts'), 'utf8'))
  .digest('hex');
/** What decides a delta segment besides BUILD_CODE: segments.ts and this file's layout of them. */
const DELTA_CODE = createHash('sha256')
  .update(BUILD_CODE)
  .update(
    readFileSync(
      join(import.meta.dirname, '..', '..', 'src', 'core', 'search', 'segments.ts'),
      'utf8',
    ),
  )
  .update(`${DELTA_ARTICLES}/${MAX_DELTAS}`)
  .digest('hex');
/** Whether an index built by `code` may be measured again in this run. */
const reusable = (code: string | undefined, own: string) =>
  args.reuse === true && code !== undefined && (code === own || args['reuse-stale'] === true);

const t0 = performance.now();
const log = (msg: string) =>
  console.log(`[${((performance.now() - t0) / 1000).toFixed(0).padStart(5)}s] ${msg}`);
const label = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1_000}k`);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const f1 = (n: number) => n.toFixed(1);

interface Built {
  buildMs: number;
  parts: number;
  totalBytes: number;
  largestBytes: number;
}

interface SizeResult {
  size: number;
  /** False in a --segments-only run: only `segments` was measured. */
  main: boolean;
  buildMs: number;
  parts: number;
  totalBytes: number;
  largestBytes: number;
  cold: {
    firstMs: number;
    ms: number;
    pointer: number;
    kv: number;
    parse: number;
    total: number;
    reads: number;
    oneReadMs: number;
  };
  warm: { p50: number; p95: number; p99: number; floorP50: number; floorP95: number };
  node: {
    warmP50: number;
    warmP95: number;
    warmP99: number;
    warmCpuP50: number;
    warmCpuP95: number;
    cacheBytes: number;
    heapBytes: number;
    coldCpuMs: number;
    coldBytes: number;
  };
  /** Growth of the Worker isolate's memory in workerd over the mix: V8 heap and ArrayBuffer stores. */
  isolate: { heap: number; buffers: number };
  baselines: (BaselineResult & {
    coldWorkerdMs?: number;
    firstWorkerdMs?: number;
    fits: boolean;
  })[];
  segments: SegmentsResult[];
}

interface SegmentsResult {
  segments: number;
  /** Articles the set holds (above SPLIT_MAX, more than the compacted index: see benchSegments). */
  articles: number;
  buildMs: number;
  parts: number;
  firstMs: number;
  coldMs: number;
  reads: number;
  warm: SizeResult['warm'];
  engineP50: number;
  engineP95: number;
  /** CPU time per warm query of the engine (what a loaded machine's wall clock hides). */
  engineCpuP50: number;
  engineCpuP95: number;
  /** The engine on an empty cache in a process of its own: CPU time and bytes read (medians). */
  engineColdCpu: number;
  engineColdBytes: number;
}

/** The warm mix through workerd's dispatch, beside a 404 through the same dispatch. */
async function warmRuns(mf: ReturnType<typeof instance>): Promise<SizeResult['warm']> {
  for (const q of QUERIES) await timedFetch(mf, searchPath(q));
  const warmTimes: number[] = [];
  for (let r = 0; r < rounds; r++)
    for (const q of QUERIES) warmTimes.push((await timedFetch(mf, searchPath(q))).ms);
  // The same path with no work behind it (a 404: no KV, no search), to read the rest against.
  const floorTimes: number[] = [];
  for (let r = 0; r < rounds * QUERIES.length; r++)
    floorTimes.push((await timedFetch(mf, '/warmup')).ms);
  return {
    p50: percentile(warmTimes, 50),
    p95: percentile(warmTimes, 95),
    p99: percentile(warmTimes, 99),
    floorP50: percentile(floorTimes, 50),
    floorP95: percentile(floorTimes, 95),
  };
}

/** The engine alone in a process of its own over these index ids (engine-warm.ts). */
function engineWarm(persist: string, ids: string) {
  const child = execFileSync(
    process.execPath,
    ['--expose-gc', join(import.meta.dirname, 'engine-warm.ts'), persist, ids, String(rounds)],
    { encoding: 'utf8' },
  );
  return JSON.parse(child.trim().split('\n').at(-1) ?? '{}') as SizeResult['node'] & {
    kinds?: Record<string, [number, number]>;
  };
}

const indexId = (parts: readonly SearchPart[]) => {
  const hash = createHash('sha256');
  for (const p of parts) hash.update(p.value);
  return `x${hash.digest('hex').slice(0, 16)}`;
};

/** A segment of a benchmark set, as its manifest lists it, with its meta. */
type BuiltListed = ListedSegment & SegmentMeta;

/**
 * What a segment set's KV directory holds (its marker, `bench-segments.json`): a base of
 * all but the newest MAX_DELTAS × DELTA_ARTICLES articles, and for each count its deltas.
 */
interface SegmentsBuilt {
  buildCode: string;
  baseMs: number;
  base: BuiltListed;
  sets: Record<string, { deltaCode: string; buildMs: number; deltas: BuiltListed[] }>;
}

const listed = (id: string, parts: readonly SearchPart[], meta: SearchMeta): BuiltListed => ({
  id,
  meta,
  keys: parts.length,
  bytes: parts.reduce((k, p) => k + p.bytes, 0),
});

const snapshotFor = (count: number, n: number) =>
  `20261127T0000${String(count).padStart(2, '0')}Z-${n.toString(16).padStart(8, '0').slice(-8)}`;

/**
 * Above this size the segment sets grow the compacted index instead of splitting it (a
 * second build of nearly the whole corpus took longer than a run could wait on a shared
 * machine: the 100k index alone needed 20+ minutes there).
 */
const SPLIT_MAX = 10_000;

/**
 * An index in `count` segments behind a format-2 pointer, cold and warm, against the
 * compacted index (one segment: the size's own, in its directory). More segments are a
 * base and deltas built as an incremental publish builds them: the newest `count - 2` of
 * DELTA_ARTICLES articles each and, before them, one delta over the rest of the
 * MAX_DELTAS × DELTA_ARTICLES, as the merge policy leaves a set whose deltas were merged
 * (segments.ts planMerge).
 * - Up to SPLIT_MAX articles, the same articles: a base of all but the newest MAX_DELTAS ×
 *   DELTA_ARTICLES (built once, shared by every count), the deltas over those newest.
 * - Above, the base is the compacted index itself and the deltas add MAX_DELTAS ×
 *   DELTA_ARTICLES newer generated articles (corpus.ts newerArticles): 7% more articles than
 *   the compacted index they are compared with at 100k, 0.7% at 1M.
 */
async function benchSegments(
  n: number,
  real: readonly Article[],
  articles: () => readonly Article[],
  appScript: string,
  paths: string[],
  compacted:
    | {
        persist: string;
        snapshot: string;
        built: Built;
        meta: () => Promise<SearchMeta>;
        /** Documents of the compacted index when not `n` (an index another build wrote). */
        docs?: number;
      }
    | undefined,
): Promise<SegmentsResult[]> {
  const out: SegmentsResult[] = [];
  const grow = n > SPLIT_MAX;
  if (grow && !compacted)
    throw new Error(`bench: above ${SPLIT_MAX} the segments grow the compacted index`);
  const persist = grow ? compacted!.persist : join(OUT, `kv-${label(n)}-segments`);
  const marker = join(persist, 'bench-segments.json');
  let built: SegmentsBuilt | undefined = existsSync(marker)
    ? (JSON.parse(readFileSync(marker, 'utf8')) as SegmentsBuilt)
    : undefined;
  const byDate = () =>
    [...articles()].sort(
      (a, b) => Date.parse(a.published) - Date.parse(b.published) || (a.id < b.id ? -1 : 1),
    );
  const baseSize = grow ? (compacted!.docs ?? n) : n - MAX_DELTAS * DELTA_ARTICLES;
  /** The articles the deltas hold, oldest first. */
  const newer = async () =>
    grow
      ? newerArticles(MAX_DELTAS * DELTA_ARTICLES, real, (await compacted!.meta()).newest)
      : byDate().slice(baseSize);
  const compactedListing = async (): Promise<BuiltListed> => ({
    id: compacted!.snapshot,
    meta: await compacted!.meta(),
    keys: compacted!.built.parts,
    bytes: compacted!.built.totalBytes,
  });
  /** Built in this run: reused by every count whatever --reuse says. */
  const fresh = new Set<string>();
  for (const count of segmentCounts) {
    let dir = persist;
    let set: BuiltListed[];
    let buildMs: number;
    let docs = compacted?.docs ?? n;
    if (count === 1) {
      if (!compacted) continue;
      dir = compacted.persist;
      set = [await compactedListing()];
      buildMs = compacted.built.buildMs;
      log(`   1 segment: the compacted index of ${n}`);
    } else {
      docs = baseSize + MAX_DELTAS * DELTA_ARTICLES;
      if (grow) {
        // The base is the compacted index itself, never built here (building it in its place
        // would remove the compacted index's directory); deltas grown on another index, or
        // by other build code without --reuse, are grown again.
        if (
          !built ||
          built.base.id !== compacted!.snapshot ||
          (!fresh.has('base') && !reusable(built.buildCode, BUILD_CODE))
        ) {
          built = { buildCode: BUILD_CODE, baseMs: 0, base: await compactedListing(), sets: {} };
          fresh.add('base');
        }
      } else if (!built || (!fresh.has('base') && !reusable(built.buildCode, BUILD_CODE))) {
        log(`   building the base of ${baseSize} articles (shared by every count)`);
        rmSync(persist, { recursive: true, force: true });
        const started = performance.now();
        const base = buildSegment(byDate().slice(0, baseSize));
        const baseMs = performance.now() - started;
        const id = indexId(base.parts);
        const writer = instance(appScript, persist);
        await writeValues(
          writer,
          persist,
          base.parts.map((p) => ({ key: searchKey(id, p.part), value: p.value })),
        );
        await writer.dispose();
        built = {
          buildCode: BUILD_CODE,
          baseMs,
          base: listed(id, base.parts, base.meta),
          sets: {},
        };
        fresh.add('base');
        writeFileSync(marker, JSON.stringify(built));
        log(`     base built in ${f1(baseMs / 1000)} s: ${base.parts.length} parts`);
      }
      const cached = built.sets[count];
      if (cached && (fresh.has(String(count)) || reusable(cached.deltaCode, DELTA_CODE))) {
        set = [built.base, ...cached.deltas];
        buildMs = built.baseMs + cached.buildMs;
        log(`   ${count} segments: reusing ${persist}`);
      } else {
        const deltas = count - 1;
        const sizes = [MAX_DELTAS - deltas + 1, ...Array<number>(deltas - 1).fill(1)].map(
          (k) => k * DELTA_ARTICLES,
        );
        log(
          `   ${count} segments: a base of ${baseSize} and deltas of ${sizes.join(', ')}${grow ? ' newer articles' : ''}`,
        );
        const writer = instance(appScript, persist);
        const kv = await writer.getKVNamespace('NEWS');
        const read = (id: string, part: string) => kv.get(searchKey(id, part));
        const tail = await newer();
        set = [built.base];
        const started = performance.now();
        let from = 0;
        for (const size of sizes) {
          const delta = await buildSegment(tail.slice(from, from + size), { base: set, read });
          from += size;
          const id = indexId(delta.parts);
          await writeValues(
            writer,
            persist,
            delta.parts.map((p) => ({ key: searchKey(id, p.part), value: p.value })),
          );
          set.push(listed(id, delta.parts, delta.meta));
        }
        await writer.dispose();
        const deltasMs = performance.now() - started;
        buildMs = built.baseMs + deltasMs;
        built.sets[count] = { deltaCode: DELTA_CODE, buildMs: deltasMs, deltas: set.slice(1) };
        fresh.add(String(count));
        writeFileSync(marker, JSON.stringify(built));
      }
    }
    const snapshot = snapshotFor(count, n);
    const writer = instance(appScript, dir);
    await pointAtSegments(writer, snapshot, set, docs);
    await writer.dispose();
    const first = await coldRuns(appScript, dir, paths);
    await first.last.dispose();
    const { runs, last } = await coldRuns(appScript, dir, paths, '/warmup');
    const warm = await warmRuns(last);
    await last.dispose();
    const engine = engineWarm(dir, set.map((s) => s.id).join(','));
    const result: SegmentsResult = {
      segments: count,
      articles: docs,
      buildMs,
      parts: set.reduce((k, s) => k + s.keys, 0),
      firstMs: median(first.runs.map((r) => r.ms)),
      coldMs: median(runs.map((r) => r.ms)),
      reads: median(runs.map((r) => r.reads)),
      warm,
      engineP50: engine.warmP50,
      engineP95: engine.warmP95,
      engineCpuP50: engine.warmCpuP50,
      engineCpuP95: engine.warmCpuP95,
      engineColdCpu: engine.coldCpuMs,
      engineColdBytes: engine.coldBytes,
    };
    log(
      `     engine cold CPU ${f1(engine.coldCpuMs)} ms, ${f1(engine.coldBytes / 1024)} KB read (medians); first request ${first.runs.map((r) => f1(r.ms)).join(', ')} ms; index-cold ${runs.map((r) => f1(r.ms)).join(', ')} ms (${runs.map((r) => r.reads).join(', ')} reads); warm p50/p95 ${f1(warm.p50)} / ${f1(warm.p95)} ms (workerd), ${f1(engine.warmP50)} / ${f1(engine.warmP95)} ms (engine), CPU ${f1(engine.warmCpuP50)} / ${f1(engine.warmCpuP95)} ms`,
    );
    out.push(result);
  }
  return out;
}

/**
 * One query per fresh workerd isolate. With `warmup`, the isolate first answers that path
 * (module evaluation and JIT of the routing done, no index part loaded): the query is then
 * index-cold; without it, the query is the isolate's very first request.
 */
async function coldRuns(
  script: string,
  persist: string,
  paths: string[],
  warmup?: string,
): Promise<{ runs: Timed[]; last: ReturnType<typeof instance> }> {
  const runs: Timed[] = [];
  let last = instance(script, persist);
  for (let k = 0; k < paths.length; k++) {
    if (k > 0) {
      await last.dispose();
      last = instance(script, persist);
    }
    await last.ready;
    if (warmup !== undefined)
      await (await last.dispatchFetch(`http://bench.local${warmup}`)).arrayBuffer();
    const run = await timedFetch(last, paths[k]!);
    if (run.status !== 200)
      throw new Error(`bench: ${paths[k]} answered ${run.status}: ${JSON.stringify(run.body)}`);
    runs.push(run);
  }
  return { runs, last };
}

/** An index another build wrote into a local KV (--base-kv): its meta, and its keys and bytes as a manifest lists them. */
async function writtenIndex(appScript: string, persist: string, id: string) {
  const mf = instance(appScript, persist);
  const kv = await mf.getKVNamespace('NEWS');
  const raw = await kv.get(searchKey(id, 'meta'));
  if (raw === null) throw new Error(`bench: no index ${id} in ${persist}`);
  const meta = JSON.parse(raw) as SearchMeta;
  let listed: { id: string; keys: number; bytes: number } | undefined;
  for (const { name } of (await kv.list({ prefix: MANIFEST_PREFIX })).keys) {
    const manifest = JSON.parse((await kv.get(name)) ?? '{}') as ManifestV2;
    listed ??= manifest.search?.segments.find((s) => s.id === id);
  }
  await mf.dispose();
  if (!listed) throw new Error(`bench: no manifest in ${persist} lists the index ${id}`);
  log(
    `== index ${id} of ${persist}: ${meta.docs} articles, ${listed.keys} parts, ${mb(listed.bytes)}`,
  );
  return {
    persist,
    snapshot: id,
    docs: meta.docs,
    built: { buildMs: 0, parts: listed.keys, totalBytes: listed.bytes, largestBytes: 0 },
    meta: () => Promise.resolve(meta),
  };
}

async function benchSize(
  n: number,
  real: readonly Article[],
  appScript: string,
  miniScript: string,
): Promise<SizeResult> {
  const persist = join(OUT, `kv-${label(n)}`);
  const snapshot = `20261127T000000Z-${n.toString(16).padStart(8, '0').slice(-8)}`;
  const marker = join(persist, 'bench-build.json');
  const paths = Array.from({ length: coldSamples }, (_, k) =>
    searchPath(QUERIES[k % QUERIES.length]!),
  );
  const previous = existsSync(marker)
    ? (JSON.parse(readFileSync(marker, 'utf8')) as Built & { buildCode: string })
    : undefined;
  let built: Built;
  let articles: Article[] = [];
  const corpusOf = () => {
    if (articles.length === 0) {
      log(`== ${label(n)} articles: corpus`);
      articles = corpus(n, real, (done) => log(`   generated ${done}`));
      log(`   ${Math.min(real.length, n)} real + ${Math.max(0, n - real.length)} generated`);
    }
    return articles;
  };
  if (args['segments-only']) {
    const segments = await benchSegments(n, real, corpusOf, appScript, paths, undefined);
    return { size: n, segments, main: false, baselines: [] } as unknown as SizeResult;
  }
  if (args['base-kv']) {
    const segments = await benchSegments(
      n,
      real,
      corpusOf,
      appScript,
      paths,
      await writtenIndex(appScript, args['base-kv'], args['base-index'] ?? ''),
    );
    return { size: n, segments, main: false, baselines: [] } as unknown as SizeResult;
  }
  if (n > baselinesMax && reusable(previous?.buildCode, BUILD_CODE)) {
    built = previous!;
    log(
      `== ${label(n)} articles: reusing the index in ${persist} (built in ${f1(built.buildMs / 1000)} s by ${previous?.buildCode === BUILD_CODE ? 'the same build code' : `OTHER build code, ${previous?.buildCode.slice(0, 12)}`})`,
    );
  } else {
    if (args.reuse)
      log(
        `   cannot reuse ${persist}: ${n <= baselinesMax ? 'the baselines need the corpus' : previous ? 'the index build code changed since' : 'no earlier build'}`,
      );
    corpusOf();
    log('   building the index');
    const started = performance.now();
    const parts = buildSearchParts(articles, (done, total) => {
      if (done % 100_000 < 4_000 || done === total) log(`   indexed ${done}/${total}`);
    });
    const sizesOf = parts.map((p) => p.bytes);
    built = {
      buildMs: performance.now() - started,
      parts: parts.length,
      totalBytes: sizesOf.reduce((a, b) => a + b, 0),
      largestBytes: sizesOf.reduce((a, b) => Math.max(a, b), 0),
    };
    log(
      `   built in ${f1(built.buildMs / 1000)} s: ${built.parts} parts, ${mb(built.totalBytes)}, largest ${mb(built.largestBytes)}`,
    );
    rmSync(persist, { recursive: true, force: true });
    const writer = instance(appScript, persist);
    await seed(writer, persist, snapshot, parts, n, (done, total) =>
      log(`   wrote ${done}/${total} parts to local KV`),
    );
    await writer.dispose();
    writeFileSync(marker, JSON.stringify({ ...built, buildCode: BUILD_CODE }));
  }
  const { buildMs, totalBytes, largestBytes } = built;
  {
    // The segment sets re-point this directory: point it at the one index again.
    const writer = instance(appScript, persist);
    await pointAtIndex(writer, snapshot, n, built.parts);
    await writer.dispose();
  }

  log(`   cold queries in fresh workerd isolates (${coldSamples})`);
  const first = await coldRuns(appScript, persist, paths);
  await first.last.dispose();
  for (const r of first.runs)
    log(
      `     first request: ${f1(r.ms)} ms, ${r.reads} reads, server ${JSON.stringify(r.serverTiming)}`,
    );
  const { runs, last } = await coldRuns(appScript, persist, paths, '/warmup');
  for (const r of runs)
    log(
      `     index-cold:    ${f1(r.ms)} ms, ${r.reads} reads, server ${JSON.stringify(r.serverTiming)}`,
    );
  // The floor of this machine: one KV read (the pointer, via /v1/health) in a fresh isolate.
  const floor = await coldRuns(
    appScript,
    persist,
    paths.map(() => '/v1/health'),
    '/warmup',
  );
  await floor.last.dispose();
  const st = (key: string) => median(runs.map((r) => r.serverTiming[key] ?? 0));
  const cold = {
    firstMs: median(first.runs.map((r) => r.ms)),
    ms: median(runs.map((r) => r.ms)),
    pointer: st('pointer'),
    kv: st('kv'),
    parse: st('parse'),
    total: st('total'),
    reads: median(runs.map((r) => r.reads)),
    oneReadMs: median(floor.runs.map((r) => r.ms)),
  };
  log(
    `     one KV read in a fresh isolate (health): ${floor.runs.map((r) => f1(r.ms)).join(', ')} ms`,
  );

  log(`   warm queries (${rounds} rounds of ${QUERIES.length})`);
  const warm = await warmRuns(last);
  await last.dispose();
  log(
    `     workerd warm p50/p95 ${f1(warm.p50)} / ${f1(warm.p95)} ms; a 404 through the same dispatch ${f1(warm.floorP50)} / ${f1(warm.floorP95)} ms`,
  );

  log('   isolate memory inside workerd (V8 inspector), before and after two rounds of the mix');
  const memory = await isolateMemory(appScript, persist, [...QUERIES, ...QUERIES].map(searchPath));
  const isolate = {
    heap: memory.after.heap - memory.before.heap,
    buffers: memory.after.buffers - memory.before.buffers,
  };
  log(
    `     heap ${mb(memory.before.heap)} -> ${mb(memory.after.heap)}, array buffers ${mb(memory.before.buffers)} -> ${mb(memory.after.buffers)}`,
  );

  log('   same engine in a process of its own: memory and pure query time');
  const node = engineWarm(persist, snapshot);
  for (const [kind, [p50, p95]] of Object.entries(node.kinds ?? {}))
    log(`     engine warm ${kind.padEnd(16)} p50 ${f1(p50)} ms, p95 ${f1(p95)} ms`);

  const baselines: SizeResult['baselines'] = [];
  if (n <= baselinesMax) {
    log('   baseline: MiniSearch as-is');
    const mini = await miniSearchAsIs(articles, QUERIES);
    const fits = mini.bytes <= KV_VALUE_LIMIT;
    let coldWorkerdMs: number | undefined;
    let firstWorkerdMs: number | undefined;
    if (fits) {
      const msPersist = join(OUT, `kv-minisearch-${label(n)}`);
      rmSync(msPersist, { recursive: true, force: true });
      const w = instance(miniScript, msPersist);
      await (await w.getKVNamespace('NEWS')).put('bench:minisearch', mini.json);
      await w.dispose();
      const msPaths = Array.from(
        { length: coldSamples },
        (_, k) => `/?q=${encodeURIComponent(QUERIES[k % QUERIES.length]!.q)}`,
      );
      const msFirst = await coldRuns(miniScript, msPersist, msPaths);
      await msFirst.last.dispose();
      firstWorkerdMs = median(msFirst.runs.map((r) => r.ms));
      const msCold = await coldRuns(miniScript, msPersist, msPaths, '/health');
      await msCold.last.dispose();
      coldWorkerdMs = median(msCold.runs.map((r) => r.ms));
      log(
        `     first request: ${msFirst.runs.map((r) => f1(r.ms)).join(', ')} ms; index-cold: ${msCold.runs.map((r) => f1(r.ms)).join(', ')} ms`,
      );
    } else {
      log(`     ${mb(mini.bytes)}: over KV's 25 MiB per value, cannot be deployed as-is`);
    }
    const { json: _json, ...rest } = mini;
    baselines.push({
      ...rest,
      fits,
      ...(coldWorkerdMs === undefined ? {} : { coldWorkerdMs }),
      ...(firstWorkerdMs === undefined ? {} : { firstWorkerdMs }),
    });
    for (const [name, run] of [
      ['FlexSearch', flexSearch],
      ['Orama', orama],
      ['lunr', lunrLanguages],
    ] as const) {
      log(`   baseline: ${name}`);
      const result = await run(articles, QUERIES);
      baselines.push({ ...result, fits: result.bytes <= KV_VALUE_LIMIT });
    }
  }
  let segments: SegmentsResult[] = [];
  if (segmentCounts.length > 0) {
    log(`   the same articles in segments: ${segmentCounts.join(', ')}`);
    segments = await benchSegments(n, real, corpusOf, appScript, paths, {
      persist,
      snapshot,
      built,
      meta: async () => {
        const mf = instance(appScript, persist);
        const raw = await (await mf.getKVNamespace('NEWS')).get(searchKey(snapshot, 'meta'));
        await mf.dispose();
        return JSON.parse(raw ?? 'null') as SearchMeta;
      },
    });
  }
  return {
    main: true,
    segments,
    size: n,
    buildMs,
    parts: built.parts,
    totalBytes,
    largestBytes,
    cold,
    warm,
    node,
    isolate,
    baselines,
  };
}

function report(results: SizeResult[]): string {
  const lines: string[] = [];
  lines.push(
    '| articles | build | KV total | largest value | parts | cold: first request of isolate | cold: index-cold query | KV round trips | one KV read (floor) | warm p50 / p95 / p99 (workerd, incl. dispatch) | dispatch alone p50 / p95 (a 404) | warm p50 / p95 / p99 (engine, own process) | index cache | isolate growth in workerd: heap + array buffers |',
  );
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results.filter((x) => x.main)) {
    lines.push(
      `| ${label(r.size)} | ${f1(r.buildMs / 1000)} s | ${mb(r.totalBytes)} | ${mb(r.largestBytes)} | ${r.parts} | ${f1(r.cold.firstMs)} ms | ${f1(r.cold.ms)} ms | ${r.cold.reads} | ${f1(r.cold.oneReadMs)} ms | ` +
        `${f1(r.warm.p50)} / ${f1(r.warm.p95)} / ${f1(r.warm.p99)} ms | ${f1(r.warm.floorP50)} / ${f1(r.warm.floorP95)} ms | ${f1(r.node.warmP50)} / ${f1(r.node.warmP95)} / ${f1(r.node.warmP99)} ms | ${mb(r.node.cacheBytes)} | ${mb(r.isolate.heap)} + ${mb(r.isolate.buffers)} |`,
    );
  }
  for (const r of results.filter((x) => x.baselines.length > 0)) {
    lines.push(
      '',
      `Baselines at ${label(r.size)} articles (same corpus, same ${QUERIES.length} queries):`,
      '',
    );
    lines.push(
      '| engine | build | one value | fits KV | load (Node) | cold first request / index-cold (workerd) | query p50 / p95 (Node) | hits/mix | cold ratio them/us (index-cold) |',
    );
    lines.push('|---|---|---|---|---|---|---|---|---|');
    lines.push(
      `| chunked MiniSearch (this) | ${f1(r.buildMs / 1000)} s | ${mb(r.largestBytes)} largest | yes | reads parts | ${f1(r.cold.firstMs)} / ${f1(r.cold.ms)} ms | ${f1(r.node.warmP50)} / ${f1(r.node.warmP95)} ms | | 1.0 |`,
    );
    for (const b of r.baselines) {
      const ratio =
        b.coldWorkerdMs === undefined
          ? `load alone ${f1(b.loadMs / r.cold.ms)}x`
          : `${f1(b.coldWorkerdMs / r.cold.ms)}x`;
      const cold =
        b.coldWorkerdMs === undefined
          ? '-'
          : `${f1(b.firstWorkerdMs ?? 0)} / ${f1(b.coldWorkerdMs)} ms`;
      lines.push(
        `| ${b.engine} | ${f1(b.buildMs / 1000)} s | ${mb(b.bytes)} | ${b.fits ? 'yes' : 'no'} | ${f1(b.loadMs)} ms | ${cold} | ${f1(b.queryP50)} / ${f1(b.queryP95)} ms | ${b.hits} | ${ratio} |`,
      );
    }
  }
  for (const r of results.filter((x) => x.segments.length > 0)) {
    const compacted = r.segments.find((x) => x.segments === 1);
    lines.push(
      '',
      `Segments at ${label(r.size)} articles (a base plus deltas of ${DELTA_ARTICLES} articles, format-2 pointer; ratio of index-cold medians against the compacted index${r.size > SPLIT_MAX ? `; the deltas add ${MAX_DELTAS * DELTA_ARTICLES} newer articles to it` : ''}):`,
      '',
      '| segments | articles | build | parts | cold first request | cold index-cold | ratio | KV round trips | engine cold: CPU / bytes read | warm p50 / p95 (workerd) | warm p50 / p95 (engine) | warm CPU p50 / p95 (engine) |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const x of r.segments)
      lines.push(
        `| ${x.segments} | ${x.articles} | ${f1(x.buildMs / 1000)} s | ${x.parts} | ${f1(x.firstMs)} ms | ${f1(x.coldMs)} ms | ${compacted ? `${(x.coldMs / compacted.coldMs).toFixed(2)}x` : '-'} | ${x.reads} | ${f1(x.engineColdCpu)} ms / ${f1(x.engineColdBytes / 1024)} KB | ${f1(x.warm.p50)} / ${f1(x.warm.p95)} ms | ${f1(x.engineP50)} / ${f1(x.engineP95)} ms | ${f1(x.engineCpuP50)} / ${f1(x.engineCpuP95)} ms |`,
      );
  }
  return lines.join('\n');
}

log(
  `bench:search sizes ${sizes.map(label).join(', ')}; baselines up to ${label(baselinesMax)}; data from ${DATA_DIR}`,
);
const real = loadReal();
log(`${real.length} real articles${real.length === 0 ? ' (none found: generated text only)' : ''}`);
const appScript = bundleApp(join(OUT, 'app'));
const miniScript = await bundleMiniSearchWorker(join(OUT, 'app'));
log('bundled the Worker and the MiniSearch baseline Worker');
const results: SizeResult[] = [];
for (const n of sizes) {
  results.push(await benchSize(n, real, appScript, miniScript));
  writeFileSync(join(OUT, 'search-results.json'), JSON.stringify(results, null, 2));
}
const table = report(results);
writeFileSync(join(OUT, 'search-results.md'), `${table}\n`);
console.log(`\n${table}\n`);
log('done');
