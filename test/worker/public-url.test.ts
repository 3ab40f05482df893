/**
 * Absolute links follow the public origin (src/http/public-url.ts): SITE_URL when it is set,
 * else the request's own origin. Every absolute link in every format (JSON API, JSON Feed,
 * RSS, Atom, the pages, the OpenAPI document, Link headers) is collected and checked, under
 * two request origins and with SITE_URL set, so a link built from anything else (a
 * hard-coded host, the wrong variable, an edge-cache entry of another origin) fails.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { forgetPointer } from '../../src/storage/snapshots.ts';
import { article, getJson, seedSnapshot } from './seed.ts';

/**
 * Hosts that are not ours: the seeded articles' sources, the formats' namespaces, the hosts
 * of the OpenAPI document's examples (scripts/openapi/contract.ts), and the problem type
 * URIs, which are identifiers, the same on every deploy (RFC 9457 §3.1.1).
 */
const FOREIGN_HOSTS = new Set([
  'news.example',
  'images.example',
  'www.w3.org',
  'jsonfeed.org',
  'purl.org',
  'search.yahoo.com',
  'img.news.example',
  'metro.example',
  'img.example.com',
  'example.org',
  'example.com',
  'edge-news.dev',
]);
/**
 * Also foreign: names under the reserved `.example` TLD (RFC 2606), the sources of the
 * sample that the OpenAPI examples show (scripts/openapi/examples.json); no origin here is one.
 */
const foreign = (host: string) => FOREIGN_HOSTS.has(host) || host.endsWith('.example');

const SECTION = 'world';
let articleId = '';

beforeAll(async () => {
  forgetPointer();
  await seedSnapshot(
    [1, 2, 3, 4].map((n) =>
      article({
        title: `Public origin story ${n}`,
        section: SECTION,
        image: `https://images.example/${n}.jpg`,
        published: `2024-07-1${n}T10:00:00Z`,
      }),
    ),
  );
  const feed = await getJson<{ items: { id: string }[] }>('/v1/feed?limit=1');
  articleId = feed.items[0]!.id;
});

/** Every route that writes absolute links, with the kinds of link each must carry. */
const paths = () => [
  '/v1/feed?limit=2',
  '/feed.json?limit=2',
  '/feed.xml?limit=2',
  '/feed.atom?limit=2',
  `/sections/${SECTION}/feed.json?limit=2`,
  `/sections/${SECTION}/feed.xml?limit=2`,
  `/sections/${SECTION}/feed.atom?limit=2`,
  '/?hl=en',
  `/sections/${SECTION}?hl=en`,
  `/articles/${articleId}?hl=en`,
  '/search?q=story&hl=en',
  '/ads?hl=en',
  '/openapi.json',
];

/** Every absolute http(s) URL in the body (JSON's `\/` and XML's `&amp;` undone) and the Link header. */
function absoluteLinks(body: string, link: string | null): string[] {
  const text = `${body.replace(/\\\//g, '/').replaceAll('&amp;', '&')} ${link ?? ''}`;
  return [...text.matchAll(/https?:\/\/[^\s"'<>()\\]+/g)].map((m) => m[0]);
}

/**
 * The links of `path` whose host is not foreign, each checked to start at `origin`, and
 * the hosts of its entry ids (`tag:<host>,2026:article:<id>`, src/core/feed/formats.ts).
 */
async function ownLinks(
  res: Response,
  path: string,
  origin: string,
): Promise<{ own: string[]; tagHosts: string[] }> {
  expect(res.status, path).toBe(200);
  const body = await res.text();
  const links = absoluteLinks(body, res.headers.get('link'));
  const own = links.filter((url) => !foreign(new URL(url).hostname));
  for (const url of own)
    expect(url.startsWith(`${origin}/`) || url === origin, `${path}: ${url}`).toBe(true);
  const tagHosts = [...body.matchAll(/tag:([^,"<\s]+),/g)].map((m) => m[1]!);
  for (const host of tagHosts) expect(host, `${path} entry id`).toBe(new URL(origin).hostname);
  return { own, tagHosts };
}

/** The feeds' and pages' links that must be there, so a format that lost them fails too. */
function expectRequiredLinks(
  path: string,
  { own, tagHosts }: { own: string[]; tagHosts: string[] },
  origin: string,
) {
  const pathname = path.split('?')[0]!;
  if (path.startsWith('/v1/')) return; // the JSON API has cursors; api-sync's Link header adds more
  if (path === '/openapi.json') {
    expect(own, path).toContain(origin);
    return;
  }
  if (pathname.includes('/feed.')) {
    // the home page, self (feed_url / rel=self), the next page, entry ids on our host
    expect(own, `${path} home`).toContain(origin);
    expect(own, `${path} self`).toContain(`${origin}${path}`);
    expect(
      own.some((u) => u.startsWith(`${origin}${path}&cursor=`)),
      `${path} next`,
    ).toBe(true);
    expect(tagHosts.length, `${path} entry ids`).toBe(2);
    return;
  }
  // pages: a canonical link; the front page and sections autodiscover their feeds
  expect(own, `${path} canonical`).toContain(`${origin}${path}`);
  if (pathname !== '/' && !pathname.startsWith('/sections/')) return;
  for (const ext of ['xml', 'atom', 'json'])
    expect(
      own.some((u) => u.startsWith(origin) && u.endsWith(`/feed.${ext}`)),
      `${path} autodiscovery`,
    ).toBe(true);
}

describe('absolute links follow the request origin when SITE_URL is empty', () => {
  it('SITE_URL is empty in wrangler.toml', () => {
    expect(env.SITE_URL).toBe('');
  });

  it.each(['http://news.other:9600', 'http://edge.test'])(
    'under %s (the second origin after the first: no edge-cache entry crosses origins)',
    async (origin) => {
      for (const path of paths()) {
        const links = await ownLinks(await exports.default.fetch(`${origin}${path}`), path, origin);
        expectRequiredLinks(path, links, origin);
      }
    },
  );
});

describe('absolute links follow SITE_URL when it is set', () => {
  const app = createApp();
  const SITE = 'https://edge-news.example.org';

  it.each([`${SITE}/`, SITE, ` ${SITE}// `].map((configured, i) => ({ configured, i })))(
    'SITE_URL=$configured',
    async ({ configured, i }) => {
      for (const path of paths()) {
        const ctx = createExecutionContext();
        // A request origin of its own per case, so no edge-cached answer of another is reused.
        const host = `request-${i}.test`;
        const res = await app.fetch(
          new Request(`http://${host}${path}`),
          { ...env, SITE_URL: configured },
          ctx,
        );
        await waitOnExecutionContext(ctx);
        const links = await ownLinks(res, path, SITE);
        expectRequiredLinks(path, links, SITE);
      }
    },
  );
});
