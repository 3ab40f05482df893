/**
 * What a phrase (or in=title) costs against the same words without quotes, measured on a
 * running Worker (`wrangler dev` over a built snapshot): the wall time of the request seen
 * by the client (workerd's own clock stands still while JavaScript runs, so Server-Timing
 * shows only I/O), the Worker's Server-Timing KV reads of the index and its `check` entry
 * (candidates examined, article texts read), median of N requests per query. Each request names a distinct `from` a little
 * before every article, so each one misses the edge cache and does the search, warm index.
 *
 *   npm run bench:phrase -- --url http://127.0.0.1:8961 [--runs 15] [--queries a,b]
 *
 * docs/sync.md has the figures and the exact set-up they were measured with.
 */
import { parseArgs } from 'node:util';
import { median } from './stats.ts';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    runs: { type: 'string', default: '15' },
    queries: {
      type: 'string',
      default:
        'Центральный банк,Владимир Путин,Белый дом,искусственный интеллект,Илон Маск,в Москве',
    },
  },
});
if (!values.url) throw new Error('--url of a running Worker is required (see the header)');
const runs = Number(values.runs);

interface Sample {
  ms: number;
  reads: number;
  examined: number;
  texts: number;
  total: number;
}

let nonce = 0;
async function measure(q: string, extra: string): Promise<Sample> {
  // A distinct instant before every article: a new cache key, the same results.
  const from = new Date(Date.UTC(2000, 0, 1) + nonce++).toISOString();
  const url = `${values.url}/v1/search?q=${encodeURIComponent(q)}&from=${from}${extra}`;
  const started = performance.now();
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { total: number };
  const ms = performance.now() - started;
  const timing = res.headers.get('server-timing') ?? '';
  const num = (re: RegExp) => Number(re.exec(timing)?.[1] ?? 0);
  return {
    ms,
    reads: num(/kv;dur=[\d.]+;desc="(\d+) reads/),
    examined: num(/check;desc="(\d+) candidates/),
    texts: num(/(\d+) article texts/),
    total: body.total,
  };
}

async function series(q: string, extra: string): Promise<Sample> {
  await measure(q, extra); // warms the index parts this query reads
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) samples.push(await measure(q, extra));
  const m = (pick: (s: Sample) => number) => median(samples.map(pick));
  return {
    ms: m((s) => s.ms),
    reads: m((s) => s.reads),
    examined: m((s) => s.examined),
    texts: m((s) => s.texts),
    total: m((s) => s.total),
  };
}

const rows: string[][] = [
  ['query', 'kind', 'total', 'median ms', 'ratio', 'kv reads', 'examined', 'texts'],
];
for (const words of values.queries.split(',')) {
  process.stderr.write(`measuring ${words} ...\n`);
  const plain = await series(`${words} `, '');
  const phrase = await series(`"${words}"`, '');
  const title = await series(`"${words}"`, '&in=title');
  for (const [kind, s] of [
    ['words', plain],
    ['"phrase"', phrase],
    ['"phrase" in=title', title],
  ] as const) {
    rows.push([
      words,
      kind,
      String(s.total),
      s.ms.toFixed(1),
      (s.ms / plain.ms).toFixed(2),
      String(s.reads),
      String(s.examined),
      String(s.texts),
    ]);
  }
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const r of rows) console.log(`| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`);
console.log(`\nmedian of ${runs} warm requests per row; ratio against the same words unquoted`);
