import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RawArticle } from '../../src/core/content/article.ts';
import { articleKey } from '../../src/core/snapshot/keys.ts';
import { forgetPointer } from '../../src/storage/snapshots.ts';
import { article, seedIncremental, seedSnapshot } from './seed.ts';

const SECTIONS = ['politics', 'sport', 'music', 'moscow'];
const LANGS = ['ru', 'en', 'uk'];
const SOURCES = ['Wire One', 'Wire Two', 'Третий канал'];

/** 250 distinct articles, one a minute, spread over sections, languages and sources. */
function corpus(n: number, start = Date.parse('2024-07-01T00:00:00Z')): RawArticle[] {
  return Array.from({ length: n }, (_, i) =>
    article({
      title: `Story number ${i} about item ${i * 7919}`,
      section: SECTIONS[i % SECTIONS.length]!,
      lang: LANGS[i % LANGS.length]!,
      source: SOURCES[i % SOURCES.length]!,
      published: new Date(start + i * 60_000).toISOString(),
    }),
  );
}

const get = (path: string, init?: RequestInit) =>
  exports.default.fetch(`http://edge.test${path}`, init);

interface FeedBody {
  items: {
    id: string;
    title: string;
    section: string;
    lang: string;
    source: string;
    published: string;
  }[];
  next_cursor: string | null;
  total: number;
}

async function walk(query: string, limit: number): Promise<FeedBody['items']> {
  const seen: FeedBody['items'] = [];
  let cursor: string | null = null;
  do {
    const res = await get(`/v1/feed?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as FeedBody;
    expect(body.items.length).toBeLessThanOrEqual(limit);
    seen.push(...body.items);
    cursor = body.next_cursor;
  } while (cursor);
  return seen;
}

describe('GET /v1/feed', () => {
  const records = corpus(250);
  beforeAll(async () => {
    forgetPointer();
    await seedSnapshot(records);
  });

  it('walks every item exactly once, newest first', async () => {
    const items = await walk('', 37);
    expect(items).toHaveLength(250);
    expect(new Set(items.map((i) => i.id)).size).toBe(250);
    const times = items.map((i) => i.published);
    expect(times).toEqual([...times].sort().reverse());
  });

  it('defaults to 20 items and reports the total', async () => {
    const body = (await (await get('/v1/feed')).json()) as FeedBody;
    expect(body.items).toHaveLength(20);
    expect(body.total).toBe(250);
    expect(body.items[0]!.title).toBe('Story number 249 about item 1971831');
  });

  it.each([
    ['section=sport', (i: FeedBody['items'][number]) => i.section === 'sport'],
    ['lang=uk', (i: FeedBody['items'][number]) => i.lang === 'uk'],
    ['source=wire-two', (i: FeedBody['items'][number]) => i.source === 'Wire Two'],
    [
      'source=Третий%20канал&lang=uk&section=politics',
      (i: FeedBody['items'][number]) =>
        i.source === 'Третий канал' && i.lang === 'uk' && i.section === 'politics',
    ],
  ])('filters by %s', async (query, predicate) => {
    const expected = records.filter((r) =>
      predicate({ ...r, id: '', section: r.section!, published: r.published! }),
    ).length;
    expect(expected).toBeGreaterThan(0);
    const items = await walk(query, 100);
    expect(items).toHaveLength(expected);
    expect(items.every(predicate)).toBe(true);
  });

  it('keeps a cursor valid when a new snapshot is published', async () => {
    const first = (await (await get('/v1/feed?limit=50')).json()) as FeedBody;
    // A new snapshot: 30 newer stories on top, and the 10 oldest gone.
    const newer = corpus(30, Date.parse('2024-08-01T00:00:00Z')).map((r) => ({
      ...r,
      title: `Later ${r.title}`,
      url: `${r.url}-later`,
    }));
    await seedSnapshot([...records.slice(10), ...newer]);
    forgetPointer();
    const rest: FeedBody['items'] = [];
    let cursor = first.next_cursor;
    while (cursor) {
      const body = (await (await get(`/v1/feed?limit=45&cursor=${cursor}`)).json()) as FeedBody;
      rest.push(...body.items);
      cursor = body.next_cursor;
    }
    // Everything older than the first page, minus the 10 removed, each once, no new ones.
    expect(rest).toHaveLength(250 - 50 - 10);
    const ids = new Set([...first.items, ...rest].map((i) => i.id));
    expect(ids.size).toBe(240);
    expect(rest.every((i) => i.published < first.items.at(-1)!.published)).toBe(true);
  });
});

describe('cursors across an incremental snapshot', () => {
  beforeAll(async () => {
    forgetPointer();
    await seedSnapshot(corpus(250));
  });

  it('keeps a cursor in place across an incremental snapshot with newer stories', async () => {
    const first = (await (await get('/v1/feed?limit=60')).json()) as FeedBody;
    const newer = corpus(25, Date.parse('2024-07-20T00:00:00Z')).map((r) => ({
      ...r,
      title: `Newer ${r.title}`,
      url: `${r.url}-newer`,
    }));
    await seedIncremental(newer);
    forgetPointer();
    const fresh = (await (await get('/v1/feed?limit=1')).json()) as FeedBody;
    expect(fresh.total).toBe(275);
    const rest: FeedBody['items'] = [];
    let cursor = first.next_cursor;
    while (cursor) {
      const body = (await (await get(`/v1/feed?limit=33&cursor=${cursor}`)).json()) as FeedBody;
      rest.push(...body.items);
      cursor = body.next_cursor;
    }
    // Exactly the 190 older than the first page, each once, none of the newer ones.
    expect(rest.map((i) => i.id)).toEqual((await walk('', 100)).slice(25 + 60).map((i) => i.id));
    expect(rest).toHaveLength(190);
  });
});

describe('bad input', () => {
  beforeAll(async () => {
    forgetPointer();
    await seedSnapshot(corpus(5));
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=ten', 'limit'],
    ['limit=-1', 'limit'],
    ['section=Sport!', 'section'],
    ['lang=e', 'lang'],
    ['lang=ru_RU!', 'lang'],
    ['source=', 'source'],
    ['cursor=%%%', 'cursor'],
    ['cursor=eyJ2IjoyfQ', 'cursor'],
  ])('%s is a 400 problem naming %s', async (query, field) => {
    const res = await get(`/v1/feed?${query}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await res.json()) as {
      status: number;
      code: string;
      errors: { field: string }[];
      detail: string;
    };
    expect(problem.status).toBe(400);
    expect(problem.errors.map((e) => e.field)).toContain(field);
    expect(problem.detail).not.toMatch(/at .*\.ts/);
  });

  it('unknown article is a 404 problem', async () => {
    const res = await get('/v1/articles/0123456789abcdef');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(((await res.json()) as { code: string }).code).toBe('not_found');
  });

  it('malformed article id is a 400 problem', async () => {
    const res = await get('/v1/articles/NOT%20AN%20ID');
    expect(res.status).toBe(400);
  });

  it('unknown route is a 404 problem', async () => {
    const res = await get('/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('article, sections, health', () => {
  let snapshot = '';
  const records = [
    article({
      title: 'Первая новость о Москве',
      section: 'Москва',
      lang: 'ru',
      published: '2024-07-15T08:00:00Z',
      image: 'https://img.example/a.jpg',
      image_credit: 'Photo / Agency',
      tags: ['Moscow'],
    }),
    article({
      title: 'Second story',
      section: 'sport',
      lang: 'en',
      published: '2024-07-15T09:00:00Z',
    }),
    article({
      title: 'Третя новина',
      section: 'sport',
      lang: 'uk',
      published: '2024-07-15T10:00:00Z',
    }),
  ];
  beforeAll(async () => {
    forgetPointer();
    snapshot = (await seedSnapshot(records)).pointer.snapshot;
  });

  it('serves the full article', async () => {
    const feed = (await (await get('/v1/feed?section=moskva')).json()) as FeedBody;
    expect(feed.items).toHaveLength(1);
    const res = await get(`/v1/articles/${feed.items[0]!.id}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      title: 'Первая новость о Москве',
      summary_from_source: false,
      section: 'moskva',
      lang: 'ru',
      image: 'https://img.example/a.jpg',
      image_credit: 'Photo / Agency',
      tags: ['Moscow'],
      duplicates: [],
    });
    expect(Object.keys(body).sort()).toEqual(
      [
        'authors',
        'body',
        'duplicates',
        'id',
        'image',
        'image_credit',
        'lang',
        'published',
        'section',
        'source',
        'summary',
        'summary_from_source',
        'tags',
        'title',
        'url',
      ].sort(),
    );
  });

  it('lists sections with counts per language', async () => {
    const body = (await (await get('/v1/sections')).json()) as {
      sections: {
        section: string;
        count: number;
        latest: string;
        languages: { lang: string; count: number }[];
      }[];
    };
    expect(body.sections).toEqual([
      {
        section: 'sport',
        count: 2,
        latest: '2024-07-15T10:00:00.000Z',
        languages: [
          { lang: 'en', count: 1, latest: '2024-07-15T09:00:00.000Z' },
          { lang: 'uk', count: 1, latest: '2024-07-15T10:00:00.000Z' },
        ],
      },
      {
        section: 'moskva',
        count: 1,
        latest: '2024-07-15T08:00:00.000Z',
        languages: [{ lang: 'ru', count: 1, latest: '2024-07-15T08:00:00.000Z' }],
      },
    ]);
  });

  it('reports health of the live snapshot', async () => {
    const body = (await (await get('/v1/health')).json()) as {
      snapshot: string;
      counts: { articles: number };
    };
    expect(body.snapshot).toBe(snapshot);
    expect(body.counts.articles).toBe(3);
  });
});

describe('caching and conditional GET', () => {
  beforeAll(async () => {
    forgetPointer();
    await seedSnapshot(corpus(3));
  });

  it('answers If-None-Match and If-Modified-Since with 304', async () => {
    const res = await get('/v1/feed?limit=2');
    const etag = res.headers.get('etag');
    const lastModified = res.headers.get('last-modified');
    expect(etag).toMatch(/^"[0-9a-f]{40}"$/);
    expect(lastModified).toBeTruthy();
    expect(res.headers.get('cache-control')).toBe('public, max-age=30, stale-while-revalidate=60');
    const byEtag = await get('/v1/feed?limit=2', {
      headers: { 'if-none-match': `W/${etag}, "other"` },
    });
    expect(byEtag.status).toBe(304);
    expect(byEtag.headers.get('etag')).toBe(etag);
    expect(await byEtag.text()).toBe('');
    const byDate = await get('/v1/feed?limit=2', {
      headers: { 'if-modified-since': lastModified! },
    });
    expect(byDate.status).toBe(304);
    const stale = await get('/v1/feed?limit=2', {
      headers: { 'if-modified-since': 'Mon, 01 Jan 2001 00:00:00 GMT' },
    });
    expect(stale.status).toBe(200);
    const otherTag = await get('/v1/feed?limit=2', {
      headers: { 'if-none-match': '"nope"', 'if-modified-since': lastModified! },
    });
    expect(otherTag.status).toBe(200);
  });

  it('serves repeated requests from the Workers cache without KV', async () => {
    const feed = (await (await get('/v1/feed?limit=1')).json()) as FeedBody;
    const path = `/v1/articles/${feed.items[0]!.id}`;
    const first = await get(path);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-edge-cache')).toBe('MISS');
    const health = (await (await get('/v1/health')).json()) as { snapshot: string };
    // Remove the article from KV: only the cache can still answer.
    await env.NEWS.delete(articleKey(health.snapshot, feed.items[0]!.id));
    const second = await get(path);
    expect(second.status).toBe(200);
    expect(second.headers.get('x-edge-cache')).toBe('HIT');
    expect(await second.json()).toEqual(await first.json());
  });

  it('answers HEAD with headers and no body, and opens CORS for GET', async () => {
    const res = await get('/v1/sections', {
      method: 'HEAD',
      headers: { origin: 'https://app.example' },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(res.headers.get('etag')).toBeTruthy();
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers a CORS preflight for submissions from another origin', async () => {
    const res = await get('/v1/ads', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://news.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, idempotency-key',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain(
      'idempotency-key',
    );
  });
});
