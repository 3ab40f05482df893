/**
 * The public origin of every absolute link the Worker writes (feed `next_url`, rel="next"
 * and self links, JSON Feed `home_page_url`/`feed_url`, GUID hosts, the OpenAPI `servers`
 * entry, canonical and OpenGraph URLs, feed autodiscovery, `Link` headers): `SITE_URL`
 * when it is set and non-empty, else the origin the request came to, so `PORT=9600 npm
 * start` links to port 9600 and a deploy behind its own domain links to that domain.
 * Every route and page calls these two; none builds an origin of its own (README, "Deploy
 * to Cloudflare", says when to set SITE_URL).
 *
 * Caching stays right either way: the edge-cache key is the request's full URL, origin
 * included (src/http/cache.ts), so answers under two origins never share an entry.
 */
import type { Context } from 'hono';

/** The configured public origin (no trailing slash), or the request's origin. */
export function publicOrigin(c: Pick<Context<{ Bindings: Env }>, 'env' | 'req'>): string {
  const configured = (c.env.SITE_URL ?? '').trim().replace(/\/+$/, '');
  return configured !== '' ? configured : new URL(c.req.url).origin;
}

/** `path` (with its query, if any) on the public origin. */
export function absoluteUrl(
  c: Pick<Context<{ Bindings: Env }>, 'env' | 'req'>,
  path: string,
): string {
  return new URL(path, `${publicOrigin(c)}/`).toString();
}
