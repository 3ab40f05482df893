/**
 * Fault: the live pointer (`news:v1:current`) is missing, corrupt, or points at a snapshot
 * whose values are gone. Every snapshot route answers 200 from the last good pointer this
 * isolate read, or 503 problem+json with Retry-After; never a 500.
 */
import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { POINTER_KEY } from '../../src/core/snapshot/keys.ts';
import { UNAVAILABLE_RETRY_AFTER_S } from '../../src/http/pointer.ts';
import { forgetPointer, getPointer, POINTER_TTL_MS } from '../../src/storage/snapshots.ts';
import { article, seedSnapshot } from './seed.ts';

vi.setConfig({ testTimeout: 60_000 });

const ROUTES = [
  '/v1/feed',
  '/v1/sections',
  '/v1/health',
  '/feed.xml',
  '/feed.atom',
  '/feed.json',
  '/sections/world/feed.json',
  '/v1/search?q=lighthouse',
  '/v1/suggest?q=lightho',
];

/** A different URL each call (limit is a known parameter, so it is in the edge-cache key). */
let probe = 0;
const fetchFresh = (path: string) =>
  exports.default.fetch(
    `http://edge.test${path}${path.includes('?') ? '&' : '?'}limit=${1 + (++probe % 20)}`,
  );

/** A good snapshot, published over whatever the previous case left in the pointer. */
async function freshSeed() {
  await env.NEWS.delete(POINTER_KEY);
  return (await seedSnapshot([article({ title: 'Lighthouse keeper retires after forty years' })]))
    .pointer;
}

/**
 * A re-read of the pointer past the isolate's cache. Each call's clock is a TTL past the
 * previous one's (the cache dates its entry by the clock it was given), so the second read of
 * a case reads KV again instead of answering from the first read's entry; the routes then
 * answer from what that read returned.
 */
let reads = 0;
const rereadPointer = () =>
  getPointer(env.NEWS, { now: Date.now() + ++reads * (POINTER_TTL_MS + 1) });

async function expectUnavailable(res: Response, path: string) {
  const text = await res.text();
  expect(res.status, `${path}: ${text.slice(0, 200)}`).toBe(503);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(res.headers.get('retry-after')).toBe(String(UNAVAILABLE_RETRY_AFTER_S));
  const problem = JSON.parse(text) as { code: string; status: number; detail: string };
  expect(problem).toMatchObject({ code: 'unavailable', status: 503 });
  expect(problem.detail).not.toMatch(/\n\s+at |\.ts:\d+/);
}

describe.each([
  ['missing', null],
  ['truncated JSON', '{"format":1,"snap'],
  ['JSON of the wrong shape', '{"snapshot":42}'],
])('a %s pointer in an isolate that never read a good one', (_, value) => {
  beforeAll(async () => {
    await freshSeed();
    if (value === null) await env.NEWS.delete(POINTER_KEY);
    else await env.NEWS.put(POINTER_KEY, value);
    forgetPointer();
  });

  it.each(ROUTES)('%s answers 503 problem+json with Retry-After', async (path) =>
    expectUnavailable(await fetchFresh(path), path),
  );
});

describe.each([
  ['missing', null],
  ['truncated JSON', '{"format":1,"snap'],
  ['JSON of the wrong shape', '{"snapshot":42}'],
])('a %s pointer after the isolate read a good one', (_, value) => {
  let live = '';
  beforeAll(async () => {
    forgetPointer();
    live = (await freshSeed()).snapshot;
    expect((await rereadPointer())?.snapshot).toBe(live);
    if (value === null) await env.NEWS.delete(POINTER_KEY);
    else await env.NEWS.put(POINTER_KEY, value);
    // The premise: a fresh read of KV now finds no good pointer, yet the isolate keeps its own.
    expect((await rereadPointer())?.snapshot).toBe(live);
  });

  it.each(ROUTES)('%s answers 200 from the last good snapshot', async (path) => {
    const res = await fetchFresh(path);
    const text = await res.text();
    expect(res.status, text.slice(0, 200)).toBe(200);
    if (!path.startsWith('/v1/sections') && !path.startsWith('/v1/health'))
      expect(text).toMatch(/[Ll]ighthouse/);
    if (path.startsWith('/v1/health')) expect(JSON.parse(text)).toMatchObject({ snapshot: live });
  });
});

describe('a pointer to a snapshot whose values were pruned', () => {
  beforeAll(async () => {
    forgetPointer();
    await freshSeed();
    // Everything but the pointer goes, as a prune that missed the live snapshot would leave it.
    let cursor: string | undefined;
    do {
      const page = await env.NEWS.list(cursor ? { cursor } : {});
      await Promise.all(
        page.keys.filter((k) => k.name !== POINTER_KEY).map((k) => env.NEWS.delete(k.name)),
      );
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor);
  });

  it('/v1/health answers 503 problem+json with Retry-After, not ok', async () => {
    await expectUnavailable(await fetchFresh('/v1/health'), '/v1/health');
  });
});
