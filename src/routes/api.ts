/**
 * Every route group of the JSON API and the reader feeds, chained so that the type carries
 * every route: `AppType` (src/app.ts) for the typed client (src/client.ts,
 * hono.dev/docs/guides/rpc), and the routes the OpenAPI document is built from
 * (scripts/openapi.ts). The pages for people are mounted beside it by src/app.ts.
 *
 * The groups written as one statement per route (ads, news, admin, reader feeds) export
 * the type of their routes (`AdsSchema`, ...): their value is the same sub-app, typed as a
 * chain would have typed it.
 */
import { Hono, type Schema } from 'hono';
import type { AppEnv } from '../env.ts';
import { type AdminSchema, adminRoutes } from './admin.ts';
import { type AdsSchema, adsRoutes } from './ads.ts';
import { feedRoutes } from './feeds.ts';
import { type NewsSchema, newsRoutes } from './news.ts';
import { publishLeaseRoutes } from './publish-lease.ts';
import { type ReaderFeedSchema, readerFeedRoutes } from './reader-feeds.ts';
import { searchRoutes } from './search.ts';

type Group<S extends Schema> = Hono<AppEnv, S, '/'>;

export const apiRoutes = new Hono<AppEnv>()
  .route('/', feedRoutes)
  .route('/', readerFeedRoutes as Group<ReaderFeedSchema>)
  .route('/', searchRoutes)
  .route('/', adsRoutes as Group<AdsSchema>)
  .route('/', newsRoutes as Group<NewsSchema>)
  .route('/', adminRoutes as Group<AdminSchema>)
  .route('/', publishLeaseRoutes);
