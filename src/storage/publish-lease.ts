/**
 * The publish lease through the Worker's `PublishLock` Durable Object (./publish-lock.ts),
 * apart from the class so that what only calls it (the routes, which scripts/openapi.ts
 * also loads in Node) does not import `cloudflare:workers`.
 */
import type { PublishLease } from '../core/ingest/lease.ts';
import type { PublishLock } from './publish-lock.ts';

/** The lease over the binding: every publisher of this Worker asks the same instance. */
export function publishLease(ns: DurableObjectNamespace<PublishLock>): PublishLease {
  const stub = () => ns.get(ns.idFromName('publish'));
  return {
    acquire: (holder, ttlMs) => stub().acquire(holder, ttlMs),
    release: (token, published) => stub().release(token, published),
    renew: (token, ttlMs) => stub().renew(token, ttlMs),
  };
}
