/**
 * `npm run bench:feed`: the feed API under load on the real Worker (`wrangler dev`, local
 * KV seeded with the sample), edge cache hits side by side with misses (KV reads), in one
 * run. Prints medians of several rounds and the ratio. Loopback only. A miss still finds the
 * parsed snapshot values in the isolate's cache after the first request: it measures the
 * Worker's own work (pointer, merge, JSON, ETag, cache write) rather than KV latency.
 *
 *   node scripts/bench/feed.ts [--rounds 3] [--seconds 5] [--connections 10]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { median } from './stats.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '10' },
    port: { type: 'string', default: '8797' },
  },
});
const rounds = Number(values.rounds);
const port = Number(values.port);
const base = `http://127.0.0.1:${port}`;
const persist = mkdtempSync(join(tmpdir(), 'edge-news-bench-'));

async function waitForServer(): Promise<void> {
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`${base}/v1/health`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('wrangler dev did not come up within 60 s');
}

interface Case {
  name: string;
  path: (n: number) => string;
}

async function load(c: Case): Promise<{ rps: number; p50: number; p99: number }> {
  let n = 0;
  const result = await autocannon({
    url: base,
    connections: Number(values.connections),
    duration: Number(values.seconds),
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: c.path(n++) }) }],
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${c.name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

async function main(): Promise<void> {
  console.error('Publishing the sample into a scratch local KV');
  const built = spawnSync(
    process.execPath,
    ['scripts/build.ts', '--local', '--persist-to', persist],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (built.status !== 0) throw new Error('build failed');
  const dev = spawn(
    'npx',
    [
      'wrangler',
      'dev',
      '--port',
      String(port),
      '--ip',
      '127.0.0.1',
      '--persist-to',
      persist,
      '--log-level',
      'error',
    ],
    { stdio: 'ignore', detached: true },
  );
  try {
    await waitForServer();
    const first = (await (await fetch(`${base}/v1/feed?limit=1`)).json()) as {
      items: { id: string }[];
    };
    const id = first.items[0]!.id;
    const cases: Case[] = [
      { name: 'feed page, edge cache hit', path: () => '/v1/feed?limit=20' },
      { name: 'feed page, edge cache miss', path: (n) => `/v1/feed?limit=20&bench=${n}` },
      { name: 'article, edge cache hit', path: () => `/v1/articles/${id}` },
      { name: 'article, edge cache miss', path: (n) => `/v1/articles/${id}?bench=${n}` },
      { name: 'RSS, edge cache miss (+ render)', path: (n) => `/feed.xml?bench=${n}` },
    ];
    const samples = new Map<string, { rps: number; p50: number; p99: number }[]>();
    for (let r = 1; r <= rounds; r++) {
      for (const c of cases) {
        process.stderr.write(`  round ${r}/${rounds}: ${c.name}\n`);
        const s = await load(c);
        samples.set(c.name, [...(samples.get(c.name) ?? []), s]);
      }
    }
    const rows = cases.map((c) => {
      const s = samples.get(c.name)!;
      return {
        name: c.name,
        rps: median(s.map((x) => x.rps)),
        p50: median(s.map((x) => x.p50)),
        p99: median(s.map((x) => x.p99)),
      };
    });
    const baseline = rows[1]!.rps;
    console.log(
      `\nMedians of ${rounds} rounds, ${values.seconds} s each, ${values.connections} connections, wrangler dev on loopback:\n`,
    );
    console.log('| case | req/s | p50 ms | p99 ms | req/s vs feed miss |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    for (const row of rows)
      console.log(
        `| ${row.name} | ${row.rps.toFixed(0)} | ${row.p50} | ${row.p99} | ${(row.rps / baseline).toFixed(2)}x |`,
      );
  } finally {
    if (dev.pid) process.kill(-dev.pid, 'SIGTERM');
    rmSync(persist, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench:feed failed: ${(error as Error).message}`);
  process.exitCode = 1;
});
