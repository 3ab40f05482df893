/**
 * /search rendered on the server from the same search as /v1/search: highlights as <mark>,
 * corrections, filters with their errors beside them, paging with the API's cursor.
 */
import { exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { forgetPointer } from '../../src/storage/snapshots.ts';
import { article, getJson, seedSnapshot } from './seed.ts';

const get = (path: string) => exports.default.fetch(`http://edge.test${path}`);

/** 12 items on the same subject, so 10 a page leaves a second page. */
const RECORDS = Array.from({ length: 12 }, (_, i) =>
  article({
    title: `Лукашенко обсудил порт номер ${i}`,
    section: i % 2 ? 'politics' : 'world',
    lang: 'ru',
    published: new Date(Date.parse('2024-07-15T00:00:00Z') + i * 60_000).toISOString(),
  }),
);

describe('GET /search', { timeout: 30_000 }, () => {
  // Generous: the first request of a file starts the isolate and the Durable Object, which
  // takes seconds on a busy machine; each test still ends as soon as its answers are in.
  beforeAll(async () => {
    forgetPointer();
    await seedSnapshot(RECORDS);
  });

  it('shows the API results with highlights, the correction and the next page', async () => {
    const api = await getJson<{
      total: number;
      items: { id: string; title: string }[];
      next_cursor: string;
    }>('/v1/search?q=lukashenko');
    expect(api.total).toBe(12);
    const res = await get('/search?q=lukashenko&hl=en');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<p id="count" aria-live="polite">12 results</p>');
    expect(html).toContain('Showing results for лукашенко');
    const ids = [...html.matchAll(/<h2><a href="\/articles\/([a-z0-9-]+)\?hl=en">/g)].map(
      (m) => m[1],
    );
    expect(ids).toEqual(api.items.map((i) => i.id));
    expect(html).toContain(
      `<h2><a href="/articles/${api.items[0]!.id}?hl=en"><mark>Лукашенко</mark> обсудил порт номер`,
    );
    expect(html).toContain(
      `<a rel="next" href="/search?q=lukashenko&amp;cursor=${api.next_cursor}&amp;hl=en">Next page</a>`,
    );
    const page2 = await (await get(`/search?q=lukashenko&cursor=${api.next_cursor}`)).text();
    expect([...page2.matchAll(/<h2><a href="\/articles\//g)].length).toBe(2);
  });

  it('filters by section with the same rule as the API', async () => {
    const html = await (await get('/search?q=порт&section=politics&hl=en')).text();
    expect(html).toContain('<p id="count" aria-live="polite">6 results</p>');
    expect(html).toContain('<option value="politics" selected="">Politics</option>');
  });

  it('a bad filter is a 400 page with the message beside the field; no query, just the form', async () => {
    const res = await get('/search?q=порт&from=2024-07-20&to=2024-07-01&hl=en');
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain(
      '<input id="f-to" name="to" type="date" value="2024-07-01"/><span class="error" id="f-to-error">must not be before `from`</span>',
    );
    const empty = await get('/search');
    expect(empty.status).toBe(200);
    expect(await empty.text()).toContain('<ol id="hits" class="headlines"');
  });
});
