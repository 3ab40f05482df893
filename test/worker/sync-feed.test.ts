/**
 * Sync parameters of the feed API through the real Worker: `since`/`until` on /v1/feed (with
 * filters, cursors and approved reader news merged in), `GET /v1/articles?ids=` and
 * `fields=`. Every expectation is computed from the seeded records or from the unfiltered
 * feed, never typed in.
 */
import { env, exports } from 'cloudflare:workers';
import { parseAtomFeed, parseJsonFeed, parseRssFeed } from 'feedsmith';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { RawArticle } from '../../src/core/content/article.ts';
import type { Pointer } from '../../src/core/snapshot/format.ts';
import { articleV2Key } from '../../src/core/snapshot/keys.ts';
import { forgetPointer } from '../../src/storage/snapshots.ts';
import { forgetApprovedNews } from '../../src/storage/submissions.ts';
import { expectClientError } from './expect-problem.ts';
import { article, getJson, seedSnapshot } from './seed.ts';
import { admin, approve, postAd, postNews } from './submissions-helpers.ts';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const START = Date.parse('2024-07-01T00:00:00Z');
const STEP = 10 * 60_000;
const SECTIONS = ['politics', 'sport', 'music'];

/** 330 stories, three at each published time (ties at every edge), over more than 3 pages. */
const RECORDS: RawArticle[] = Array.from({ length: 330 }, (_, i) =>
  article({
    title: `Sync story ${i} of the harbour`,
    section: SECTIONS[i % SECTIONS.length]!,
    lang: i % 2 === 0 ? 'en' : 'ru',
    published: new Date(START + Math.floor(i / 3) * STEP).toISOString(),
  }),
);
const at = (slot: number) => new Date(START + slot * STEP).toISOString();

interface Item {
  id: string;
  title: string;
  section: string;
  lang: string;
  published: string;
}
interface Feed {
  items: Item[];
  next_cursor: string | null;
  total: number;
}

const get = (path: string) => exports.default.fetch(`http://edge.test${path}`);

async function walk(query: string, limit: number): Promise<{ items: Item[]; totals: number[] }> {
  const items: Item[] = [];
  const totals: number[] = [];
  let cursor: string | null = null;
  do {
    const page: Feed = await getJson<Feed>(
      `/v1/feed?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    totals.push(page.total);
    cursor = page.next_cursor;
  } while (cursor);
  return { items, totals };
}

/** Titles of the seeded records published in (since, until], as sets (ties order by id). */
const titlesIn = (since?: string, until?: string, keep: (r: RawArticle) => boolean = () => true) =>
  RECORDS.filter(
    (r) =>
      keep(r) &&
      (since === undefined || Date.parse(r.published!) > Date.parse(since)) &&
      (until === undefined || Date.parse(r.published!) <= Date.parse(until)),
  )
    .map((r) => r.title)
    .sort();

describe('since and until on /v1/feed', () => {
  let all: Item[] = [];
  beforeAll(async () => {
    forgetPointer();
    forgetApprovedNews();
    await seedSnapshot(RECORDS);
    all = (await walk('', 100)).items;
    expect(all).toHaveLength(RECORDS.length);
  });

  const cases: [string, string | undefined, string | undefined, string][] = [
    ['since at a tie excludes the whole tie', at(100), undefined, ''],
    ['until at a tie includes the whole tie', undefined, at(7), ''],
    ['since and until, deep in the list', at(3), at(20), ''],
    ['a range with a section filter', at(10), at(90), 'section=sport'],
    ['a range with a language filter', at(50), undefined, 'lang=ru'],
    ['since after everything', at(500), undefined, ''],
    ['until before everything', undefined, '2024-06-30T00:00:00Z', ''],
  ];
  it.each(cases)('%s', async (_, since, until, filter) => {
    const query = [filter, since ? `since=${since}` : '', until ? `until=${until}` : '']
      .filter(Boolean)
      .join('&');
    const keep = (r: RawArticle) =>
      (!filter.startsWith('section=') || r.section === filter.slice(8)) &&
      (!filter.startsWith('lang=') || r.lang === filter.slice(5));
    const expected = titlesIn(since, until, keep);
    for (const limit of [7, 100]) {
      const { items, totals } = await walk(query, limit);
      expect(items.map((i) => i.title).sort()).toEqual(expected);
      // The same items in the same order as the unfiltered feed, and the range counted.
      const wanted = new Set(expected);
      expect(items.map((i) => i.id)).toEqual(
        all.filter((i) => wanted.has(i.title)).map((i) => i.id),
      );
      expect(new Set(totals)).toEqual(new Set([expected.length]));
    }
  });

  it('consecutive ranges (a, b] and (b, c] neither overlap nor leave a gap', async () => {
    const [a, b, c] = [at(5), at(40), at(90)];
    const first = (await walk(`since=${a}&until=${b}`, 50)).items.map((i) => i.id);
    const second = (await walk(`since=${b}&until=${c}`, 50)).items.map((i) => i.id);
    const whole = (await walk(`since=${a}&until=${c}`, 50)).items.map((i) => i.id);
    expect([...second, ...first]).toEqual(whole);
    expect(whole).toHaveLength(titlesIn(a, c).length);
  });

  it('reads offsets as the same instant (+03:00 is three hours before Z)', async () => {
    const utc = await getJson<Feed>(`/v1/feed?since=${at(60)}&limit=100`);
    const local = new Date(Date.parse(at(60)) + 3 * 3_600_000).toISOString().slice(0, 19);
    const offset = await getJson<Feed>(`/v1/feed?since=${local}%2B03:00&limit=100`);
    expect(offset.items.map((i) => i.id)).toEqual(utc.items.map((i) => i.id));
    expect(offset.total).toBe(titlesIn(at(60)).length);
  });

  it('keeps a cursor paging inside the range when until moves', async () => {
    const page = await getJson<Feed>(`/v1/feed?until=${at(80)}&limit=10`);
    // The same cursor with an earlier until starts at that until, not at the cursor.
    const earlier = await getJson<Feed>(
      `/v1/feed?until=${at(30)}&limit=10&cursor=${encodeURIComponent(page.next_cursor!)}`,
    );
    expect(earlier.items[0]!.published <= at(30)).toBe(true);
    expect(earlier.items.map((i) => i.id)).toEqual(
      all
        .filter((i) => i.published <= at(30))
        .slice(0, 10)
        .map((i) => i.id),
    );
  });

  it.each([
    ['since=yesterday', 'since'],
    ['since=2024-07-01', 'since'],
    ['since=2024-02-30T00:00:00Z', 'since'],
    ['until=2024-07-01T25:00:00Z', 'until'],
    ['since=2024-07-01T10:00:00', 'since'],
    // An unencoded + arrives as a space.
    ['since=2024-07-01T10:00:00+03:00', 'since'],
    [`since=${at(20)}&until=${at(10)}`, 'until'],
    ['since=a&since=b', 'since'],
  ])('refuses %s with a problem naming %s', async (query, field) => {
    const res = await get(`/v1/feed?${query}`);
    expect(res.status).toBe(400);
    const problem = (await res.clone().json()) as { code: string; errors: { field: string }[] };
    expect(problem.code).toBe('invalid_query');
    expect(problem.errors.map((e) => e.field)).toEqual([field]);
    await expectClientError(res, query);
  });

  it('merges approved reader news by its published time (the approval)', async () => {
    const newest = all[0]!.published;
    const posted = await postNews({
      title: 'Ferry timetable changes at the harbour this winter',
      section: 'sport',
      lang: 'en',
    });
    expect(posted.res.status).toBe(201);
    const id = `n-${posted.body.id}`;
    const before = new Date().toISOString();
    expect((await approve(posted.body.id)).status).toBe(200);
    forgetApprovedNews();
    const fresh = await getJson<Feed>(`/v1/feed?since=${newest}`);
    expect(fresh.items.map((i) => i.id)).toEqual([id]);
    expect(fresh.total).toBe(1);
    // Inside a range that holds snapshot items too, in its place by time.
    const mixed = await getJson<Feed>(`/v1/feed?since=${at(105)}&section=sport&limit=100`);
    expect(mixed.items.map((i) => i.id)).toEqual([
      id,
      ...all.filter((i) => i.section === 'sport' && i.published > at(105)).map((i) => i.id),
    ]);
    expect(mixed.total).toBe(titlesIn(at(105), undefined, (r) => r.section === 'sport').length + 1);
    // A range that ends before the approval leaves it out.
    const old = await getJson<Feed>(`/v1/feed?until=${before}&limit=5`);
    expect(old.items.map((i) => i.id)).toEqual(all.slice(0, 5).map((i) => i.id));
    expect(old.total).toBe(RECORDS.length);
  });
});

/**
 * A reader feed's items and next page as a third-party parser reads them (feedsmith): RSS
 * 2.0 titles and atom:link next, Atom entries and link next, JSON Feed items and next_url.
 */
const READERS = {
  xml: (text: string) => {
    const feed = parseRssFeed(text);
    return {
      titles: (feed.items ?? []).map((i) => i.title ?? ''),
      next: feed.atom?.links?.find((l) => l.rel === 'next')?.href,
    };
  },
  atom: (text: string) => {
    const feed = parseAtomFeed(text);
    return {
      // An Atom title is a text construct (RFC 4287 3.1): its value.
      titles: (feed.entries ?? []).map((e) =>
        typeof e.title === 'string' ? e.title : (e.title?.value ?? ''),
      ),
      next: feed.links?.find((l) => l.rel === 'next')?.href,
    };
  },
  json: (text: string) => {
    const feed = parseJsonFeed(JSON.parse(text));
    return { titles: (feed.items ?? []).map((i) => i.title ?? ''), next: feed.next_url };
  },
} as const;

describe('since and until on the reader feeds (RSS, Atom, JSON Feed)', () => {
  let all: Item[] = [];
  beforeAll(async () => {
    forgetPointer();
    forgetApprovedNews();
    await seedSnapshot(RECORDS);
    all = (await walk('', 100)).items;
  });

  /** Every page of a reader feed, following its next link, as feedsmith reads them. */
  async function readAll(ext: keyof typeof READERS, url: string) {
    const titles: string[] = [];
    const links: string[] = [];
    for (let next: string | undefined = url; next;) {
      const res = await exports.default.fetch(next);
      expect(res.status, next).toBe(200);
      const page = READERS[ext](await res.text());
      titles.push(...page.titles);
      // The Link header names the same next page as the feed itself.
      expect(res.headers.get('link')).toBe(page.next ? `<${page.next}>; rel="next"` : null);
      if (page.next) links.push(page.next);
      next = page.next;
    }
    return { titles, links };
  }

  const cases: [keyof typeof READERS, string, (r: RawArticle) => boolean][] = [
    ['xml', '/feed.xml', () => true],
    ['atom', '/feed.atom?lang=ru', (r) => r.lang === 'ru'],
    ['json', '/feed.json', () => true],
    ['xml', '/sections/sport/feed.xml', (r) => r.section === 'sport'],
    ['atom', '/sections/music/feed.atom', (r) => r.section === 'music'],
    [
      'json',
      '/sections/politics/feed.json?lang=en',
      (r) => r.section === 'politics' && r.lang === 'en',
    ],
  ];
  it.each(cases)('%s %s: the items of (since, until], paged inside it', async (ext, path, keep) => {
    const [since, until] = [at(12), at(70)];
    const sep = path.includes('?') ? '&' : '?';
    const { titles, links } = await readAll(
      ext,
      `http://edge.test${path}${sep}since=${since}&until=${until}&limit=20`,
    );
    const expected = titlesIn(since, until, keep);
    expect(expected.length).toBeGreaterThan(20);
    expect([...titles].sort()).toEqual(expected);
    // In the feed's own order, and every next page keeps the range.
    const wanted = new Set(expected);
    expect(titles).toEqual(all.filter((i) => wanted.has(i.title)).map((i) => i.title));
    expect(links.length).toBeGreaterThan(0);
    for (const link of links)
      expect([
        new URL(link).searchParams.get('since'),
        new URL(link).searchParams.get('until'),
      ]).toEqual([since, until]);
  });

  it('keeps the newest items after since alone, and none past the newest', async () => {
    const since = at(100);
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const { titles } = await readAll('xml', `http://edge.test/feed.xml?since=${since}`);
    // What /v1/feed answers for the same since (approved reader news of the tests above
    // included: they are the newest items).
    const api = (await walk(`since=${since}`, 100)).items.map((i) => i.title);
    expect(api.length).toBeGreaterThanOrEqual(titlesIn(since).length);
    expect(titles).toEqual(api);
    expect((await readAll('json', `http://edge.test/feed.json?since=${later}`)).titles).toEqual([]);
  });

  it.each([
    ['/feed.xml?since=yesterday', 'since'],
    ['/feed.atom?until=2024-07-01', 'until'],
    ['/feed.json?since=2024-07-01T10:00:00', 'since'],
    [`/sections/sport/feed.xml?since=${at(20)}&until=${at(10)}`, 'until'],
  ])('refuses %s with a problem naming %s', async (path, field) => {
    const res = await get(path);
    expect(res.status).toBe(400);
    const problem = (await res.clone().json()) as { code: string; errors: { field: string }[] };
    expect([problem.code, problem.errors.map((e) => e.field)]).toEqual(['invalid_query', [field]]);
    await expectClientError(res, path);
  });
});

describe('GET /v1/articles?ids= and fields=', () => {
  let all: Item[] = [];
  let pointer: Pointer;
  beforeAll(async () => {
    forgetPointer();
    forgetApprovedNews();
    ({ pointer } = await seedSnapshot(RECORDS));
    all = (await walk('', 100)).items;
  });

  it('keeps the articles it read in the isolate (snapshot values never change)', async () => {
    const ids = [all[310]!.id, all[311]!.id];
    const first = await getJson<{ items: { id: string }[] }>(`/v1/articles?ids=${ids.join(',')}`);
    expect(first.items.map((a) => a.id)).toEqual(ids);
    if (pointer.format !== 2) throw new Error('the seed publishes format 2');
    // Gone from KV: still served, from the isolate (another `fields` misses the edge cache).
    await env.NEWS.delete(articleV2Key(pointer.manifest.epoch, ids[0]!));
    const again = await getJson<{ items: { id: string }[]; missing: string[] }>(
      `/v1/articles?ids=${ids.join(',')}&fields=title`,
    );
    expect(again.items.map((a) => a.id)).toEqual(ids);
    expect(again.missing).toEqual([]);
  });

  it('returns the articles in the order asked, each once, and names the missing ids', async () => {
    const ids = [all[40]!.id, all[3]!.id, 'no-such-article', all[200]!.id, all[3]!.id];
    const body = await getJson<{ items: { id: string; title: string }[]; missing: string[] }>(
      `/v1/articles?ids=${ids.join(',')}`,
    );
    expect(body.items.map((a) => a.id)).toEqual([all[40]!.id, all[3]!.id, all[200]!.id]);
    expect(body.items.map((a) => a.title)).toEqual([
      all[40]!.title,
      all[3]!.title,
      all[200]!.title,
    ]);
    expect(body.missing).toEqual(['no-such-article']);
    // Each article is the one /v1/articles/:id serves.
    const one = await getJson(`/v1/articles/${all[40]!.id}`);
    expect(body.items[0]).toEqual(one);
  });

  it('takes up to 100 ids and refuses 101', async () => {
    const hundred = all.slice(0, 100).map((i) => i.id);
    const body = await getJson<{ items: { id: string }[]; missing: string[] }>(
      `/v1/articles?ids=${hundred.join(',')}`,
    );
    expect(body.items.map((a) => a.id)).toEqual(hundred);
    expect(body.missing).toEqual([]);
    const res = await get(
      `/v1/articles?ids=${all
        .slice(0, 101)
        .map((i) => i.id)
        .join(',')}`,
    );
    expect(res.status).toBe(400);
    const problem = (await res.clone().json()) as { errors: { field: string; message: string }[] };
    expect(problem.errors).toEqual([
      { field: 'ids', message: 'must be 1 to 100 article ids separated by commas' },
    ]);
    await expectClientError(res, '101 ids');
  });

  it.each([
    ['ids=', 'must be 1 to 100 article ids separated by commas'],
    ['ids=a,,b', 'has a value that is not an article id (lowercase letters, digits, dashes): ""'],
    ['ids=abc,Not_An_Id', 'has a value that is not an article id'],
    ['', 'must be 1 to 100 article ids separated by commas'],
    ['ids=a&ids=b', 'may be given only once'],
  ])('refuses %s', async (query, message) => {
    const res = await get(`/v1/articles?${query}`);
    expect(res.status).toBe(400);
    const problem = (await res.clone().json()) as { errors: { field: string; message: string }[] };
    expect(problem.errors.map((e) => e.field)).toEqual(['ids']);
    expect(problem.errors[0]!.message.startsWith(message)).toBe(true);
    await expectClientError(res, query);
  });

  it('trims feed items, articles and bulk articles to the fields asked (and id)', async () => {
    const feed = await getJson<Feed>('/v1/feed?fields=published,title&limit=5');
    expect(feed.items).toEqual(
      all.slice(0, 5).map((i) => ({ id: i.id, title: i.title, published: i.published })),
    );
    expect(feed.total).toBe(all.length);
    const one = await getJson(`/v1/articles/${all[0]!.id}?fields=body`);
    const full = await getJson<{ body: string }>(`/v1/articles/${all[0]!.id}`);
    expect(one).toEqual({ id: all[0]!.id, body: full.body });
    const bulk = await getJson<{ items: unknown[] }>(
      `/v1/articles?ids=${all[1]!.id},${all[2]!.id}&fields=section`,
    );
    expect(bulk.items).toEqual([
      { id: all[1]!.id, section: all[1]!.section },
      { id: all[2]!.id, section: all[2]!.section },
    ]);
  });

  it('keys the edge cache and the ETag by fields and ids', async () => {
    const plain = await get('/v1/feed?limit=3');
    const trimmed = await get('/v1/feed?limit=3&fields=title');
    expect(plain.headers.get('etag')).not.toBe(trimmed.headers.get('etag'));
    expect(Object.keys(((await trimmed.json()) as Feed).items[0]!)).toEqual(['id', 'title']);
    expect(Object.keys(((await plain.json()) as Feed).items[0]!).length).toBeGreaterThan(5);
    const a = await getJson<{ items: { id: string }[] }>(`/v1/articles?ids=${all[5]!.id}`);
    const b = await getJson<{ items: { id: string }[] }>(`/v1/articles?ids=${all[6]!.id}`);
    expect([a.items[0]!.id, b.items[0]!.id]).toEqual([all[5]!.id, all[6]!.id]);
    const full = await getJson(`/v1/articles/${all[7]!.id}`);
    const cut = await getJson(`/v1/articles/${all[7]!.id}?fields=title`);
    expect(Object.keys(full).length).toBeGreaterThan(2);
    expect(cut).toEqual({ id: all[7]!.id, title: all[7]!.title });
  });

  it.each([
    ['/v1/feed?fields=title,nope', 'has unknown field "nope": the fields are '],
    ['/v1/feed?fields=body', 'has unknown field "body": the fields are '],
    [
      '/v1/articles/x?fields=snippet,score',
      'has unknown fields "snippet", "score": the fields are ',
    ],
    ['/v1/articles?ids=x&fields=', 'has unknown field "": the fields are '],
  ])('refuses %s naming the field', async (path, message) => {
    const res = await get(path);
    expect(res.status).toBe(400);
    const problem = (await res.clone().json()) as { errors: { field: string; message: string }[] };
    expect(problem.errors.map((e) => e.field)).toEqual(['fields']);
    expect(problem.errors[0]!.message.startsWith(message)).toBe(true);
    await expectClientError(res, path);
  });
});

describe('Link rel="next" beside every next_cursor', () => {
  beforeAll(async () => {
    forgetPointer();
    forgetApprovedNews();
    await seedSnapshot(RECORDS);
  });

  /** The URL of a `Link: <url>; rel="next"` header, or null. */
  const nextLink = (res: Response) => {
    const header = res.headers.get('link');
    if (header === null) return null;
    const m = /^<([^>]+)>; rel="next"$/.exec(header);
    expect(m, header).not.toBeNull();
    return m![1]!;
  };

  it('on /v1/feed: the same URL on the request origin, its own parameters, the next cursor', async () => {
    const first = await exports.default.fetch(
      `http://other.test:9612/v1/feed?section=sport&limit=40&bogus=1&since=${at(2)}`,
    );
    const body = (await first.json()) as Feed;
    const link = nextLink(first)!;
    const url = new URL(link);
    expect(url.origin).toBe('http://other.test:9612');
    expect(url.pathname).toBe('/v1/feed');
    expect([...url.searchParams]).toEqual([
      ['section', 'sport'],
      ['limit', '40'],
      ['since', at(2)],
      ['cursor', body.next_cursor!],
    ]);
    // Following the links walks the range exactly as the cursors do, and the last page has none.
    const ids = body.items.map((i) => i.id);
    let next: string | null = link;
    let pages = 1;
    while (next) {
      const res = await exports.default.fetch(next);
      const page = (await res.json()) as Feed;
      ids.push(...page.items.map((i) => i.id));
      next = nextLink(res);
      expect(next === null).toBe(page.next_cursor === null);
      pages++;
    }
    const walked = await walk(`section=sport&since=${at(2)}`, 40);
    expect(ids).toEqual(walked.items.map((i) => i.id));
    expect(pages).toBe(walked.totals.length);
  });

  it('on /v1/search and the reader feeds', async () => {
    const res = await get('/v1/search?q=harbour&limit=5&sort=newest');
    const body = (await res.json()) as { next_cursor: string | null };
    expect(nextLink(res)).toBe(
      `http://edge.test/v1/search?q=harbour&limit=5&sort=newest&cursor=${encodeURIComponent(body.next_cursor!).replaceAll('%20', '+')}`,
    );
    const feed = await get('/sections/sport/feed.json?limit=5');
    const json = (await feed.json()) as { next_url: string };
    expect(nextLink(feed)).toBe(json.next_url);
    const last = await get('/v1/search?q=story+32&limit=50');
    expect(((await last.json()) as { next_cursor: string | null }).next_cursor).toBeNull();
    expect(nextLink(last)).toBeNull();
  });

  it('on the ads list and the admin list', async () => {
    for (let i = 0; i < 2; i++) {
      const { body } = await postAd({ title: `Bicycle for sale number ${i}` });
      expect((await approve(body.id)).status).toBe(200);
    }
    const ads = await get('/v1/ads?limit=1');
    const body = (await ads.json()) as { next_cursor: string };
    expect(nextLink(ads)).toBe(
      `http://edge.test/v1/ads?limit=1&cursor=${encodeURIComponent(body.next_cursor)}`,
    );
    const list = await exports.default.fetch(
      'http://edge.test/v1/admin/submissions?status=approved&limit=1',
      {
        headers: admin,
      },
    );
    const page = (await list.json()) as { next_cursor: string };
    expect(nextLink(list)).toBe(
      `http://edge.test/v1/admin/submissions?status=approved&limit=1&cursor=${encodeURIComponent(page.next_cursor)}`,
    );
  });
});
