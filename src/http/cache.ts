/**
 * Caching for every GET (and HEAD): the Workers cache in front of KV, strong ETags and
 * Last-Modified with conditional requests answered 304, and Cache-Control with a short
 * max-age plus stale-while-revalidate.
 *
 * - RFC 9110 §13.1.2 If-None-Match (weak comparison), §13.1.3 If-Modified-Since (only
 *   when there is no If-None-Match), §15.4.5 304 carries ETag, Cache-Control, Last-Modified.
 * - RFC 5861 stale-while-revalidate.
 *
 * The cache key is the path and the route's known query parameters (sorted, so parameter
 * order and unknown parameters do not split the cache), plus the live snapshot id and the
 * version of the approved reader-news list merged at read time, so a new snapshot or a new
 * approval is served as soon as the isolate's cached copies refresh (seconds), and a
 * repeated request touches no KV at all. For the same reason Last-Modified is the later of
 * what the handler set (the snapshot's build time) and the list's last change.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';
import { liveVersion } from '../storage/feed.ts';
import type { Pointer } from '../core/snapshot/format.ts';
import { type Companion, getPointer } from '../storage/snapshots.ts';
import { approvedNewsChangedAt } from '../storage/submissions.ts';

/** Seconds browsers and the edge may reuse a response: CACHE_MAX_AGE, 30 when unset. */
export function cacheMaxAge(env: Env): number {
  return Number(env.CACHE_MAX_AGE) || 30;
}

export interface EdgeCacheOptions {
  /** A value the route wants read with a cold pointer, in the same KV bulk get. */
  companion?: (env: Env) => Companion;
  /**
   * Starts, without waiting, the reads the handler will make, so they overlap the cache
   * look-up (a hit wastes them; in a warm isolate they are cache hits of their own).
   */
  prefetch?: (c: Context<AppEnv>, pointer: Pointer) => void;
  /**
   * What else the response depends on that its URL does not say (a page's language taken
   * from Accept-Language, the live ads a front page lists): part of the cache key, so each
   * variant is cached on its own.
   */
  variant?: (c: Context<AppEnv>) => string | Promise<string>;
  /**
   * The query parameters the route reads (`queryParams(schema)`): only these make the cache
   * key. Unset: every parameter does, sorted. A route that reads none passes `[]`.
   */
  params?: readonly string[];
}

/** The parameter names of a query schema: a valibot object, or a pipe that starts with one. */
export function queryParams(
  schema: { entries: object } | { pipe: readonly [{ entries: object }, ...unknown[]] },
): string[] {
  return Object.keys('entries' in schema ? schema.entries : schema.pipe[0].entries);
}

/**
 * The cache key's URL: the path, the kept parameters sorted by name then value (every value
 * of a repeated one, so a refused request never shares a key with an accepted one), and
 * the extra inputs.
 */
function cacheKeyUrl(
  request: string,
  params: readonly string[] | undefined,
  extra: [string, string][],
): string {
  const url = new URL(request);
  const kept = [...url.searchParams].filter(([name]) => !params || params.includes(name));
  kept.sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  url.search = new URLSearchParams([...kept, ...extra]).toString();
  return url.toString();
}

export const CACHE_STATUS_HEADER = 'x-edge-cache';

async function strongEtag(body: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-1', body);
  const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `"${hex}"`;
}

function etagMatches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => opaque(tag) === opaque(etag));
}

/** True when the request's validators say the client's copy is current. */
export function isNotModified(request: Request, headers: Headers): boolean {
  const inm = request.headers.get('if-none-match');
  const etag = headers.get('etag');
  if (inm !== null) return etag !== null && etagMatches(inm, etag);
  const ims = request.headers.get('if-modified-since');
  const lastModified = headers.get('last-modified');
  if (ims === null || lastModified === null) return false;
  const since = Date.parse(ims);
  return !Number.isNaN(since) && Date.parse(lastModified) <= since;
}

function notModified(headers: Headers): Response {
  const out = new Headers();
  for (const name of [
    'etag',
    'last-modified',
    'cache-control',
    'vary',
    'access-control-allow-origin',
    CACHE_STATUS_HEADER,
  ]) {
    const value = headers.get(name);
    if (value !== null) out.set(name, value);
  }
  return new Response(null, { status: 304, headers: out });
}

/** Marks the response's Last-Modified: handlers call it with the snapshot's build time. */
export function setLastModified(c: Context, iso: string): void {
  c.header('last-modified', new Date(iso).toUTCString());
}

/**
 * A response with a Last-Modified also holds the approved reader news merged at read time
 * (its cache key says so): it is as new as the later of the two, or an If-Modified-Since
 * sent after the build would hide a newer approval (RFC 9110 §8.8.2, §13.1.3).
 */
function laterLastModified(headers: Headers, changedAt: string | null): void {
  const current = headers.get('last-modified');
  if (current === null || changedAt === null) return;
  const changed = Date.parse(changedAt);
  if (!Number.isNaN(changed) && changed > Date.parse(current))
    headers.set('last-modified', new Date(changed).toUTCString());
}

export function edgeCache(options: EdgeCacheOptions = {}): MiddlewareHandler<AppEnv> {
  return async function edgeCacheMiddleware(c, next) {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next();
    const [pointer, [live, liveChangedAt]] = await Promise.all([
      getPointer(c.env.NEWS, { companion: options.companion?.(c.env) }).catch(() => null),
      // One after the other, so one read of the approved list serves both (the isolate keeps
      // a list read, not a read in flight: storage/submissions.ts).
      approvedNewsChangedAt(c.env.NEWS)
        .catch(() => null)
        .then(
          async (changedAt) =>
            [await liveVersion(c.env.NEWS).catch(() => 'unknown'), changedAt] as const,
        ),
    ]);
    // The handler answers from this snapshot, the one in the cache key (re-reading the
    // pointer could cross its 5 s isolate cache and store snapshot B under A's key).
    if (pointer !== null) c.set('pointer', pointer);
    if (pointer !== null && options.prefetch) {
      // Only a head start: whatever goes wrong here, the handler does the reads itself.
      try {
        options.prefetch(c, pointer);
      } catch (error) {
        console.warn(`prefetch for ${c.req.path} failed: ${String(error)}`);
      }
    }
    const extra: [string, string][] = [
      ['__snapshot', pointer?.snapshot ?? 'none'],
      ['__live', live],
    ];
    if (options.variant) extra.push(['__variant', await options.variant(c)]);
    const key = new Request(cacheKeyUrl(c.req.url, options.params, extra), { method: 'GET' });
    const cache = caches.default;

    const hit = await cache.match(key);
    if (hit) {
      const response = new Response(hit.body, hit);
      response.headers.set(CACHE_STATUS_HEADER, 'HIT');
      c.res = isNotModified(c.req.raw, response.headers) ? notModified(response.headers) : response;
      return;
    }

    await next();
    if (c.res.status !== 200) return;
    const body = await c.res.arrayBuffer();
    const response = new Response(body, c.res);
    laterLastModified(response.headers, liveChangedAt);
    if (!response.headers.has('etag')) response.headers.set('etag', await strongEtag(body));
    const maxAge = cacheMaxAge(c.env);
    response.headers.set(
      'cache-control',
      `public, max-age=${maxAge}, stale-while-revalidate=${maxAge * 2}`,
    );
    response.headers.set(CACHE_STATUS_HEADER, 'MISS');
    c.executionCtx.waitUntil(cache.put(key, response.clone()));
    // Clear first: Hono's setter would otherwise copy the old response's headers onto a 304.
    c.res = undefined;
    c.res = isNotModified(c.req.raw, response.headers) ? notModified(response.headers) : response;
  };
}
