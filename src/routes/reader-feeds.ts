import { Hono } from 'hono';
import type { AppEnv } from '../app.ts';

/** JSON Feed, RSS and Atom for feed readers: wired once src/core/feed-formats.ts lands. */
export const readerFeedRoutes = new Hono<AppEnv>();
