/**
 * Fault: a read another request has in flight, and that does not answer (a stalled KV read,
 * test/worker/faulty-kv.ts). A request never waits on it: in workerd that wait is not I/O of
 * the waiting request's own, so once its own reads are done the runtime cancels it as hung
 * (a 500 under `npm run bench:load`), or it waits as long as the other read does. Each case
 * starts the stalled read in this test's own context (another request, as the Worker sees
 * it) on a cold isolate, then asks the Worker (`exports.default.fetch`, a request of its own)
 * for a route that needs the same value.
 */
import { env, exports } from 'cloudflare:workers';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ARTICLE_V2_PREFIX, POINTER_KEY, SEARCH_V2_PREFIX } from '../../src/core/snapshot/keys.ts';
import type { Pointer } from '../../src/core/snapshot/format.ts';
import { KV_READ_DEADLINE_MS } from '../../src/storage/kv-binding.ts';
import { forgetPointer, getPointer, readArticle } from '../../src/storage/snapshots.ts';
import { forgetApprovedNews } from '../../src/storage/submissions.ts';
import { searchSegmentIds, snapshotIndex } from '../../src/storage/search-index.ts';
import { SearchEngine, parseQuery } from '../../src/core/search/query.ts';
import { type FaultyKv, faultyKv } from './faulty-kv.ts';
import { article, seedSnapshot } from './seed.ts';

/** Far past the Worker's own bound on a KV read (5 s): only a request that never answers gets here. */
const HUNG_MS = 20_000;

let seeds = 0;
let pointer: Pointer;
let articleId = '';
let faulty: FaultyKv | undefined;

/** A snapshot of its own text (so a search index of its own) and a cold isolate. */
beforeEach(async () => {
  const title = `Harbour ferry timetable, edition ${++seeds}`;
  const seeded = await seedSnapshot([article({ title, body: `${title}. The ferry sails.` })]);
  pointer = seeded.pointer;
  const key = seeded.built.entries.find((e) => e.key.startsWith(ARTICLE_V2_PREFIX))!.key;
  articleId = key.slice(key.lastIndexOf(':') + 1);
  forgetPointer();
  forgetApprovedNews();
});

afterEach(() => faulty?.release());

/**
 * The Worker's answer to `path`, as a request of its own; 'no answer' if it never comes. It
 * must not wait out the stalled read either: that one fails only at its deadline.
 */
async function answer(path: string): Promise<string> {
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve('no answer'), HUNG_MS);
  });
  const asked = exports.default
    .fetch(`http://edge.test${path}`)
    .then(async (res) => `${res.status} ${(await res.text()).slice(0, 120)}`);
  try {
    const got = await Promise.race([asked, hung]);
    expect(Date.now() - started, `${path} waited for the stalled read`).toBeLessThan(
      KV_READ_DEADLINE_MS,
    );
    return got;
  } finally {
    clearTimeout(timer);
  }
}

it('the pointer: a request whose pointer read is in flight elsewhere reads it itself', async () => {
  faulty = faultyKv(env.NEWS, 'stall', (k) => k === POINTER_KEY);
  const elsewhere = getPointer(faulty.kv).catch(() => null);
  expect(await answer('/v1/feed?limit=3')).toMatch(/^200 .*Harbour ferry/);
  expect(await answer('/v1/health?x=1')).toMatch(/^200 /);
  faulty.release();
  await elsewhere;
});

it('an article: a request whose article load is in flight elsewhere reads it itself', async () => {
  expect(await answer('/v1/health?x=2')).toMatch(/^200 /);
  faulty = faultyKv(env.NEWS, 'stall', (k) => k.startsWith(ARTICLE_V2_PREFIX));
  const elsewhere = readArticle(faulty.kv, pointer, articleId).catch(() => null);
  expect(await answer(`/v1/articles/${articleId}`)).toMatch(/^200 .*Harbour ferry/);
  faulty.release();
  await elsewhere;
});

it('the search index: a search whose index loads are in flight elsewhere reads them itself', async () => {
  expect(await answer('/v1/health?x=3')).toMatch(/^200 /);
  faulty = faultyKv(env.NEWS, 'stall', (k) => k.startsWith(SEARCH_V2_PREFIX));
  const reader = snapshotIndex(faulty.kv, searchSegmentIds(pointer), () => undefined);
  new SearchEngine(reader).prefetch({
    q: parseQuery('ferry'),
    sort: 'relevance',
    offset: 0,
    limit: 10,
  });
  expect(await answer('/v1/search?q=ferry')).toMatch(/^200 .*"total":1,/);
  expect(await answer('/v1/suggest?q=ferr')).toMatch(/^200 .*ferry/);
  faulty.release();
});

it('24 requests at once, refusals and reads mixed, while the pointer read is in flight elsewhere', async () => {
  faulty = faultyKv(env.NEWS, 'stall', (k) => k === POINTER_KEY);
  const elsewhere = getPointer(faulty.kv).catch(() => null);
  const reads = [
    '/v1/feed',
    '/v1/sections',
    '/v1/health',
    '/feed.xml',
    '/feed.atom',
    '/sections/world/feed.json',
    `/v1/articles/${articleId}`,
    '/v1/search?q=ferry',
    '/v1/suggest?q=ferr',
    '/',
    '/search?q=ferry',
    '/v1/feed?lang=en&limit=2',
  ];
  const refusals = [
    '/v1/feed?limit=0',
    '/v1/feed?limit=2&limit=3',
    '/v1/search?q=',
    '/v1/search?q=a&q=b',
    '/v1/search?q=ferry&sort=best',
    '/v1/suggest?q=ab&limit=21',
    '/feed.atom?lang=!!',
    '/v1/articles/NOT_AN_ID!',
    '/v1/nothing-here',
    '/v1/search?q=ferry&from=yesterday',
    '/feed.json?cursor=%00',
    '/v1/ads?limit=0',
  ];
  const all = reads.flatMap((read, i) => [read, refusals[i]!]);
  const answers = await Promise.all(all.map(answer));
  expect(answers.map((a, i) => `${all[i]} ${a.slice(0, 3)}`)).toEqual(
    all.map(
      (path) =>
        `${path} ${reads.includes(path) ? '200' : path === '/v1/nothing-here' ? '404' : '400'}`,
    ),
  );
  faulty.release();
  await elsewhere;
});
