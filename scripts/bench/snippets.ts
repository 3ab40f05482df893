/**
 * npm run bench:snippets [-- --size 10k --cold 7 --rounds 20]
 *
 * What cutting the snippets from whole articles costs (src/routes/search.ts articleTexts: one
 * bulk KV read of the page's article records). The query mix of ./queries.ts over `size`
 * articles (the real ones of ../shared/data first), through the real Worker in workerd on a
 * persisted local KV that holds the index and the articles of the hits. The Worker reports the
 * work itself in Server-Timing (`snippets;dur=…;desc="N reads, B bytes"`), read here cold (a
 * fresh isolate: index parts and articles cold) and warm, beside the whole request. Then, in
 * Node with the same highlight(): how many hits show a highlighted match in their snippet when
 * it is cut from the whole article, against the stored first 240 characters.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Article } from '../../src/core/content/article.ts';
import { PartCache } from '../../src/core/lib/part-cache.ts';
import { buildSearchParts } from '../../src/core/search/build.ts';
import { articleText, highlight } from '../../src/core/search/highlight.ts';
import { parseQuery, SearchEngine } from '../../src/core/search/query.ts';
import { IndexReader } from '../../src/core/search/reader.ts';
import { articleKey } from '../../src/core/snapshot/keys.ts';
import { corpus, loadReal } from './corpus.ts';
import { QUERIES, searchPath } from './queries.ts';
import { median, percentile } from './stats.ts';
import { bundleApp, instance, seed } from './workerd.ts';

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: '10k' },
    cold: { type: 'string', default: '7' },
    rounds: { type: 'string', default: '20' },
  },
});
const size = Math.round(
  Number.parseFloat(args.size ?? '10k') * (/k$/i.test(args.size ?? '') ? 1_000 : 1),
);
const coldSamples = Number(args.cold);
const rounds = Number(args.rounds);
const OUT = join(import.meta.dirname, '..', '..', '.wrangler', 'bench-snippets');
const SNAPSHOT = '20260101T000000Z-5e1ec7ed';

const log = (...parts: unknown[]) => console.log(`[bench:snippets] ${parts.join(' ')}`);

log(`corpus of ${size.toLocaleString('en')} articles…`);
const articles = corpus(size, loadReal());
log('building the index…');
const parts = buildSearchParts(articles);
const values = new Map(parts.map((p) => [p.part, p.value]));
const byId = new Map(articles.map((a) => [a.id, a]));

// The hits of every query, found by the same engine in Node: the Worker reads their articles.
const engine = new SearchEngine(
  new IndexReader(
    SNAPSHOT,
    async (names) => new Map(names.map((n) => [n, values.get(n) ?? null])),
    new PartCache(256 << 20),
  ),
);
const pages = await Promise.all(
  QUERIES.map(async (query) => {
    const params = new URLSearchParams(query.params);
    const from = params.get('from');
    return engine.search({
      q: parseQuery(query.q),
      lang: params.get('lang') ?? undefined,
      from: from === null ? undefined : Date.parse(from),
      sort: 'relevance',
      limit: 10,
      offset: 0,
    });
  }),
);
const hitIds = new Set(pages.flatMap((p) => p.hits.map((h) => h.record.id)));

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const script = bundleApp(join(OUT, 'bundle'));
const kvDir = join(OUT, 'kv');
{
  const mf = instance(script, kvDir);
  await mf.ready;
  log(`writing ${parts.length} index parts and the ${hitIds.size} articles of the hits…`);
  await seed(mf, kvDir, SNAPSHOT, parts, articles.length);
  const kv = await mf.getKVNamespace('NEWS');
  await Promise.all(
    [...hitIds].map((id) => kv.put(articleKey(SNAPSHOT, id), JSON.stringify(byId.get(id)))),
  );
  await mf.dispose();
}

interface Sample {
  ms: number;
  snippetMs: number;
  reads: number;
  bytes: number;
}

async function measure(mf: Awaited<ReturnType<typeof instance>>, path: string): Promise<Sample> {
  const started = performance.now();
  const res = await mf.dispatchFetch(`http://bench.local${path}`);
  await res.arrayBuffer();
  const ms = performance.now() - started;
  const timing = res.headers.get('server-timing') ?? '';
  const m = /snippets;dur=([\d.]+);desc="(\d+) reads, (\d+) bytes"/.exec(timing);
  if (res.status !== 200 || !m) throw new Error(`${path}: ${res.status} ${timing}`);
  return { ms, snippetMs: Number(m[1]), reads: Number(m[2]), bytes: Number(m[3]) };
}

const rows: string[] = [];
const cold = new Map<string, Sample[]>();
const warm = new Map<string, Sample[]>();
for (let s = 0; s < coldSamples; s++) {
  log(`cold sample ${s + 1}/${coldSamples}…`);
  for (const query of QUERIES) {
    const mf = instance(script, kvDir);
    await mf.ready;
    try {
      await (await mf.dispatchFetch('http://bench.local/warmup')).arrayBuffer();
      cold.set(query.kind, [...(cold.get(query.kind) ?? []), await measure(mf, searchPath(query))]);
    } finally {
      await mf.dispose();
    }
  }
}
{
  log(`warm: ${rounds} rounds of the mix…`);
  const mf = instance(script, kvDir);
  await mf.ready;
  for (const query of QUERIES) await measure(mf, searchPath(query));
  for (let r = 0; r < rounds; r++)
    for (const query of QUERIES)
      warm.set(query.kind, [...(warm.get(query.kind) ?? []), await measure(mf, searchPath(query))]);
  await mf.dispose();
}

const f = (n: number) => n.toFixed(1);
rows.push(
  '| query | hits | cold: request / snippets ms | articles read cold: reads, KB | warm p50: request / snippets ms | warm p95 snippets ms |',
  '|---|---|---|---|---|---|',
);
QUERIES.forEach((query, i) => {
  const c = cold.get(query.kind) ?? [];
  const w = warm.get(query.kind) ?? [];
  rows.push(
    `| ${query.kind} \`${query.q.trim()}\` | ${pages[i]?.hits.length ?? 0} | ${f(median(c.map((x) => x.ms)))} / ${f(median(c.map((x) => x.snippetMs)))} | ${median(c.map((x) => x.reads))}, ${f(median(c.map((x) => x.bytes)) / 1024)} | ${f(median(w.map((x) => x.ms)))} / ${f(median(w.map((x) => x.snippetMs)))} | ${f(
      percentile(
        w.map((x) => x.snippetMs),
        95,
      ),
    )} |`,
  );
});
const allCold = [...cold.values()].flat();
const allWarm = [...warm.values()].flat();
rows.push(
  `| **all** | | ${f(median(allCold.map((x) => x.ms)))} / ${f(median(allCold.map((x) => x.snippetMs)))} | ${median(allCold.map((x) => x.reads))}, ${f(median(allCold.map((x) => x.bytes)) / 1024)} | ${f(median(allWarm.map((x) => x.ms)))} / ${f(median(allWarm.map((x) => x.snippetMs)))} | ${f(
    percentile(
      allWarm.map((x) => x.snippetMs),
      95,
    ),
  )} |`,
);

// What the reader gains: hits whose snippet shows a highlighted match.
let stored = 0;
let whole = 0;
let hits = 0;
for (const page of pages)
  for (const hit of page.hits) {
    const article: Article | undefined = byId.get(hit.record.id);
    hits++;
    if (highlight(hit.record, hit.words).highlights.snippet.length > 0) stored++;
    if (
      article &&
      highlight(hit.record, hit.words, articleText(article)).highlights.snippet.length > 0
    )
      whole++;
  }

console.log(
  `\n${size.toLocaleString('en')} articles, medians of ${coldSamples} cold samples (a fresh isolate per query) and ${rounds} warm rounds:\n`,
);
console.log(rows.join('\n'));
console.log(
  `\nHits with a highlighted match in the snippet: ${stored}/${hits} from the stored 240 characters, ${whole}/${hits} from the whole article.`,
);
