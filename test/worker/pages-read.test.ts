/**
 * The reading pages through the real Worker on real local KV: the front page's parts, a
 * section paged with the API's own cursors, an article's meta, languages, caching and
 * the HTML error pages. The browser suite (test/node/pages-browser.test.ts) checks what
 * only a browser can: layout, script, accessibility.
 */
import { exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_SCRIPT } from '../../src/pages/client.ts';
import { STYLE } from '../../src/pages/style.ts';
import { forgetPointer } from '../../src/storage/snapshots.ts';
import { article, getJson, seedSnapshot } from './seed.ts';

/** SITE_URL is empty (wrangler.toml [vars]): absolute links follow the request's origin. */
const SITE = 'http://edge.test';

const get = (path: string, headers: Record<string, string> = {}) =>
  exports.default.fetch(`http://edge.test${path}`, { headers });

const FEATURED = article({
  title: 'The United States Should Use Rapprochement with Belarus',
  section: 'politics',
  lang: 'en',
  source: 'Atlantic Council',
  published: '2024-07-15T14:00:00Z',
  body: 'First paragraph about Minsk.\n\nSecond paragraph about Sochi.',
  summary: 'An eventful month for foreign policy.',
  image: 'https://img.example/belarus.jpg',
  image_credit: 'Drop of Light / Shutterstock',
  tags: ["Europe's East and Russia"],
});

/** 45 Russian politics items, one a minute, so a section needs three pages of 20. */
const POLITICS = Array.from({ length: 45 }, (_, i) =>
  article({
    title: `Политическая новость номер ${i}`,
    section: 'politics',
    lang: 'ru',
    source: 'Лента',
    published: new Date(Date.parse('2024-07-14T00:00:00Z') + i * 60_000).toISOString(),
  }),
);
const UKRAINIAN = article({
  title: 'У Львові зросли ціни на м’ясо на ринках',
  section: 'business',
  lang: 'uk',
  source: 'ZAXID.NET',
  published: '2024-07-16T09:35:00Z',
  url: 'https://zaxid.example/meat',
});
/** The same story from a second outlet: one headline, "also reported by 1 source". */
const COPY = { ...UKRAINIAN, source: 'Львівський портал', url: 'https://portal.example/meat' };

const text = async (res: Response) => {
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/html; charset=UTF-8');
  return res.text();
};

describe('reading pages', { timeout: 30_000 }, () => {
  // Generous: the first request of a file starts the isolate and the Durable Object, which
  // takes seconds on a busy machine; each test still ends as soon as its answers are in.
  beforeAll(async () => {
    forgetPointer();
    await seedSnapshot([FEATURED, ...POLITICS, UKRAINIAN, COPY]);
  });

  it('front page: featured article with image, credit and topic; ads today; headlines by section; add-news link; feed links', async () => {
    const html = await text(await get('/?hl=en'));
    const featured = html.slice(html.indexOf('<section class="featured"'));
    expect(featured).toContain('<h2 id="featured-h" lang="en">News in English</h2>');
    expect(featured).toContain('<article lang="en">');
    expect(featured).toContain('src="https://img.example/belarus.jpg"');
    expect(featured).toContain('Photo Credit:</span> Drop of Light / Shutterstock');
    expect(featured).toContain('Research and analysis for:</span> Europe&#39;s East and Russia');
    expect(html).toContain('<h2 id="ads-h">Private ads today</h2>');
    expect(html).toContain('<p><a href="/news/new?hl=en">Add news</a></p>');
    // Headline lists: each item carries its own language; the copy is folded into one line.
    expect(html).toContain(
      '<h3 id="s-business"><a href="/sections/business?hl=en">Business</a></h3>',
    );
    expect(html.split('У Львові зросли ціни').length - 1).toBe(1);
    expect(html).toMatch(
      /<li lang="uk"><a href="\/articles\/[a-z0-9-]+\?hl=en">У Львові зросли ціни на м’ясо на ринках<\/a><span class="also" lang="en"> \(also reported by 1 source\)<\/span><\/li>/,
    );
    expect(html).toContain('<li lang="ru"><a href="/articles/');
    for (const link of [
      `<link rel="alternate" type="application/rss+xml" title="Edge News (RSS)" href="${SITE}/feed.xml"/>`,
      `<link rel="alternate" type="application/atom+xml" title="Edge News (Atom)" href="${SITE}/feed.atom"/>`,
      `<link rel="alternate" type="application/feed+json" title="Edge News (JSON Feed)" href="${SITE}/feed.json"/>`,
    ])
      expect(html).toContain(link);
    expect(new TextEncoder().encode(html).length).toBeLessThan(50 * 1024);
  });

  it('the language comes from ?hl=, else Accept-Language, else Russian; the edge cache keeps them apart', async () => {
    const ru = await text(await get('/'));
    expect(ru).toContain('<html lang="ru">');
    expect(ru).toContain('Частные объявления сегодня');
    const uk = await text(await get('/', { 'accept-language': 'uk-UA,uk;q=0.9,en;q=0.5' }));
    expect(uk).toContain('<html lang="uk">');
    expect(uk).toContain('Приватні оголошення сьогодні');
    // A second request in Russian is a cache hit of its own, not the Ukrainian page.
    const again = await get('/', { 'accept-language': 'ru' });
    expect(again.headers.get('x-edge-cache')).toBe('HIT');
    expect(await again.text()).toBe(ru);
    const en = await text(await get('/?hl=en', { 'accept-language': 'uk' }));
    expect(en).toContain('<html lang="en">');
    expect((await get('/')).headers.get('vary')).toContain('Accept-Language');
  });

  it('answers If-None-Match with 304, like the API', async () => {
    const first = await get('/articles/' + (await firstId('politics')));
    expect(first.status).toBe(200);
    const tag = first.headers.get('etag');
    expect(tag).toMatch(/^"[0-9a-f]{40}"$/);
    expect(first.headers.get('cache-control')).toBe(
      'public, max-age=30, stale-while-revalidate=60',
    );
    const again = await get('/articles/' + (await firstId('politics')), {
      'if-none-match': tag!,
    });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(tag);
    expect(await again.text()).toBe('');
  });

  it('a section pages with the API cursors and filters by language', async () => {
    const api = await getJson<{ items: { id: string }[]; next_cursor: string }>(
      '/v1/feed?section=politics&limit=20',
    );
    const html = await text(await get('/sections/politics?hl=en'));
    expect(html).toContain('<h1>Politics</h1>');
    expect(html).toContain('46 articles');
    const ids = [
      ...html.matchAll(/<li lang="(?:ru|en)"><a href="\/articles\/([a-z0-9-]+)\?hl=en">/g),
    ].map((m) => m[1]);
    expect(ids).toEqual(api.items.map((i) => i.id));
    const next = /<a rel="next" href="([^"]+)">Next page<\/a>/.exec(html)?.[1];
    expect(next).toBe(`/sections/politics?cursor=${api.next_cursor}&amp;hl=en`);
    const page2 = await text(await get(next!.replaceAll('&amp;', '&')));
    expect(page2).toContain('First page');
    const onlyEnglish = await text(await get('/sections/politics?lang=en'));
    expect(onlyEnglish).toContain('1 новость');
    expect(onlyEnglish).toContain('aria-current="page">English</a>');
  });

  it('an article: body, image, credit, topic, source link, duplicates, canonical and social meta', async () => {
    const id = (await getJson<{ items: { id: string }[] }>('/v1/feed?section=business')).items[0]!
      .id;
    const api = await getJson<{
      url: string;
      source: string;
      duplicates: { url: string; source: string }[];
    }>(`/v1/articles/${id}`);
    // Which copy is kept is the dedup's choice (src/core/content/dedup.ts); the page shows the other.
    expect(api.duplicates.map((d) => d.source).sort()).toEqual(
      [UKRAINIAN.source, COPY.source].filter((s) => s !== api.source),
    );
    const html = await text(await get(`/articles/${id}?hl=en`));
    expect(html).toContain('<article class="article" lang="uk">');
    expect(html).toContain(`<link rel="canonical" href="${SITE}/articles/${id}?hl=en"/>`);
    expect(html).toContain('<meta property="og:type" content="article"/>');
    expect(html).toContain('<meta name="twitter:card" content="summary"/>');
    expect(html).toContain(
      `<a href="${api.url}" rel="noopener">Read at the source: ${api.source}</a>`,
    );
    expect(html).toContain('<h2 id="dups-h">Also published by</h2>');
    expect(html).toContain(
      `<a href="${api.duplicates[0]!.url}" rel="noopener">${api.duplicates[0]!.source}</a>`,
    );

    const featuredId = (await getJson<{ items: { id: string }[] }>('/v1/feed?lang=en')).items[0]!
      .id;
    const featured = await text(await get(`/articles/${featuredId}`));
    expect(featured).toContain(
      '<p>First paragraph about Minsk.</p><p>Second paragraph about Sochi.</p>',
    );
    expect(featured).toContain(
      '<meta property="og:image" content="https://img.example/belarus.jpg"/>',
    );
    expect(featured).toContain('<meta name="twitter:card" content="summary_large_image"/>');
    expect(featured).toContain('Фото:</span> Drop of Light / Shutterstock');
  });

  it('allows exactly its inline script and style by hash, and nothing else', async () => {
    const res = await get('/');
    const csp = res.headers.get('content-security-policy')!;
    const hash = async (s: string) =>
      `'sha256-${btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s)))))}'`;
    expect(csp).toContain(`script-src ${await hash(CLIENT_SCRIPT)};`);
    expect(csp).toContain(`style-src ${await hash(STYLE)};`);
    expect(csp).toMatch(/^default-src 'none';/);
    const html = await res.text();
    expect(html.split('<script').length - 1).toBe(1);
    expect(html).toContain(`<script>${CLIENT_SCRIPT}</script>`);
    expect(new TextEncoder().encode(CLIENT_SCRIPT).length).toBeLessThan(20 * 1024);
  });

  it('bad input and unknown articles get an HTML error page with the right status', async () => {
    const missing = await get('/articles/no-such-article?hl=en');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('text/html; charset=UTF-8');
    expect(await missing.text()).toContain('<h1>Page not found</h1>');
    const badSection = await get('/sections/Not%20A%20Slug?hl=en');
    expect(badSection.status).toBe(400);
    expect(await badSection.text()).toContain('must be a section slug');
    const badCursor = await get('/sections/politics?cursor=nonsense');
    expect(badCursor.status).toBe(400);
    expect(await badCursor.text()).toContain('The cursor is not valid');
    // The API keeps its own problem+json.
    const api = await get('/v1/articles/no-such-article');
    expect(api.headers.get('content-type')).toBe('application/problem+json');
  });
});

async function firstId(section: string): Promise<string> {
  return (await getJson<{ items: { id: string }[] }>(`/v1/feed?section=${section}`)).items[0]!.id;
}
