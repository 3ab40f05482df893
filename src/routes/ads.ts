import { Hono } from 'hono';
import type { AppEnv } from '../app.ts';

/** Placeholder sub-app; the routes land with their issue. */
export const adsRoutes = new Hono<AppEnv>();
