/**
 * The app factory: owns middleware order, the validation hook, error handling, the
 * OpenAPI document and which sub-app is mounted where. `src/index.ts` only exports it.
 */
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { etag } from 'hono/etag';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { edgeCache, type EdgeCacheOptions } from './http/cache.ts';
import { ApiError, problemResponse } from './http/problem.ts';
import { adminRoutes } from './routes/admin.ts';
import { adsRoutes } from './routes/ads.ts';
import { docsRoutes } from './routes/docs.ts';
import { feedRoutes } from './routes/feeds.ts';
import { newsRoutes } from './routes/news.ts';
import { readerFeedRoutes } from './routes/reader-feeds.ts';
import { prefetchSearch, searchRoutes } from './routes/search.ts';
import type { IndexReader } from './core/search/reader.ts';
import type { Pointer } from './core/snapshot-format.ts';
import { searchHead } from './storage/search-index.ts';

export type AppEnv = {
  Bindings: Env;
  Variables: {
    /** The pointer edgeCache keyed the response with (see requirePointer). */
    pointer?: Pointer;
    /** The search index reader a prefetch started with, so the handler counts its reads too. */
    searchReader?: IndexReader;
  };
};

/** Routes answered from the live snapshot: safe to cache at the edge, keyed by snapshot. */
const SNAPSHOT_ROUTES = ['/v1/feed', '/v1/sections', '/v1/articles/*', '/v1/health', '/v1/search', '/v1/suggest', '/feed.*', '/sections/*', '/openapi.json', '/docs'];

/**
 * Search reads its index meta with a cold pointer (one KV round trip fewer in a fresh
 * isolate) and starts its first index reads while the edge cache is looked up.
 */
const ROUTE_CACHE: Record<string, EdgeCacheOptions> = {
  '/v1/search': { companion: (env) => searchHead(env.NEWS), prefetch: prefetchSearch },
  '/v1/suggest': { companion: (env) => searchHead(env.NEWS) },
};

export function createApp() {
  const app = new Hono<AppEnv>();

  app.use(secureHeaders({ crossOriginResourcePolicy: 'cross-origin' }));
  // Open to any origin: no cookies are used, so `*` exposes nothing a client does not send.
  // Submissions need POST/PATCH/DELETE and their headers from the aggregator's own pages.
  app.use(
    cors({
      origin: '*',
      allowMethods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
      allowHeaders: ['Content-Type', 'Authorization', 'Idempotency-Key', 'If-None-Match', 'If-Modified-Since'],
      exposeHeaders: ['ETag', 'Last-Modified', 'Location', 'Retry-After'],
      maxAge: 86_400,
    }),
  );
  // Conditional GET for the routes outside the snapshot (ads, reader news): an ETag from
  // the body and 304 on If-None-Match. Snapshot routes already carry theirs (edgeCache).
  app.use(etag());
  for (const path of SNAPSHOT_ROUTES) {
    app.use(path, edgeCache(ROUTE_CACHE[path]));
  }

  app.route('/', feedRoutes);
  app.route('/', readerFeedRoutes);
  app.route('/', searchRoutes);
  app.route('/', adsRoutes);
  app.route('/', newsRoutes);
  app.route('/', adminRoutes);
  app.route('/', docsRoutes(app));

  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    return problemResponse(new ApiError('not_found', `No route for ${c.req.method} ${path}.`), path);
  });

  app.onError(function handleError(error, c) {
    const path = new URL(c.req.url).pathname;
    if (error instanceof ApiError) return problemResponse(error, path);
    if (error instanceof HTTPException && error.status < 500) {
      // Hono's own 4xx (e.g. malformed JSON in a validator) keeps its status, not its text.
      const code = error.status === 413 ? 'payload_too_large' : 'bad_request';
      return problemResponse(new ApiError(code, error.message || 'The request is malformed.'), path);
    }
    console.error('unhandled error', path, error);
    return problemResponse(new ApiError('internal', 'Something went wrong on our side.'), path);
  });

  return app;
}
