/**
 * The app factory: owns middleware order, the validation hook, error handling, the
 * OpenAPI document and which sub-app is mounted where. `src/index.ts` only exports it.
 */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ApiError, problemResponse } from './http/problem.ts';
import { adminRoutes } from './routes/admin.ts';
import { adsRoutes } from './routes/ads.ts';
import { newsRoutes } from './routes/news.ts';
import { searchRoutes } from './routes/search.ts';

export type AppEnv = { Bindings: Env };

export function createApp() {
  const app = new Hono<AppEnv>();

  app.get('/v1/health', (c) => c.json({ status: 'ok' }));
  app.route('/', searchRoutes);
  app.route('/', adsRoutes);
  app.route('/', newsRoutes);
  app.route('/', adminRoutes);

  app.notFound((c) => problemResponse(new ApiError('not_found', `No route for ${c.req.method} ${new URL(c.req.url).pathname}`), new URL(c.req.url).pathname));

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
