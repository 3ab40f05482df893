/**
 * The app factory: owns the app-wide middleware (secure headers, CORS), error handling
 * and which sub-app is mounted where. It assembles; each route group owns its own
 * caching, validation and limits. `src/index.ts` only exports it.
 */
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { allowedMethods } from './http/allow.ts';
import { storedValueProblem } from './http/pointer.ts';
import { ApiError, problemResponse } from './http/problem.ts';
import { apiRoutes } from './routes/api.ts';
import { docsRoutes } from './routes/docs.ts';
import { readPages } from './pages/read.tsx';
import { searchPages } from './pages/search.tsx';
import { adPages } from './pages/ads.tsx';
import { adminPages } from './pages/admin.tsx';
import type { AppEnv } from './env.ts';

export function createApp() {
  const app = new Hono<AppEnv>();

  app.use(secureHeaders({ crossOriginResourcePolicy: 'cross-origin' }));
  // Open to any origin: no cookies are used, so `*` exposes nothing a client does not send.
  // Submissions need POST/PATCH/DELETE and their headers from the aggregator's own pages.
  app.use(
    cors({
      origin: '*',
      allowMethods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
      allowHeaders: [
        'Content-Type',
        'Authorization',
        'Idempotency-Key',
        'If-None-Match',
        'If-Modified-Since',
      ],
      exposeHeaders: [
        'ETag',
        'Last-Modified',
        'Location',
        'Retry-After',
        'Idempotent-Replayed',
        'RateLimit',
        'RateLimit-Policy',
        'RateLimit-Limit',
        'RateLimit-Remaining',
        'RateLimit-Reset',
      ],
      maxAge: 86_400,
    }),
  );
  // Each sub-app mounts its own caching beside its handlers: edgeCache for what is answered
  // from the live snapshot, hono's etag() for the live submission listings.
  // Chained, so that the returned type carries every route (`AppType` below).
  const routes = app.route('/', apiRoutes).route('/', docsRoutes);
  // Pages for people (src/pages), on the same core and storage as the API.
  app.route('/', readPages);
  app.route('/', searchPages);
  app.route('/', adPages);
  app.route('/', adminPages);

  // Built on the first miss, when every group is mounted.
  let allow: ((path: string) => string[]) | undefined;
  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    const methods = (allow ??= allowedMethods(app.routes))(path);
    if (methods.length > 0 && !methods.includes(c.req.method))
      return problemResponse(
        new ApiError(
          'method_not_allowed',
          `${path} does not answer ${c.req.method}; it answers ${methods.join(', ')}.`,
          { headers: { allow: methods.join(', ') } },
        ),
        path,
      );
    return problemResponse(
      new ApiError('not_found', `No route for ${c.req.method} ${path}.`),
      path,
    );
  });

  app.onError(function handleError(error, c) {
    const path = new URL(c.req.url).pathname;
    const known = error instanceof ApiError ? error : storedValueProblem(error);
    if (known) return problemResponse(known, path);
    if (error instanceof HTTPException && error.status < 500) {
      // Hono's own 4xx (e.g. malformed JSON in a validator) keeps its status, not its text.
      const code = error.status === 413 ? 'payload_too_large' : 'bad_request';
      return problemResponse(
        new ApiError(code, error.message || 'The request is malformed.'),
        path,
      );
    }
    console.error('unhandled error', path, error);
    return problemResponse(new ApiError('internal', 'Something went wrong on our side.'), path);
  });

  return routes;
}

/** Every route with its inputs and JSON answers, for `hc<AppType>()` (src/client.ts). */
export type AppType = ReturnType<typeof createApp>;
