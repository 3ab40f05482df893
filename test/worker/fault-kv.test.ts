/**
 * Fault: KV reads that throw or stall (test/worker/faulty-kv.ts wraps the real binding).
 * Every snapshot route, search, suggest and the pages answer 200 from what is still good or
 * 503 with Retry-After, never a 500; a stalled read ends in an answer after the read
 * deadline (src/storage/kv-binding.ts), not in a hung request.
 */
import { env } from 'cloudflare:workers';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  adKey,
  APPROVED_NEWS_KEY,
  ARTICLE_V2_PREFIX,
  FEED_V2_PREFIX,
  POINTER_KEY,
  SEARCH_V2_PREFIX,
} from '../../src/core/snapshot/keys.ts';
import { UNAVAILABLE_RETRY_AFTER_S } from '../../src/http/pointer.ts';
import { KV_READ_DEADLINE_MS } from '../../src/storage/kv-binding.ts';
import { forgetPointer, POINTER_TTL_MS } from '../../src/storage/snapshots.ts';
import { APPROVED_NEWS_RETRY_MS, forgetApprovedNews } from '../../src/storage/submissions.ts';
import { type FaultMode, type FaultyKv, faultyKv, runWorker } from './faulty-kv.ts';
import { article, seedSnapshot } from './seed.ts';
import { approve, postAd, postNews } from './submissions-helpers.ts';

// A stalled read answers after the deadline; some cases wait for two in a row.
vi.setConfig({ testTimeout: 90_000 });

const TITLE = 'Harbour ferry returns after winter break';
let seeds = 0;
let articleId = '';

/** A fresh snapshot (new text, so a new search index) and no pointer cached in the isolate. */
async function seed() {
  const { built } = await seedSnapshot([
    article({ title: TITLE, body: `${TITLE}. Edition ${++seeds}.` }),
  ]);
  // From what the build wrote: a request would leave parsed values cached in the isolate.
  const key = built.entries.find((e) => e.key.startsWith(ARTICLE_V2_PREFIX))!.key;
  articleId = key.slice(key.lastIndexOf(':') + 1);
  forgetPointer();
  forgetApprovedNews();
}

let probe = 0;
/** A URL of its own each time (limit is in the edge-cache key, `hl` in the pages'). */
const fresh = (path: string) =>
  `http://edge.test${path.replace(':id', articleId)}${path.includes('?') ? '&' : '?'}${
    path.startsWith('/v1/') || path.includes('feed.') ? 'limit' : 'x'
  }=${1 + (++probe % 20)}`;

const SNAPSHOT_API = [
  '/v1/feed',
  '/v1/sections',
  '/v1/articles/:id',
  '/v1/health',
  '/feed.json',
  '/feed.xml',
  '/feed.atom',
  '/sections/world/feed.json',
  '/v1/search?q=ferry',
  '/v1/suggest?q=ferr',
];
const PAGES = ['/', '/sections/world', '/articles/:id', '/search?q=ferry'];
const FEEDS = ['/v1/feed', '/feed.json', '/feed.xml', '/feed.atom', '/sections/world/feed.json'];
const SEARCH = ['/v1/search?q=ferry', '/v1/suggest?q=ferr', '/search?q=ferry'];

const isHtml = (path: string) => !path.startsWith('/v1/') && !path.includes('feed.');

async function expectAnswer(faulty: FaultyKv, path: string, status: 200 | 503, mode: FaultMode) {
  const started = Date.now();
  const res = await runWorker(faulty.kv, fresh(path));
  const text = await res.text();
  expect(res.status, `${path}: ${text.slice(0, 300)}`).toBe(status);
  if (status === 200) {
    expect(text, path).toMatch(/[Ff]erry|"ok"|world/);
    return;
  }
  expect(res.headers.get('retry-after'), path).toBe(String(UNAVAILABLE_RETRY_AFTER_S));
  expect(res.headers.get('content-type'), path).toMatch(
    isHtml(path) ? /^text\/html/ : /^application\/problem\+json$/,
  );
  // A stall is answered once the read deadline has passed, not before (it did wait) and not never.
  if (mode === 'stall')
    expect(Date.now() - started, path).toBeGreaterThanOrEqual(KV_READ_DEADLINE_MS - 50);
}

/** All cases of one fault at once: a stall costs one deadline, not one per route. */
async function expectAll(faulty: FaultyKv, mode: FaultMode, cases: [string, 200 | 503][]) {
  await Promise.all(cases.map(([path, status]) => expectAnswer(faulty, path, status, mode)));
  expect(faulty.hits.length, 'the fault was hit').toBeGreaterThan(0);
}

let faulty: FaultyKv | undefined;
afterEach(() => faulty?.release());

describe.each<FaultMode>(['throw', 'stall'])('KV reads that %s', (mode) => {
  beforeAll(seed);

  it('the pointer, in an isolate that never read a good one: every snapshot route and page answers 503', async () => {
    forgetPointer();
    faulty = faultyKv(env.NEWS, mode, (k) => k === POINTER_KEY);
    await expectAll(
      faulty,
      mode,
      [...SNAPSHOT_API, ...PAGES].map((p) => [p, 503]),
    );
  });

  it('the pointer, after the isolate read a good one: every route answers 200 from it', async () => {
    await seed();
    // A good read first (health reads no feed page, article or index part).
    expect((await runWorker(env.NEWS, fresh('/v1/health'))).status).toBe(200);
    faulty = faultyKv(env.NEWS, mode, (k) => k === POINTER_KEY);
    // The isolate's pointer is past its few seconds: the next request re-reads, and fails.
    await new Promise((r) => setTimeout(r, POINTER_TTL_MS + 100));
    await expectAll(
      faulty,
      mode,
      [...SNAPSHOT_API, ...PAGES].map((p) => [p, 200]),
    );
  });

  it('the feed pages: the feeds answer 503; search, suggest, the article and health 200', async () => {
    await seed();
    faulty = faultyKv(env.NEWS, mode, (k) => k.startsWith(FEED_V2_PREFIX));
    await expectAll(faulty, mode, [
      ...FEEDS.map((p): [string, 503] => [p, 503]),
      ['/', 503],
      ...SEARCH.map((p): [string, 200] => [p, 200]),
      ['/v1/articles/:id', 200],
      ['/v1/health', 200],
    ]);
  });

  it('the search index: search and suggest answer 503; every feed, the article and the pages 200', async () => {
    await seed();
    faulty = faultyKv(env.NEWS, mode, (k) => k.startsWith(SEARCH_V2_PREFIX));
    await expectAll(faulty, mode, [
      ...SEARCH.map((p): [string, 503] => [p, 503]),
      ...FEEDS.map((p): [string, 200] => [p, 200]),
      ['/v1/articles/:id', 200],
      ['/', 200],
      ['/articles/:id', 200],
    ]);
  });

  it('an article: its routes answer 503; the feeds and search 200', async () => {
    await seed();
    faulty = faultyKv(env.NEWS, mode, (k) => k.startsWith(ARTICLE_V2_PREFIX));
    await expectAll(faulty, mode, [
      ['/v1/articles/:id', 503],
      ['/articles/:id', 503],
      ...FEEDS.map((p): [string, 200] => [p, 200]),
      ['/v1/search?q=ferry', 200],
    ]);
  });

  it('the approved reader-news list: the feeds and search answer 200 from the snapshot', async () => {
    const { body } = await postNews({ title: 'Ferry timetable for the spring season' });
    expect((await approve(body.id)).status).toBe(200);
    await seed();
    faulty = faultyKv(env.NEWS, mode, (k) => k === APPROVED_NEWS_KEY);
    forgetApprovedNews();
    await expectAll(faulty, mode, [
      ...FEEDS.map((p): [string, 200] => [p, 200]),
      ...SEARCH.map((p): [string, 200] => [p, 200]),
      ['/', 200],
    ]);
  });

  it('a failed read of the approved reader-news list is remembered for a few seconds, then read again', async () => {
    await seed();
    faulty = faultyKv(env.NEWS, mode, (k) => k === APPROVED_NEWS_KEY);
    expect((await runWorker(faulty.kv, fresh('/v1/feed'))).status).toBe(200);
    expect(faulty.hits).toEqual([APPROVED_NEWS_KEY]);
    // Started within the window (a feed request reads the list first thing): no read of their own.
    const statuses = await Promise.all(
      [...FEEDS, ...SEARCH].map(async (p) => (await runWorker(faulty!.kv, fresh(p))).status),
    );
    expect(statuses).toEqual([...FEEDS, ...SEARCH].map(() => 200));
    expect(faulty.hits).toEqual([APPROVED_NEWS_KEY]);
    // Past it, the next request reads the list again.
    await new Promise((r) => setTimeout(r, APPROVED_NEWS_RETRY_MS + 100));
    expect((await runWorker(faulty.kv, fresh('/v1/feed'))).status).toBe(200);
    expect(faulty.hits).toEqual([APPROVED_NEWS_KEY, APPROVED_NEWS_KEY]);
  });

  it('an ad projection: the ad answers 200 from the Durable Object', async () => {
    const { body } = await postAd({ title: 'Kayak rental by the harbour' });
    expect((await approve(body.id)).status).toBe(200);
    faulty = faultyKv(env.NEWS, mode, (k) => k === adKey(body.id));
    for (const path of [`/v1/ads/${body.id}`, `/ads/${body.id}`]) {
      const res = await runWorker(faulty.kv, `http://edge.test${path}`);
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).toContain('Kayak rental by the harbour');
    }
    expect(faulty.hits).toEqual([adKey(body.id), adKey(body.id)]);
  });
});
