/**
 * The poll (src/core/ingest/poll.ts) in Node against a real HTTP server on loopback serving
 * the fixture feeds (./ingest-server.ts), publishing into a real local KV (Miniflare, as
 * `npm run ingest -- --local` does) under the file lease of scripts/lib/publish-lease.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalKv } from '../../scripts/lib/local-kv.ts';
import { fileLease } from '../../scripts/lib/publish-lease.ts';
import type { Article } from '../../src/core/content/article.ts';
import type { KvStore } from '../../src/core/lib/kv-store.ts';
import { parseStored } from '../../src/core/lib/kv-store.ts';
import { normalizeRecord } from '../../src/core/content/records.ts';
import { decideLease, decideRelease, leasedPublisher } from '../../src/core/ingest/lease.ts';
import { pollSources, type PollSummary, type Publisher } from '../../src/core/ingest/poll.ts';
import { liveArticles as readArchive, publishArticles } from '../../src/core/ingest/publish.ts';
import { feedId, parseSources, type Source } from '../../src/core/ingest/sources.ts';
import { BACKOFF_BASE_MS, FeedState } from '../../src/core/ingest/state.ts';
import { feedStateKey } from '../../src/core/snapshot/keys.ts';
import { readPointer } from '../../src/core/snapshot/publish.ts';
import { type FeedServer, type Item, startFeedServer } from './ingest-server.ts';

const HOST_DELAY_MS = 100;
const T0 = new Date('2024-07-15T12:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

const A: Item = {
  guid: 'a',
  title: 'Harbour bridge reopens after repairs',
  published: '2024-07-15T09:00:00Z',
  author: 'Jane Roe',
  credit: 'Photo: Port Authority',
};
const B: Item = {
  guid: 'b',
  title: 'City council approves new cycling lanes',
  published: '2024-07-15T10:00:00Z',
};
const C: Item = {
  guid: 'c',
  title: 'Museum unveils restored medieval tapestry',
  published: '2024-07-15T11:30:00Z',
  author: 'Max Mustermann',
};

let server: FeedServer;
let dir: string;
let kv: { store: KvStore; close: () => Promise<void> };
let publisher: Publisher;

function sources(): Source[] {
  const feed = (base: string, path: string, source: string): Source => ({
    url: `${base}${path}`,
    source,
    section: 'world',
    lang: 'en',
  });
  return [
    feed(server.url, '/live.xml', 'Polled Wire'),
    feed(server.url, '/broken.xml', 'Broken Wire'),
    feed(server.url, '/slow.xml', 'Slow Wire'),
    feed(server.url, '/limited.xml', 'Limited Wire'),
    // Same host as the 429: deferred by its Retry-After.
    feed(server.url, '/after-limit.xml', 'Deferred Wire'),
    // Another host (the same server as "localhost"): not held up by the first host.
    { ...feed(server.otherHost, '/windows-1251.xml', 'Лента'), lang: 'ru' },
  ];
}

const poll = (now: Date, publish = publisher) =>
  pollSources(
    sources(),
    { store: kv.store, fetch, publish, now: () => now },
    { hostDelayMs: HOST_DELAY_MS, timeoutMs: 500 },
  );

const byUrl = (summary: PollSummary, path: string) =>
  summary.reports.find((r) => r.url.endsWith(path));

async function stateOf(path: string): Promise<FeedState | null> {
  const url = sources().find((s) => s.url.endsWith(path))!.url;
  const key = feedStateKey(feedId(url));
  return parseStored(key, await kv.store.get(key), FeedState);
}

/** The live archive, checked against the pointer's own article count. */
async function liveArticles(): Promise<Article[]> {
  const pointer = await readPointer(kv.store);
  if (!pointer) return [];
  const articles = await readArchive(kv.store, pointer);
  expect(articles).toHaveLength(pointer.counts.articles);
  return articles;
}

beforeAll(async () => {
  server = await startFeedServer([A, B]);
  dir = await mkdtemp(join(tmpdir(), 'edge-news-ingest-'));
  kv = await openLocalKv({ persistTo: dir });
  publisher = leasedPublisher(
    fileLease(join(dir, 'publish-lease.json')),
    'test',
    (articles, live) =>
      publishArticles(kv.store, articles, { expectedLive: live, now: () => new Date() }),
  );
});

afterAll(async () => {
  await kv?.close();
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a poll over the fixture feeds', () => {
  let first: PollSummary;
  beforeAll(async () => {
    first = await poll(T0);
  });

  it('reads the good feeds, a windows-1251 one included, and publishes their items', async () => {
    expect(byUrl(first, '/live.xml')).toMatchObject({
      result: 'new',
      status: 200,
      items: 2,
      new: 2,
      charset: 'utf-8',
    });
    expect(byUrl(first, '/windows-1251.xml')).toMatchObject({
      result: 'new',
      items: 5,
      new: 5,
      charset: 'windows-1251',
    });
    expect(first).toMatchObject({
      feeds: 6,
      fetched: 2,
      failed: 3,
      deferred: 1,
      new_articles: 7,
      publish_error: null,
    });
    expect(first.published?.added).toBe(7);
    const titles = (await liveArticles()).map((a) => a.title).sort();
    expect(titles).toEqual(
      [
        A.title,
        B.title,
        'Курс рубля укрепился к вечеру пятницы',
        'В Москве открыли новую станцию метро',
        'Синоптики обещают жару до конца недели',
        'Сборная России вышла в финал турнира',
        'Учёные нашли древнее поселение на Урале',
      ].sort(),
    );
    const harbour = (await liveArticles()).find((a) => a.title === A.title);
    expect(harbour).toMatchObject({
      source: 'Polled Wire',
      authors: ['Jane Roe'],
      image_credit: 'Photo: Port Authority',
    });
  });

  it('records each failure with its reason and a retry time, and never stops the others', async () => {
    const retry = at(BACKOFF_BASE_MS).toISOString();
    expect(byUrl(first, '/broken.xml')).toMatchObject({
      result: 'failed',
      status: 200,
      next_at: retry,
    });
    expect(byUrl(first, '/broken.xml')?.error).toMatch(
      /^not a readable RSS, Atom, RDF or JSON feed: /,
    );
    expect(byUrl(first, '/slow.xml')).toMatchObject({
      result: 'failed',
      status: null,
      error: 'no answer within 500 ms',
      next_at: retry,
    });
    // Retry-After: 120 wins over the backoff.
    expect(byUrl(first, '/limited.xml')).toMatchObject({
      result: 'failed',
      status: 429,
      error: 'HTTP 429',
      next_at: at(120_000).toISOString(),
    });
    expect(byUrl(first, '/after-limit.xml')).toMatchObject({
      result: 'deferred',
      error: `${new URL(server.url).host} sent Retry-After`,
      next_at: at(120_000).toISOString(),
    });
    expect(server.hits('/after-limit.xml')).toBe(0);
    expect(await stateOf('/broken.xml')).toMatchObject({
      failures: 1,
      last_status: 200,
      next_at: retry,
      etag: null,
    });
  });

  it('waits the per-host delay between requests to one host, not across hosts', () => {
    const local = server.requests.filter((r) => r.headers.host === new URL(server.url).host);
    expect(local.map((r) => r.path)).toEqual([
      '/live.xml',
      '/broken.xml',
      '/slow.xml',
      '/limited.xml',
    ]);
    // The slow feed's gap is its timeout plus the delay; each gap is at least the delay.
    for (let i = 1; i < local.length; i++)
      expect(local[i]!.at - local[i - 1]!.at).toBeGreaterThanOrEqual(HOST_DELAY_MS - 2);
    const other = server.requests.find((r) => r.path === '/windows-1251.xml')!;
    // The other host did not queue behind this one's delays.
    expect(other.at).toBeLessThan(local[1]!.at);
  });

  it('next poll: a conditional GET gets 304, failed feeds back off, nothing is published', async () => {
    const before = server.requests.length;
    const second = await poll(at(1000));
    const sent = server.requests.slice(before);
    // The two hosts run at once: compare in path order.
    expect(sent.map((r) => [r.path, r.status]).sort()).toEqual([
      ['/live.xml', 304],
      ['/windows-1251.xml', 200],
    ]);
    expect(sent.find((r) => r.path === '/live.xml')?.headers).toMatchObject({
      'if-none-match': '"v1"',
      'if-modified-since': 'Mon, 15 Jul 2024 10:01:00 GMT',
    });
    expect(second).toMatchObject({
      not_modified: 1,
      fetched: 1,
      backing_off: 4,
      new_articles: 0,
      published: null,
    });
    expect(byUrl(second, '/windows-1251.xml')).toMatchObject({
      result: 'unchanged',
      new: 0,
      items: 5,
    });
  });

  it('later: a new item is published, an item gone upstream stays, failures back off longer', async () => {
    server.setItems([B, C]);
    const third = await poll(at(BACKOFF_BASE_MS + 1000));
    expect(byUrl(third, '/live.xml')).toMatchObject({ result: 'new', items: 2, new: 1 });
    expect(third.published?.added).toBe(1);
    const titles = (await liveArticles()).map((a) => a.title);
    expect(titles).toContain(C.title);
    expect(titles).toContain(A.title);
    expect(titles).toHaveLength(8);
    expect(await stateOf('/broken.xml')).toMatchObject({
      failures: 2,
      next_at: at(BACKOFF_BASE_MS + 1000 + 2 * BACKOFF_BASE_MS).toISOString(),
    });
    expect(await stateOf('/live.xml')).toMatchObject({
      etag: '"v2"',
      failures: 0,
      last_status: 200,
    });
  });
});

describe('a publish that fails', () => {
  it('leaves the feed unremembered, so the next poll fetches it in full and publishes it', async () => {
    server.setItems([
      B,
      C,
      {
        guid: 'd',
        title: 'Lighthouse keeper retires after forty years',
        published: '2024-07-15T11:45:00Z',
      },
    ]);
    const failing: Publisher = () => Promise.reject(new Error('KV is down'));
    const now = at(24 * 3_600_000);
    const failed = await poll(now, failing);
    expect(failed).toMatchObject({ new_articles: 1, published: null, publish_error: 'KV is down' });
    expect(await stateOf('/live.xml')).toMatchObject({ etag: '"v2"' });
    const before = server.requests.length;
    const retried = await poll(at(24 * 3_600_000 + 1000));
    const live = server.requests.slice(before).find((r) => r.path === '/live.xml');
    expect(live?.headers['if-none-match']).toBe('"v2"');
    expect(live?.status).toBe(200);
    expect(retried.published?.added).toBe(1);
  });
});

describe('the sources file', () => {
  it('parses the repository file', async () => {
    const { readFile } = await import('node:fs/promises');
    const parsed = parseSources(
      await readFile('scripts/sources.json', 'utf8'),
      'scripts/sources.json',
    );
    expect(parsed.length).toBeGreaterThan(0);
    for (const s of parsed) expect(s.url).toMatch(/^https:\/\//);
  });

  it('names the entry and field that is wrong', () => {
    const file = (sources: unknown[]) => JSON.stringify({ format: 1, sources });
    const good = { url: 'https://a.example/rss', source: 'A', section: 'world', lang: 'ru' };
    expect(() => parseSources(file([good, { ...good, url: 'ftp://x' }]), 's.json')).toThrow(
      's.json: sources[1].url: must be an absolute http(s) URL',
    );
    expect(() => parseSources(file([{ ...good, lang: 'not a tag!' }]), 's.json')).toThrow(
      's.json: sources[0].lang: must be a BCP 47 language tag such as "ru"',
    );
    expect(() => parseSources(file([{ ...good, charset: 'x-klingon' }]), 's.json')).toThrow(
      's.json: sources[0].charset: must be a charset label TextDecoder knows, e.g. "windows-1251"',
    );
    expect(() => parseSources(file([good, good]), 's.json')).toThrow(
      's.json: sources: every url must be listed once',
    );
    expect(() => parseSources('{', 's.json')).toThrow(/^s\.json: not JSON: /);
  });
});

describe('two publishers at once', () => {
  const story = (title: string) =>
    normalizeRecord(
      { source: 'Desk', section: 'world', lang: 'en', published: '2024-07-16T08:00:00Z', title },
      { file: 'test', line: 1 },
    );

  it("take turns through the lease, so neither loses the other one's articles", async () => {
    const lease = fileLease(join(dir, 'publish-lease.json'));
    const publisherOf = (holder: string) =>
      leasedPublisher(
        lease,
        holder,
        (articles, live) => publishArticles(kv.store, articles, { expectedLive: live }),
        { retryMs: 20 },
      );
    const before = (await liveArticles()).length;
    const [poll, build] = await Promise.all([
      publisherOf('poll')([story('Tram line extension opens to the airport')]),
      publisherOf('manual build')([story('Old town square gets a new fountain')]),
    ]);
    expect(poll.snapshot).not.toBe(build.snapshot);
    const titles = (await liveArticles()).map((a) => a.title);
    expect(titles).toHaveLength(before + 2);
    expect(titles).toEqual(
      expect.arrayContaining([
        'Tram line extension opens to the airport',
        'Old town square gets a new fountain',
      ]),
    );
  });

  it('grants a free or expired lease only, and only its own token releases it', () => {
    const first = decideLease(null, 'a', 1000, 0);
    expect(first.result).toEqual({ ok: true, token: 1, live: null, expires_at: 1000 });
    expect(decideLease(first.next, 'b', 1000, 999).result).toEqual({
      ok: false,
      holder: 'a',
      expires_at: 1000,
    });
    expect(decideRelease(first.next, 2, 'snap')).toBeNull();
    const released = decideRelease(first.next, 1, 'snap');
    expect(released).toEqual({ token: 1, holder: null, expires_at: 0, live: 'snap' });
    expect(decideLease(released, 'b', 1000, 5).result).toEqual({
      ok: true,
      token: 2,
      live: 'snap',
      expires_at: 1005,
    });
    // A holder that died: its lease expires and the next one takes over with a new token.
    const takeover = decideLease(first.next, 'b', 1000, 1000);
    expect(takeover.result).toMatchObject({ ok: true, token: 2 });
    expect(decideRelease(takeover.next, 1, 'late')).toBeNull();
  });
});
