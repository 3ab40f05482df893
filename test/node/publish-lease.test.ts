/**
 * `build:snapshot` (full and incremental) and `snapshots prune/delete/rollback` hold the same
 * publish lease as `npm run ingest`: the lease file for local KV, or the Worker's Durable
 * Object through its admin API when EDGE_NEWS_URL names a Worker (what `--remote` requires).
 * Real processes, real local KV, and the real Worker for the Durable Object.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unstable_startWorker } from 'wrangler';
import { openLocalKv } from '../../scripts/lib/local-kv.ts';
import { httpLease } from '../../scripts/lib/publish-lease.ts';
import type { RawArticle } from '../../src/core/content/article.ts';
import { liveArticles } from '../../src/core/ingest/publish.ts';
import { listSnapshots, readPointer } from '../../src/core/snapshot/publish.ts';

const run = promisify(execFile);
const START = Date.parse('2024-07-01T00:00:00Z');
const ADMIN_TOKEN = 'lease-test-admin-token';

const record = (i: number, tag: string): RawArticle => ({
  source: 'Wire One',
  section: ['politics', 'sport'][i % 2]!,
  lang: 'en',
  published: new Date(START + i * 600_000).toISOString(),
  title: `${tag} story ${i} about item ${i * 7919}`,
  body: `${tag} story ${i}.`,
  url: `https://news.example/${tag}/${i}`,
});

async function jsonl(dir: string, name: string, records: readonly RawArticle[]) {
  const file = join(dir, name);
  await writeFile(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return file;
}

function cli(script: string, args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, [script, ...args], {
    env: { ...process.env, EDGE_NEWS_URL: '', ADMIN_TOKEN: '', ...env },
  });
}

/** The live snapshot's article ids and the snapshots listed, read back from local KV. */
async function live(persist: string) {
  const kv = await openLocalKv({ persistTo: persist, via: 'binding' });
  try {
    const pointer = (await readPointer(kv.store))!;
    const ids = (await liveArticles(kv.store, pointer)).map((a) => a.url);
    return { pointer, urls: ids.sort(), snapshots: await listSnapshots(kv.store) };
  } finally {
    await kv.close();
  }
}

describe('scripts publish under the lease file', { timeout: 240_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'edge-news-lease-file-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('two incremental builds and a prune at once lose nothing', async () => {
    const persist = join(dir, 'kv');
    const at = ['--local', '--persist-to', persist];
    const base = Array.from({ length: 20 }, (_, i) => record(i, 'base'));
    await cli('scripts/build.ts', [...at, await jsonl(dir, 'base.jsonl', base)]);
    const a = Array.from({ length: 3 }, (_, i) => record(40 + i, 'a'));
    const b = Array.from({ length: 3 }, (_, i) => record(50 + i, 'b'));
    const fileA = await jsonl(dir, 'a.jsonl', a);
    const fileB = await jsonl(dir, 'b.jsonl', b);
    await Promise.all([
      cli('scripts/build.ts', [...at, '--incremental', fileA]),
      cli('scripts/build.ts', [...at, '--incremental', fileB]),
      cli('scripts/snapshots.ts', ['prune', '--keep', '0', '--persist-to', persist]),
    ]);
    const after = await live(persist);
    // Both deltas are in the live snapshot, and every value it names is still there
    // (liveArticles reads every page and article: a swept one would be missing).
    expect(after.urls).toEqual([...base, ...a, ...b].map((r) => r.url).sort());
    expect(after.pointer.counts.articles).toBe(26);
  });
});

describe("scripts publish under the Worker's Durable Object", { timeout: 300_000 }, () => {
  let dir: string;
  let worker: Awaited<ReturnType<typeof unstable_startWorker>>;
  let origin: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'edge-news-lease-do-'));
    worker = await unstable_startWorker({
      config: 'wrangler.toml',
      bindings: { ADMIN_TOKEN: { type: 'secret_text', value: ADMIN_TOKEN } },
      dev: {
        server: { port: 0 },
        inspector: false,
        persist: join(dir, 'state'),
        logLevel: 'error',
      },
    });
    origin = (await worker.url).origin;
  }, 120_000);
  afterAll(async () => {
    await worker?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('refuses the lease without the admin token', async () => {
    const res = await fetch(`${origin}/v1/admin/publish-lease/acquire`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ holder: 'anyone' }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    await expect(httpLease(origin, 'wrong').acquire('x', 60_000)).rejects.toThrow(/HTTP 401/);
  });

  it('a build waits while another holds the lease, and two at once both land', async () => {
    const persist = join(dir, 'state');
    const env = { EDGE_NEWS_URL: origin, ADMIN_TOKEN };
    const at = ['--local', '--persist-to', persist];
    const base = Array.from({ length: 10 }, (_, i) => record(i, 'base'));
    await cli('scripts/build.ts', [...at, await jsonl(dir, 'base.jsonl', base)], env);

    // Another machine holds the lease: the build waits for it, then builds on what it published.
    const lease = httpLease(origin, ADMIN_TOKEN);
    const held = await lease.acquire('another machine', 60_000);
    expect(held.ok).toBe(true);
    const c = [record(30, 'c')];
    let finished = 0;
    const waiting = cli(
      'scripts/build.ts',
      [...at, '--incremental', await jsonl(dir, 'c.jsonl', c)],
      env,
    ).then((r) => {
      finished = Date.now();
      return r;
    });
    await new Promise((r) => setTimeout(r, 3000));
    expect(finished).toBe(0);
    const released = Date.now();
    expect(await lease.release(held.ok ? held.token : 0, null)).toBe(true);
    await waiting;
    expect(finished).toBeGreaterThanOrEqual(released);

    const a = [record(40, 'a'), record(41, 'a')];
    const b = [record(50, 'b'), record(51, 'b')];
    const [fileA, fileB] = await Promise.all([jsonl(dir, 'a.jsonl', a), jsonl(dir, 'b.jsonl', b)]);
    await Promise.all([
      cli('scripts/build.ts', [...at, '--incremental', fileA], env),
      cli('scripts/build.ts', [...at, '--incremental', fileB], env),
    ]);
    const after = await live(persist);
    expect(after.urls).toEqual([...base, ...c, ...a, ...b].map((r) => r.url).sort());
    // The Durable Object records the last snapshot published under it: the live one.
    const next = await lease.acquire('test', 60_000);
    expect(next).toMatchObject({ ok: true, live: after.pointer.snapshot });
    if (next.ok) await lease.release(next.token, null);
  });

  it('--remote refuses to publish without the Worker lease, naming what to set', async () => {
    const file = await jsonl(dir, 'r.jsonl', [record(1, 'r')]);
    await expect(cli('scripts/build.ts', ['--remote', file])).rejects.toMatchObject({
      stderr: expect.stringMatching(/set EDGE_NEWS_URL \(its origin\) and ADMIN_TOKEN/),
    });
  });
});
