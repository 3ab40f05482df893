/**
 * Fault: a value the live snapshot names is damaged in the real local KV: truncated, replaced
 * by a value of another kind (valid JSON, wrong shape), or deleted. Every route that needs
 * the value answers 503 problem+json with Retry-After (the HTML pages a 503 page), every
 * route that does not keeps answering 200 from what is still good, and nothing answers 500.
 * A broken search index never takes the feeds down. A corrupt ad projection falls back to
 * the Durable Object.
 */
import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  adKey,
  articleV2Key,
  FEED_V2_PREFIX,
  SEARCH_HEAD_KEY,
  SEARCH_V2_PREFIX,
  SECTIONS_V2_PREFIX,
} from '../../src/core/snapshot/keys.ts';
import { UNAVAILABLE_RETRY_AFTER_S } from '../../src/http/pointer.ts';
import { forgetPointer } from '../../src/storage/snapshots.ts';
import { article, seedSnapshot } from './seed.ts';
import { approve, postAd } from './submissions-helpers.ts';

vi.setConfig({ testTimeout: 60_000 });

/** Every key under a prefix in the real local KV. */
async function keysUnder(prefix: string): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.NEWS.list({ prefix, ...(cursor ? { cursor } : {}) });
    names.push(...page.keys.map((k) => k.name));
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return names;
}

/** A fault applied to a stored value, through the binding (`other` is a value of another kind). */
type Fault = (key: string, other: string) => Promise<void>;
const FAULTS: [string, Fault][] = [
  ['truncated', async (key) => env.NEWS.put(key, ((await env.NEWS.get(key)) ?? '').slice(0, 40))],
  ['the wrong thing (valid JSON of another kind)', (key, other) => env.NEWS.put(key, other)],
  ['deleted', (key) => env.NEWS.delete(key)],
];

const LIGHTHOUSE = 'Lighthouse keeper retires after forty years';
const COMET = 'Comet seen over the northern hills';

let seeds = 0;
/**
 * A fresh snapshot: two sections, so one list can break while the other stays good. Each
 * one's text differs, so its search index (named by its content) is new too, and no parsed
 * part cached in the isolate from an earlier case hides the damage.
 */
async function seed() {
  const mark = `Edition ${++seeds}.`;
  const { pointer } = await seedSnapshot([
    article({ title: LIGHTHOUSE, section: 'world', body: `${LIGHTHOUSE}. ${mark}` }),
    article({
      title: COMET,
      section: 'science',
      published: '2024-07-14T08:00:00Z',
      body: `${COMET}. ${mark}`,
    }),
  ]);
  forgetPointer();
  if (pointer.format !== 2) throw new Error('the seed publishes format 2');
  return pointer;
}

/** A different URL on each call (limit is in the edge-cache key), so no cached 200 hides a fault. */
let probe = 0;
const fresh = (path: string) =>
  `http://edge.test${path}${path.includes('?') ? '&' : '?'}limit=${1 + (++probe % 20)}`;
const get = (path: string) => exports.default.fetch(fresh(path));

async function expectUnavailable(path: string) {
  const res = await get(path);
  const text = await res.text();
  expect(res.status, `${path}: ${text.slice(0, 300)}`).toBe(503);
  expect(res.headers.get('retry-after'), path).toBe(String(UNAVAILABLE_RETRY_AFTER_S));
  const html = !path.startsWith('/v1/') && !path.includes('feed.');
  if (!html) {
    expect(res.headers.get('content-type'), path).toBe('application/problem+json');
    expect(JSON.parse(text)).toMatchObject({ status: 503, code: 'unavailable' });
  } else {
    expect(res.headers.get('content-type'), path).toMatch(/^text\/html/);
  }
  // No stack trace (the pages' inline script has lines that start with "at": files only there).
  expect(text, path).not.toMatch(html ? /\.ts:\d+/ : /\n\s+at |\.ts:\d+/);
}

async function expectGood(path: string, shows: RegExp) {
  const res = await get(path);
  const text = await res.text();
  expect(res.status, `${path}: ${text.slice(0, 300)}`).toBe(200);
  expect(text, path).toMatch(shows);
}

/** The routes that read the unfiltered list (`*.*.*`). */
const ALL_LIST_ROUTES = ['/v1/feed', '/feed.json', '/feed.xml', '/feed.atom'];

describe.each(FAULTS)('the feed pages of the unfiltered list, %s', (_, fault) => {
  beforeAll(async () => {
    await seed();
    const sections = await keysUnder(SECTIONS_V2_PREFIX);
    const other = (await env.NEWS.get(sections.at(-1)!)) ?? '';
    const pages = await keysUnder(`${FEED_V2_PREFIX}*.*.*:`);
    expect(pages.length).toBeGreaterThan(0);
    for (const key of pages) await fault(key, other);
  });

  it.each(ALL_LIST_ROUTES)('%s answers 503 problem+json with Retry-After', expectUnavailable);

  it.each([
    ['/v1/feed?section=science', /Comet/],
    ['/sections/world/feed.json', /Lighthouse/],
    ['/sections/world/feed.xml', /Lighthouse/],
    ['/sections/world/feed.atom', /Lighthouse/],
    ['/v1/search?q=lighthouse', /Lighthouse/],
    ['/v1/sections', /science/],
  ])('%s, which does not need those pages, answers 200', expectGood);
});

describe.each(FAULTS)('an article value, %s', (name, fault) => {
  let broken = '';
  let good = '';
  beforeAll(async () => {
    const pointer = await seed();
    const feed = (await (await get('/v1/feed')).json()) as {
      items: { id: string; title: string }[];
    };
    broken = feed.items.find((a) => a.title === LIGHTHOUSE)!.id;
    good = feed.items.find((a) => a.title === COMET)!.id;
    const other = (await env.NEWS.get((await keysUnder(SECTIONS_V2_PREFIX)).at(-1)!)) ?? '';
    await fault(articleV2Key(pointer.manifest.epoch, broken), other);
  });

  // A deleted value reads as "no such article": KV cannot tell it from an id that never was.
  if (name === 'deleted')
    it('its article route answers 404 problem+json', async () => {
      const res = await get(`/v1/articles/${broken}`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    });
  else
    it.each(['/v1/articles/:id', '/articles/:id'])('%s answers 503 with Retry-After', (path) =>
      expectUnavailable(path.replace(':id', broken)),
    );

  it('the other article, the feeds and search answer 200', async () => {
    await expectGood(`/v1/articles/${good}`, /Comet/);
    await expectGood('/v1/feed', /Lighthouse/);
    await expectGood('/feed.xml', /Lighthouse/);
    await expectGood('/v1/search?q=comet', /Comet/);
  });
});

describe.each(FAULTS)('the sections value, %s', (_, fault) => {
  beforeAll(async () => {
    await seed();
    const [key] = (await keysUnder(SECTIONS_V2_PREFIX)).slice(-1);
    const other = (await env.NEWS.get((await keysUnder(`${FEED_V2_PREFIX}*.*.*:`))[0]!)) ?? '';
    await fault(key!, other);
  });

  it('/v1/health answers 503 with Retry-After', () => expectUnavailable('/v1/health'));

  it('the feeds and search answer 200', async () => {
    await expectGood('/v1/feed', /Lighthouse/);
    await expectGood('/feed.atom', /Lighthouse/);
    await expectGood('/v1/search?q=comet', /Comet/);
  });
});

/** Search parts by kind: `meta` also has its copy in the search head, damaged with it. */
const PART_KINDS = ['meta', 'terms', 'vocab', 'docs'] as const;

describe.each(PART_KINDS.flatMap((kind) => FAULTS.map(([name, f]) => [kind, name, f] as const)))(
  'the search index part "%s", %s',
  (kind, _, fault) => {
    beforeAll(async () => {
      const pointer = await seed();
      const index = pointer.manifest.search.segments.at(-1)!.id;
      const parts = await keysUnder(`${SEARCH_V2_PREFIX}${index}:`);
      // A value of another kind: for the docs parts a terms part, for the others a docs part.
      const donor = parts.find((k) => k.includes(kind === 'docs' ? ':terms.' : ':docs.'))!;
      const other = (await env.NEWS.get(donor)) ?? '';
      const hit = parts.filter((k) => k.endsWith(`:${kind}`) || k.includes(`:${kind}.`));
      expect(hit.length, kind).toBeGreaterThan(0);
      for (const key of hit) await fault(key, other);
      if (kind === 'meta') await fault(SEARCH_HEAD_KEY, other);
    });

    // Suggest reads the meta and the vocabulary only: it stays up when the rest is damaged.
    const suggests = kind === 'meta' || kind === 'vocab';
    const searchRoutes = ['/v1/search?q=lighthouse', '/search?q=lighthouse'];
    if (suggests) searchRoutes.push('/v1/suggest?q=lightho');
    it.each(searchRoutes)('%s answers 503 with Retry-After', expectUnavailable);

    it.each([
      ['/v1/feed', /Lighthouse/],
      ['/feed.json', /Lighthouse/],
      ['/feed.xml', /Lighthouse/],
      ['/feed.atom', /Lighthouse/],
      ['/v1/sections', /world/],
      ['/v1/health', /"ok"/],
      ['/', /Lighthouse/],
    ])('%s, which does not read the index, answers 200', expectGood);

    if (!suggests)
      it('/v1/suggest, which reads neither meta nor vocabulary, answers 200', () =>
        expectGood('/v1/suggest?q=lightho', /lighthouse/));
  },
);

describe.each([
  ['not JSON', '{"id":"x","title":"Sound'],
  ['JSON of the wrong shape', '{"id":42}'],
])('a corrupt ad projection (sub:v1:ad:<id>), %s', (_, value) => {
  let id = '';
  beforeAll(async () => {
    const { body } = await postAd({ title: 'Rehearsal room by the hour' });
    id = body.id;
    expect((await approve(id)).status).toBe(200);
    await vi.waitFor(async () => expect(await env.NEWS.get(adKey(id))).not.toBeNull(), {
      timeout: 30_000,
      interval: 50,
    });
    await env.NEWS.put(adKey(id), value);
  });

  it('GET /v1/ads/:id answers 200 from the Durable Object', async () => {
    const res = await exports.default.fetch(`http://edge.test/v1/ads/${id}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id, title: 'Rehearsal room by the hour' });
  });

  it('the ad page answers 200 from the Durable Object', async () => {
    const res = await exports.default.fetch(`http://edge.test/ads/${id}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Rehearsal room by the hour');
  });
});
