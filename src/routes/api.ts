/**
 * Every route group of the JSON API and the reader feeds, chained so that the type carries
 * every route: `AppType` (src/app.ts) for the typed client (src/client.ts,
 * hono.dev/docs/guides/rpc), and the routes the OpenAPI document is built from
 * (scripts/openapi.ts). The pages for people are mounted beside it by src/app.ts.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { adminRoutes } from './admin.ts';
import { adsRoutes } from './ads.ts';
import { feedRoutes } from './feeds.ts';
import { newsRoutes } from './news.ts';
import { readerFeedRoutes } from './reader-feeds.ts';
import { searchRoutes } from './search.ts';

export const apiRoutes = new Hono<AppEnv>()
  .route('/', feedRoutes)
  .route('/', readerFeedRoutes)
  .route('/', searchRoutes)
  .route('/', adsRoutes)
  .route('/', newsRoutes)
  .route('/', adminRoutes);
