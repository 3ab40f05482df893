/**
 * The Worker's scheduled poll (src/scheduled.ts) as Cloudflare would run it: `wrangler dev
 * --test-scheduled` over a fresh local state, triggered through /__scheduled, fetching the
 * fixture feeds from a real HTTP server on loopback. Then the new articles must be in the
 * feeds and in search on the next requests: one poll, and no more than the pointer's 5 s.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRssFeed } from 'feedsmith';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalKv } from '../../scripts/lib/local-kv.ts';
import { SOURCES_KEY } from '../../src/core/snapshot/keys.ts';
import { freePort } from './free-port.ts';
import { type FeedServer, startFeedServer } from './ingest-server.ts';

let base = '';

const TAPESTRY = {
  guid: 'tapestry',
  title: 'Museum unveils restored medieval tapestry',
  published: '2024-07-15T11:30:00Z',
  author: 'Max Mustermann',
  credit: 'Photo: City Museum',
};

let server: FeedServer;
let dir: string;
let dev: ChildProcess | undefined;
let log = '';

/** Resolves once `wrangler dev` says it is listening; rejects if it exits first. */
function startDev(persist: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    dev = spawn(
      'npx',
      [
        'wrangler',
        'dev',
        '--test-scheduled',
        '--port',
        String(port),
        '--ip',
        '127.0.0.1',
        '--persist-to',
        persist,
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
        // Its own process group, so the kill in afterAll reaches workerd too.
        detached: true,
      },
    );
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Ready on')) resolve();
    };
    dev.stdout?.on('data', onData);
    dev.stderr?.on('data', onData);
    dev.on('exit', (code) => reject(new Error(`wrangler dev exited (${code}):\n${log}`)));
  });
}

/** Asks until `check` passes; the budget is generous, the loop ends as soon as it holds. */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
}

const json = async (path: string) =>
  (await fetch(`${base}${path}`)).json() as Promise<Record<string, unknown>>;

beforeAll(async () => {
  server = await startFeedServer([TAPESTRY]);
  dir = await mkdtemp(join(tmpdir(), 'edge-news-scheduled-'));
  const persist = join(dir, 'state');
  // What `npm run ingest` leaves in KV for the Worker: the sources file.
  const kv = await openLocalKv({ persistTo: persist });
  await kv.store.putMany([
    {
      key: SOURCES_KEY,
      value: JSON.stringify({
        format: 1,
        sources: [
          { url: `${server.url}/live.xml`, source: 'Polled Wire', section: 'culture', lang: 'en' },
          { url: `${server.url}/windows-1251.xml`, source: 'Лента', section: 'russia', lang: 'ru' },
          {
            url: `${server.url}/limited.xml`,
            source: 'Limited Wire',
            section: 'world',
            lang: 'en',
          },
        ],
      }),
    },
  ]);
  await kv.close();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  await startDev(persist, port);
}, 180_000);

afterAll(async () => {
  if (dev?.pid) process.kill(-dev.pid, 'SIGTERM');
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('wrangler dev --test-scheduled', { timeout: 120_000 }, () => {
  it('polls on /__scheduled and serves the new articles in feeds and search', async () => {
    const res = await fetch(`${base}/__scheduled?cron=*/5+*+*+*+*`);
    expect(res.status, log).toBe(200);
    expect(server.hits('/live.xml'), log).toBe(1);
    expect(server.hits('/windows-1251.xml')).toBe(1);
    expect(server.hits('/limited.xml')).toBe(1);

    const feed = await eventually(
      () => json('/v1/feed?source=polled-wire'),
      (f) => (f.items as unknown[] | undefined)?.length === 1,
    );
    expect(feed.items).toEqual([
      expect.objectContaining({
        title: TAPESTRY.title,
        authors: [TAPESTRY.author],
        image_credit: TAPESTRY.credit,
      }),
    ]);
    const search = await json('/v1/search?q=tapestry');
    expect((search.items as Array<{ title: string }>).map((i) => i.title)).toEqual([
      TAPESTRY.title,
    ]);
    const russian = await json('/v1/search?q=метро&lang=ru');
    expect((russian.items as Array<{ title: string }>).map((i) => i.title)).toEqual([
      'В Москве открыли новую станцию метро',
    ]);

    const rss = parseRssFeed(await (await fetch(`${base}/sections/culture/feed.xml`)).text());
    expect(
      rss.items?.map((i) => [i.title, i.dc?.creators, i.media?.contents?.[0]?.credits]),
    ).toEqual([[TAPESTRY.title, [TAPESTRY.author], [{ value: TAPESTRY.credit }]]]);
  });

  it('the next run asks with If-None-Match, gets 304 and leaves the 429 feed alone', async () => {
    const before = server.requests.length;
    const res = await fetch(`${base}/__scheduled?cron=*/5+*+*+*+*`);
    expect(res.status, log).toBe(200);
    const sent = server.requests.slice(before);
    expect(sent.map((r) => [r.path, r.status]).sort()).toEqual([
      ['/live.xml', 304],
      ['/windows-1251.xml', 200],
    ]);
    expect(sent.find((r) => r.path === '/live.xml')?.headers['if-none-match']).toBe('"v1"');
  });

  it('a story new upstream is in the feed and in search after the next run (incremental publish)', async () => {
    const lighthouse = {
      guid: 'lighthouse',
      title: 'Lighthouse keeper retires after forty years',
      published: '2024-07-15T12:30:00Z',
    };
    server.setItems([lighthouse, TAPESTRY]);
    const res = await fetch(`${base}/__scheduled?cron=*/5+*+*+*+*`);
    expect(res.status, log).toBe(200);
    const feed = await eventually(
      () => json('/v1/feed?source=polled-wire'),
      (f) => (f.items as unknown[] | undefined)?.length === 2,
    );
    expect((feed.items as Array<{ title: string }>).map((i) => i.title)).toEqual([
      lighthouse.title,
      TAPESTRY.title,
    ]);
    // Found in the delta search segment the incremental build added (docs/search.md).
    const search = await json('/v1/search?q=lighthouse+keeper');
    expect((search.items as Array<{ title: string }>).map((i) => i.title)).toEqual([
      lighthouse.title,
    ]);
    const health = await json('/v1/health');
    expect(health.counts).toMatchObject({ articles: 7 });
  });
});
