/**
 * The publish lease over HTTP, for scripts that publish into the deployed namespace
 * (`--remote`): they take the same `PublishLock` Durable Object as the Worker's cron
 * (src/storage/publish-lock.ts, rules in src/core/ingest/lease.ts), so a manual build, a
 * prune and the cron never publish at once. KV cannot hold a lease itself: it has no
 * compare-and-set, and a write may take 60 s to be seen elsewhere. Behind the admin token:
 * these paths are under `/v1/admin/`, whose guard (./admin.ts) runs first.
 */
import { Hono } from 'hono';
import { describeRoute } from '../http/openapi.ts';
import * as v from 'valibot';
import type { AppEnv } from '../env.ts';
import { LEASE_TTL_MS } from '../core/ingest/lease.ts';
import { problemDoc } from '../http/problem.ts';
import { validate } from '../http/validate.ts';
import { publishLease } from '../storage/publish-lease.ts';
import { adminErrors, json, jsonBody } from './submission-guards.ts';

const Acquire = v.object({
  holder: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
  ttl_ms: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1_000), v.maxValue(LEASE_TTL_MS))),
});
const Release = v.object({
  token: v.pipe(v.number(), v.integer(), v.minValue(1)),
  published: v.nullable(v.pipe(v.string(), v.maxLength(100))),
});
const Renew = v.object({
  token: v.pipe(v.number(), v.integer(), v.minValue(1)),
  ttl_ms: v.pipe(v.number(), v.integer(), v.minValue(1_000), v.maxValue(LEASE_TTL_MS)),
});
const Granted = v.union([
  v.object({
    ok: v.literal(true),
    token: v.number(),
    live: v.nullable(v.string()),
    expires_at: v.number(),
  }),
  v.object({ ok: v.literal(false), holder: v.string(), expires_at: v.number() }),
]);
const Released = v.object({ released: v.boolean() });
const Renewed = v.object({ renewed: v.boolean() });

const errors = {
  400: problemDoc('Bad body'),
  ...adminErrors,
  415: problemDoc('Not JSON'),
};

/** Chained, so that the typed client (src/client.ts) and the OpenAPI document carry them. */
export const publishLeaseRoutes = new Hono<AppEnv>()
  .post(
    '/v1/admin/publish-lease/acquire',
    describeRoute({
      tags: ['admin'],
      summary: 'Take the publish lease (granted when free or expired; refused while held)',
      responses: {
        200: { description: 'Granted (ok: true) or held by another', content: json(Granted) },
        ...errors,
      },
    }),
    jsonBody,
    validate('json', Acquire),
    async (c) => {
      const { holder, ttl_ms } = c.req.valid('json');
      c.header('Cache-Control', 'no-store');
      return c.json(await publishLease(c.env.PUBLISH_LOCK).acquire(holder, ttl_ms ?? LEASE_TTL_MS));
    },
  )
  .post(
    '/v1/admin/publish-lease/release',
    describeRoute({
      tags: ['admin'],
      summary: 'End the lease held by `token`, naming the snapshot it made live',
      responses: {
        200: { description: 'Whether the token still held the lease', content: json(Released) },
        ...errors,
      },
    }),
    jsonBody,
    validate('json', Release),
    async (c) => {
      const { token, published } = c.req.valid('json');
      c.header('Cache-Control', 'no-store');
      return c.json({ released: await publishLease(c.env.PUBLISH_LOCK).release(token, published) });
    },
  )
  .post(
    '/v1/admin/publish-lease/renew',
    describeRoute({
      tags: ['admin'],
      summary: 'Extend the lease held by `token` (a long build renews it while it runs)',
      responses: {
        200: { description: 'Whether the token still held the lease', content: json(Renewed) },
        ...errors,
      },
    }),
    jsonBody,
    validate('json', Renew),
    async (c) => {
      const { token, ttl_ms } = c.req.valid('json');
      c.header('Cache-Control', 'no-store');
      return c.json({ renewed: await publishLease(c.env.PUBLISH_LOCK).renew(token, ttl_ms) });
    },
  );
