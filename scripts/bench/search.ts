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
import { buildSegment, type SegmentMeta } from '../../src/core/search/segments.ts';
import {
  type BaselineResult,
  flexSearch,
  lunrLanguages,
  miniSearchAsIs,
  orama,
} from './baselines.ts';
import { corpus, DATA_DIR, loadReal } from './corpus.ts';
import { QUERIES, searchPath } from './queries.ts';
import { median, percentile } from './stats.ts';
import {
  bundleApp,
  bundleMiniSearchWorker,
  instance,
  isolateMemory,
  seed,
  seedSegments,
  timedFetch,
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
    segments: { type: 'string', default: '' },
  },
});
const segmentCounts = (args.segments ?? '').split(',').filter(Boolean).map(Number);
/** Articles per delta segment: one incremental publish of the archive-scale target. */
const DELTA_ARTICLES = 1_000;

const parseSize = (s: string) =>
  Math.round(Number.parseFloat(s) * (/m$/i.test(s) ? 1_000_000 : /k$/i.test(s) ? 1_000 : 1));
const sizes = (args.sizes ?? '').split(',').filter(Boolean).map(parseSize);
const baselinesMax = parseSize(args['baselines-max'] ?? '10k');
const coldSamples = Number(args.cold);
const rounds = Number(args.rounds);
const KV_VALUE_LIMIT = 25 * 1024 * 1024;
// Under .wrangler/ (ignored by git and eslint): bundles, local KV directories, results.
const OUT = join(import.meta.dirname, '..', '..', '.wrangler', 'bench-search');
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
    cacheBytes: number;
    heapBytes: number;
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
  buildMs: number;
  parts: number;
  firstMs: number;
  coldMs: number;
  reads: number;
  warm: SizeResult['warm'];
  engineP50: number;
  engineP95: number;
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

/**
 * The same articles as a base plus `count - 1` deltas of the newest DELTA_ARTICLES each,
 * built as an incremental publish builds them, behind a format-2 pointer: cold and warm.
 */
async function benchSegments(
  n: number,
  articles: readonly Article[],
  appScript: string,
  paths: string[],
): Promise<SegmentsResult[]> {
  const byDate = [...articles].sort(
    (a, b) => Date.parse(a.published) - Date.parse(b.published) || (a.id < b.id ? -1 : 1),
  );
  const out: SegmentsResult[] = [];
  for (const count of segmentCounts) {
    const deltas = count - 1;
    log(`   ${count} segment(s): a base of ${n - deltas * DELTA_ARTICLES} and ${deltas} deltas`);
    const started = performance.now();
    const base = buildSegment(byDate.slice(0, n - deltas * DELTA_ARTICLES));
    const segments: (SegmentMeta & { parts: SearchPart[] })[] = [
      { id: indexId(base.parts), meta: base.meta, parts: base.parts },
    ];
    const read = async (id: string, part: string) =>
      segments.find((s) => s.id === id)?.parts.find((p) => p.part === part)?.value ?? null;
    for (let d = deltas; d > 0; d--) {
      const slice = byDate.slice(n - d * DELTA_ARTICLES, n - (d - 1) * DELTA_ARTICLES);
      const delta = await buildSegment(slice, { base: segments, read });
      segments.push({ id: indexId(delta.parts), meta: delta.meta, parts: delta.parts });
    }
    const buildMs = performance.now() - started;
    const persist = join(OUT, `kv-${label(n)}-seg${count}`);
    rmSync(persist, { recursive: true, force: true });
    const writer = instance(appScript, persist);
    await seedSegments(writer, `20261127T000000Z-seg${count}`, segments, n);
    await writer.dispose();
    const first = await coldRuns(appScript, persist, paths);
    await first.last.dispose();
    const { runs, last } = await coldRuns(appScript, persist, paths, '/warmup');
    const warm = await warmRuns(last);
    await last.dispose();
    const engine = engineWarm(persist, segments.map((s) => s.id).join(','));
    const result: SegmentsResult = {
      segments: count,
      buildMs,
      parts: segments.reduce((k, s) => k + s.parts.length, 0),
      firstMs: median(first.runs.map((r) => r.ms)),
      coldMs: median(runs.map((r) => r.ms)),
      reads: median(runs.map((r) => r.reads)),
      warm,
      engineP50: engine.warmP50,
      engineP95: engine.warmP95,
    };
    log(
      `     index-cold ${runs.map((r) => f1(r.ms)).join(', ')} ms; warm p50/p95 ${f1(warm.p50)} / ${f1(warm.p95)} ms (workerd), ${f1(engine.warmP50)} / ${f1(engine.warmP95)} ms (engine)`,
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

async function benchSize(
  n: number,
  real: readonly Article[],
  appScript: string,
  miniScript: string,
): Promise<SizeResult> {
  const persist = join(OUT, `kv-${label(n)}`);
  const snapshot = `20261127T000000Z-${n.toString(16).padStart(8, '0').slice(-8)}`;
  const marker = join(persist, 'bench-build.json');
  const previous = existsSync(marker)
    ? (JSON.parse(readFileSync(marker, 'utf8')) as Built & { buildCode: string })
    : undefined;
  let built: Built;
  let articles: Article[] = [];
  if (args.reuse && n > baselinesMax && previous?.buildCode === BUILD_CODE) {
    built = previous;
    log(
      `== ${label(n)} articles: reusing the index in ${persist} (built in ${f1(built.buildMs / 1000)} s by the same build code)`,
    );
  } else {
    if (args.reuse)
      log(
        `   cannot reuse ${persist}: ${n <= baselinesMax ? 'the baselines need the corpus' : previous ? 'the index build code changed since' : 'no earlier build'}`,
      );
    log(`== ${label(n)} articles: corpus`);
    articles = corpus(n, real, (done) => log(`   generated ${done}`));
    log(
      `   ${Math.min(real.length, n)} real + ${Math.max(0, n - real.length)} generated; building the index`,
    );
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
    await seed(writer, snapshot, parts, n, (done) =>
      log(`   wrote ${done}/${parts.length} parts to local KV`),
    );
    await writer.dispose();
    writeFileSync(marker, JSON.stringify({ ...built, buildCode: BUILD_CODE }));
  }
  const { buildMs, totalBytes, largestBytes } = built;

  log(`   cold queries in fresh workerd isolates (${coldSamples})`);
  const paths = Array.from({ length: coldSamples }, (_, k) =>
    searchPath(QUERIES[k % QUERIES.length]!),
  );
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
    if (articles.length === 0) articles = corpus(n, real, (done) => log(`   generated ${done}`));
    segments = await benchSegments(n, articles, appScript, paths);
  }
  return {
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
  for (const r of results) {
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
    const compacted = r.segments.find((x) => x.segments === 1) ?? r.segments[0]!;
    lines.push(
      '',
      `Segments at ${label(r.size)} articles (a base plus deltas of ${DELTA_ARTICLES} articles, format-2 pointer; ratio against one compacted segment):`,
      '',
      '| segments | build | parts | cold first request | cold index-cold | ratio | KV round trips | warm p50 / p95 (workerd) | warm p50 / p95 (engine) |',
      '|---|---|---|---|---|---|---|---|---|',
    );
    for (const x of r.segments)
      lines.push(
        `| ${x.segments} | ${f1(x.buildMs / 1000)} s | ${x.parts} | ${f1(x.firstMs)} ms | ${f1(x.coldMs)} ms | ${(x.coldMs / compacted.coldMs).toFixed(2)}x | ${x.reads} | ${f1(x.warm.p50)} / ${f1(x.warm.p95)} ms | ${f1(x.engineP50)} / ${f1(x.engineP95)} ms |`,
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
