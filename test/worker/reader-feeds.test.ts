import { Validator } from '@cfworker/json-schema';
import { parseFeed } from '@rowanmanning/feed-parser';
import { exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import jsonFeedSchema from '../fixtures/jsonfeed-1.1.schema.json';
import { forgetPointer } from '../../src/storage/snapshots.ts';
import { article, seedSnapshot } from './seed.ts';

const get = (path: string, init?: RequestInit) =>
  exports.default.fetch(`http://edge.test${path}`, init);

const records = [
  ...Array.from({ length: 7 }, (_, i) =>
    article({
      title: `Sport story ${i} &amp; &lt;friends&gt;`,
      section: 'sport',
      lang: i % 2 ? 'en' : 'ru',
      published: `2024-07-15T0${i}:00:00Z`,
    }),
  ),
  article({
    title: 'Выборы мэра Сочи могут отменить из-за нарушений',
    section: 'politics',
    lang: 'ru',
    published: '2024-07-15T09:30:00Z',
    image: 'https://img.example/sochi.jpg',
  }),
];

beforeAll(async () => {
  forgetPointer();
  await seedSnapshot(records);
});

describe('reader feeds', () => {
  it.each([
    ['/feed.xml', 'application/rss+xml; charset=utf-8', 'rss'],
    ['/feed.atom', 'application/atom+xml; charset=utf-8', 'atom'],
    ['/sections/sport/feed.xml', 'application/rss+xml; charset=utf-8', 'rss'],
    ['/sections/sport/feed.atom?lang=en', 'application/atom+xml; charset=utf-8', 'atom'],
  ])('%s parses with a third-party feed parser', async (path, type, kind) => {
    const res = await get(path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(type);
    expect(res.headers.get('etag')).toBeTruthy();
    const feed = parseFeed(await res.text());
    expect(feed.meta.type).toBe(kind);
    const expected = records
      .filter(
        (r) =>
          (!path.includes('sport') || r.section === 'sport') &&
          (!path.includes('lang=en') || r.lang === 'en'),
      )
      .sort((a, b) => (a.published! < b.published! ? 1 : -1));
    // Markup-looking text arrives as text: escaped by us, unescaped by the parser.
    expect(feed.items.map((i) => i.title)).toEqual(
      expected.map((r) => r.title.replace('&amp;', '&').replace('&lt;', '<').replace('&gt;', '>')),
    );
    expect(feed.items[0]!.url).toBe(expected[0]!.url);
    expect(feed.items[0]!.published?.toISOString()).toBe(
      new Date(expected[0]!.published!).toISOString(),
    );
  });

  it('JSON Feed is valid against the 1.1 schema and pages with next_url', async () => {
    const validator = new Validator(jsonFeedSchema as object, '7', false);
    let url: string | undefined = '/feed.json?limit=3';
    const titles: string[] = [];
    let pages = 0;
    while (url) {
      const res = await get(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/feed+json; charset=utf-8');
      const body = (await res.json()) as {
        next_url?: string;
        items: { title: string }[];
        version: string;
      };
      const result = validator.validate(body);
      expect(result.errors).toEqual([]);
      expect(body.version).toBe('https://jsonfeed.org/version/1.1');
      titles.push(...body.items.map((i) => i.title));
      url = body.next_url ? body.next_url.replace(/^https?:\/\/[^/]+/, '') : undefined;
      pages++;
    }
    expect(pages).toBe(3);
    expect(titles).toHaveLength(records.length);
    expect(titles).toContain('Sport story 3 & <friends>');
    expect(new Set(titles).size).toBe(records.length);
  });

  it('RSS carries the next page as atom:link rel=next', async () => {
    const text = await (await get('/feed.xml?limit=5')).text();
    const next = [...text.matchAll(/<atom:link [^>]*>/g)]
      .map((m) => m[0])
      .find((tag) => tag.includes('rel="next"'));
    expect(next).toMatch(
      /href="http:\/\/edge\.test\/feed\.xml\?limit=5&amp;cursor=[A-Za-z0-9_-]+"/,
    );
  });

  it.each([
    '/feed.json?limit=0',
    '/feed.xml?lang=!!',
    '/sections/NOT_A_SLUG/feed.atom',
    '/feed.atom?cursor=bogus',
  ])('%s is a 400 problem', async (path) => {
    const res = await get(path);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('an unknown section is an empty, valid feed', async () => {
    const feed = parseFeed(await (await get('/sections/knitting/feed.atom')).text());
    expect(feed.items).toEqual([]);
  });
});
