/**
 * The front page and the SubmissionsStore Durable Object: the page lists the ads of the
 * last 24 hours, but a request the edge cache answers (a hit, or a 304) must not reach the
 * object. The real app runs on the real bindings; the only change is that SUBMISSIONS is the
 * real namespace behind a wrapper that records every call made on its stubs.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { ADS_CHANGED_KEY } from '../../src/core/snapshot/keys.ts';
import { approve, owner, postAd, send } from './submissions-helpers.ts';
import { article, seedSnapshot } from './seed.ts';

const app = createApp();

/** The real namespace; every method called on a stub it hands out is recorded by name. */
function countingNamespace(ns: Env['SUBMISSIONS'], calls: string[]): Env['SUBMISSIONS'] {
  const stub = <T extends object>(real: T): T =>
    new Proxy(real, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push(String(prop));
          // Reflect.apply: on an RPC method, `.apply` would itself be an RPC call.
          return Reflect.apply(value, target, args);
        };
      },
    });
  return new Proxy(ns, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop);
      if (typeof value !== 'function') return value;
      const method = (...args: unknown[]): unknown => Reflect.apply(value, target, args);
      return prop === 'get' || prop === 'getByName'
        ? (...args: unknown[]) => stub(method(...args) as object)
        : method;
    },
  });
}

/** GET / through the real app; the store calls it made, and the response. */
async function front(headers: Record<string, string> = {}) {
  const calls: string[] = [];
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request('http://edge.test/?hl=en', { headers }),
    { ...env, SUBMISSIONS: countingNamespace(env.SUBMISSIONS, calls) },
    ctx,
  );
  const body = await res.text();
  // The cache put runs in waitUntil: the next request must find it.
  await waitOnExecutionContext(ctx);
  return { res, body, calls };
}

describe('front page and the Durable Object', { timeout: 30_000 }, () => {
  beforeAll(async () => {
    await seedSnapshot([article({ title: 'Harbour reopens after the storm', lang: 'en' })]);
  });

  it('asks the store on a miss, and neither on a hit nor on a 304', async () => {
    const miss = await front();
    expect(miss.res.status).toBe(200);
    expect(miss.res.headers.get('x-edge-cache')).toBe('MISS');
    expect(miss.calls).toEqual(['publicAds']);

    const hit = await front();
    expect(hit.res.headers.get('x-edge-cache')).toBe('HIT');
    expect(hit.body).toBe(miss.body);
    expect(hit.calls).toEqual([]);

    const etag = miss.res.headers.get('etag');
    expect(etag).toMatch(/^"[0-9a-f]{40}"$/);
    const notModified = await front({ 'if-none-match': etag! });
    expect(notModified.res.status).toBe(304);
    expect(notModified.calls).toEqual([]);
  });

  it('shows an approved ad on the next request, and drops a deleted one, then hits again', async () => {
    await front();
    const { body: ad } = await postAd({ title: 'Piano lessons by the harbour', lang: 'en' });
    expect((await approve(ad.id)).status).toBe(200);

    const after = await front();
    expect(after.res.headers.get('x-edge-cache')).toBe('MISS');
    expect(after.body).toContain('Piano lessons by the harbour');
    expect(after.calls).toEqual(['publicAds']);
    expect((await front()).calls).toEqual([]);

    expect(
      (await send('DELETE', `/v1/ads/${ad.id}`, undefined, owner(ad.manage_token))).status,
    ).toBe(204);
    const gone = await front();
    expect(gone.res.headers.get('x-edge-cache')).toBe('MISS');
    expect(gone.body).not.toContain('Piano lessons by the harbour');
  });

  it('asks the store when the ads version in KV does not read, rather than serve a guess', async () => {
    const kept = await env.NEWS.get(ADS_CHANGED_KEY);
    await env.NEWS.put(ADS_CHANGED_KEY, '{"changed_at":');
    try {
      const first = await front();
      expect(first.res.status).toBe(200);
      expect(first.calls).toEqual(['publicAds']);
    } finally {
      if (kept === null) await env.NEWS.delete(ADS_CHANGED_KEY);
      else await env.NEWS.put(ADS_CHANGED_KEY, kept);
    }
  });
});
