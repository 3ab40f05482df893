/**
 * The publish lease of the Worker (rules: src/core/ingest/lease.ts). One Durable Object
 * instance, `PUBLISH_LOCK.idFromName('publish')`, holds the lease record; a Durable Object
 * runs one request's storage operations at a time (input and output gates:
 * https://developers.cloudflare.com/durable-objects/api/storage-api/), so read, decide and
 * write are atomic without an explicit transaction.
 */
import { DurableObject } from 'cloudflare:workers';
import {
  decideLease,
  decideRelease,
  decideRenew,
  type LeaseRecord,
  type LeaseResult,
} from '../core/ingest/lease.ts';

const RECORD = 'lease';

export class PublishLock extends DurableObject {
  async acquire(holder: string, ttlMs: number): Promise<LeaseResult> {
    const current = (await this.ctx.storage.get<LeaseRecord>(RECORD)) ?? null;
    const { next, result } = decideLease(current, holder, ttlMs, Date.now());
    if (next) await this.ctx.storage.put(RECORD, next);
    return result;
  }

  async release(token: number, published: string | null): Promise<boolean> {
    const current = (await this.ctx.storage.get<LeaseRecord>(RECORD)) ?? null;
    const next = decideRelease(current, token, published);
    if (next) await this.ctx.storage.put(RECORD, next);
    return next !== null;
  }

  async renew(token: number, ttlMs: number): Promise<boolean> {
    const current = (await this.ctx.storage.get<LeaseRecord>(RECORD)) ?? null;
    const next = decideRenew(current, token, ttlMs, Date.now());
    if (next) await this.ctx.storage.put(RECORD, next);
    return next !== null;
  }
}
