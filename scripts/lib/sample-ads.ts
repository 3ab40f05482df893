/**
 * The sample's approved ads (scripts/sample/ads.ts), so that "private ads today" on the
 * front page is not empty on the first `npm start`. Ads live in the submissions Durable
 * Object, not in the snapshot, so they are posted and approved through the running
 * Worker's own API: the same validation, guards and store as any ad.
 *
 * Idempotent: an ad whose title is already in the store (any status) is not posted again.
 */
import { readFileSync } from 'node:fs';
import { SAMPLE_ADS } from '../sample/ads.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseEnv } from 'node:util';

/**
 * The sample posts as its own client, an address of the IPv6 documentation prefix
 * (RFC 3849), so seeding leaves the local user's submission budget (5 a minute) alone.
 * `wrangler dev` passes the header through; on Cloudflare the edge sets it itself.
 */
const SAMPLE_CLIENT = '2001:db8:5a:3e::1';

/** ADMIN_TOKEN from .dev.vars, the local secrets `wrangler dev` reads. */
export function localAdminToken(file = '.dev.vars'): string {
  const token = parseEnv(readFileSync(file, 'utf8')).ADMIN_TOKEN;
  if (!token) throw new Error(`${file} has no ADMIN_TOKEN`);
  return token;
}

/** Waits until the Worker answers /v1/health (or gives up after `timeoutMs`). */
export async function waitForWorker(origin: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(`${origin}/v1/health`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${origin} did not answer /v1/health`);
    await sleep(500);
  }
}

async function call<T>(origin: string, path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${origin}${path}`, {
    ...init,
    headers: { 'cf-connecting-ip': SAMPLE_CLIENT, ...init.headers },
  });
  if (!res.ok)
    throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Posts and approves the sample ads missing from the store; returns how many it added. */
export async function seedSampleAds(origin: string, adminToken: string): Promise<number> {
  const ads = SAMPLE_ADS;
  const admin = { authorization: `Bearer ${adminToken}` };
  const known = new Set<string>();
  for (const status of ['pending', 'approved', 'held', 'rejected']) {
    const list = await call<{ items: { content: { title?: string } }[] }>(
      origin,
      `/v1/admin/submissions?kind=ad&status=${status}&limit=100`,
      { headers: admin },
    );
    for (const item of list.items) if (item.content.title) known.add(item.content.title);
  }
  const missing = ads.filter((ad) => !known.has(ad.title));
  if (missing.length === 0) return 0;
  const form = await call<{ form_token: string; min_fill_seconds: number }>(
    origin,
    '/v1/form-token',
  );
  // The form token proves a form was open for a few seconds: wait that out, as a person would.
  await sleep(form.min_fill_seconds * 1000 + 250);
  for (const ad of missing) {
    const created = await call<{ id: string }>(origin, '/v1/ads', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...ad, website: '', form_token: form.form_token }),
    });
    await call(origin, `/v1/admin/submissions/${created.id}/approve`, {
      method: 'POST',
      headers: admin,
    });
  }
  return missing.length;
}

/** For `npm start`: seeds once the Worker is up, and says what it did; never throws. */
export async function seedSampleAdsWhenUp(origin: string): Promise<void> {
  try {
    await waitForWorker(origin);
    const added = await seedSampleAds(origin, localAdminToken());
    if (added > 0)
      console.error(`Sample ads: ${added} posted and approved (scripts/sample/ads.ts).`);
  } catch (error) {
    console.error(`Sample ads not seeded: ${(error as Error).message}`);
  }
}
