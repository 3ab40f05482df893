/**
 * For the apps that call the submission routes: rate-limit headers beside Retry-After, the
 * headers CORS exposes, and API keys (issued and revoked by the admin, stored as hashes,
 * their own rate limit, no form token, their own Idempotency-Key scope).
 */
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import type { ApiKeyInfo, ApiKeyIssued } from '../../src/core/submissions/schemas.ts';
import { sha256Hex } from '../../src/core/submissions/tokens.ts';
import { submissionsStore } from '../../src/storage/submissions.ts';
import {
  admin,
  approve,
  freshIp,
  postAd,
  send,
  validAd,
  validNews,
} from './submissions-helpers.ts';

vi.setConfig({ testTimeout: 30_000 });

const headersOf = (res: Response, names: string[]) =>
  Object.fromEntries(names.map((n) => [n, res.headers.get(n)]));
const LIMIT_HEADERS = [
  'retry-after',
  'ratelimit',
  'ratelimit-policy',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
];

async function issueKey(name = 'Test app'): Promise<ApiKeyIssued> {
  const res = await send('POST', '/v1/admin/api-keys', { name }, admin);
  expect(res.status).toBe(201);
  return (await res.json()) as ApiKeyIssued;
}

/** An app's body: no form token, no honeypot. */
async function appAd(overrides: Record<string, unknown> = {}) {
  const { form_token: _f, website: _w, ...body } = await validAd(overrides);
  return body;
}

describe('rate-limit headers', () => {
  it('POST /v1/ads: the policy on every answer; at the limit 429 with Retry-After, RateLimit and the triple', async () => {
    const ip = { 'cf-connecting-ip': freshIp() };
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await send('POST', '/v1/ads', await validAd(), ip));
    expect(answers.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 429]);
    expect(answers[0]?.headers.get('ratelimit-policy')).toBe('"client";q=5;w=60');
    expect(headersOf(answers[5]!, LIMIT_HEADERS)).toEqual({
      'retry-after': '60',
      ratelimit: '"client";r=0;t=60',
      'ratelimit-policy': '"client";q=5;w=60',
      'ratelimit-limit': '5',
      'ratelimit-remaining': '0',
      'ratelimit-reset': '60',
    });
    // A refusal of another kind still says the policy.
    const bad = await send('POST', '/v1/news', { title: 1 }, { 'cf-connecting-ip': freshIp() });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('ratelimit-policy')).toBe('"client";q=5;w=60');
  });

  it('reports: the same headers at the limit', async () => {
    const { body } = await postAd();
    await approve(body.id);
    const ip = { 'cf-connecting-ip': freshIp() };
    let last = new Response();
    for (let i = 0; i < 6; i++)
      last = await send('POST', `/v1/ads/${body.id}/reports`, { reason: 'spam' }, ip);
    expect(last.status).toBe(429);
    expect(headersOf(last, LIMIT_HEADERS)).toMatchObject({
      'retry-after': '60',
      ratelimit: '"client";r=0;t=60',
      'ratelimit-remaining': '0',
    });
  });

  it('admin: each failure counts down RateLimit; the lock-out says when it ends', async () => {
    const ip = { 'cf-connecting-ip': freshIp() };
    const remaining = [];
    let res = new Response();
    for (let i = 0; i < 6; i++) {
      res = await send('GET', '/v1/admin/submissions', undefined, {
        ...ip,
        authorization: 'Bearer wrong',
      });
      remaining.push(res.headers.get('ratelimit-remaining'));
    }
    expect(remaining).toEqual(['4', '3', '2', '1', '0', '0']);
    expect(res.status).toBe(429);
    expect(res.headers.get('ratelimit-policy')).toBe('"admin-failures";q=5;w=60');
    const retry = Number(res.headers.get('retry-after'));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(60);
    expect(res.headers.get('ratelimit')).toBe(`"admin-failures";r=0;t=${retry}`);
  });

  it('CORS exposes Idempotent-Replayed and the rate-limit headers', async () => {
    const res = await send('POST', '/v1/ads', await validAd(), { origin: 'https://app.example' });
    const exposed = (res.headers.get('access-control-expose-headers') ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase());
    expect(exposed).toEqual(expect.arrayContaining(['idempotent-replayed', ...LIMIT_HEADERS]));
  });
});

describe('API keys for apps', () => {
  it('the admin issues a key shown once and stored as its SHA-256; the list never shows it', async () => {
    expect((await send('POST', '/v1/admin/api-keys', { name: 'x' })).status).toBe(401);
    const issued = await issueKey('Weather app');
    expect(issued).toMatchObject({ name: 'Weather app', revoked_at: null });
    expect(issued.key).toMatch(/^enk_[A-Za-z0-9_-]{43}$/);
    const list = (await (await send('GET', '/v1/admin/api-keys', undefined, admin)).json()) as {
      items: ApiKeyInfo[];
    };
    expect(list.items.find((k) => k.id === issued.id)).toEqual({
      id: issued.id,
      name: 'Weather app',
      created_at: issued.created_at,
      revoked_at: null,
    });
    expect(JSON.stringify(list)).not.toContain(issued.key);
    const stored = await runInDurableObject(submissionsStore(env.SUBMISSIONS), (_i, state) =>
      state.storage.sql.exec('SELECT hash FROM api_key_v1 WHERE id = ?', issued.id).one(),
    );
    expect(stored.hash).toBe(await sha256Hex(issued.key));
    expect((await send('POST', '/v1/admin/api-keys', { name: '' }, admin)).status).toBe(400);
  });

  it('an app with a key submits without a form token, in its own bucket; a browser still needs one', async () => {
    const { key } = await issueKey();
    const ip = { 'cf-connecting-ip': freshIp() };
    const app = { ...ip, authorization: `Bearer ${key}` };
    const statuses = [];
    // More than a browser's 5 a minute from the same address: the app has its own limit.
    for (let i = 0; i < 7; i++)
      statuses.push(
        (
          await send(
            'POST',
            i % 2 ? '/v1/news' : '/v1/ads',
            i % 2 ? await appNews() : await appAd(),
            app,
          )
        ).status,
      );
    expect(statuses).toEqual([201, 201, 201, 201, 201, 201, 201]);
    const created = await send('POST', '/v1/ads', await appAd(), app);
    expect(created.headers.get('ratelimit-policy')).toBe('"app";q=60;w=60');

    const browser = await send('POST', '/v1/ads', await appAd(), { 'cf-connecting-ip': freshIp() });
    expect(browser.status).toBe(400);
    expect(((await browser.json()) as { errors: { field: string }[] }).errors).toEqual([
      { field: 'form_token', message: 'is required (GET /v1/form-token)' },
    ]);
  });

  it('refuses an unknown key, another scheme, and a revoked key with 401', async () => {
    const { id, key } = await issueKey();
    for (const authorization of ['Bearer enk_unknown', `Basic ${key}`]) {
      const res = await send('POST', '/v1/ads', await appAd(), { authorization });
      expect(res.status, authorization).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="apps"');
    }
    const auth = { authorization: `bearer ${key}` };
    expect((await send('POST', '/v1/ads', await appAd(), auth)).status).toBe(201);
    const revoked = await send('DELETE', `/v1/admin/api-keys/${id}`, undefined, admin);
    expect(revoked.status).toBe(200);
    expect(((await revoked.json()) as ApiKeyInfo).revoked_at).not.toBeNull();
    expect((await send('POST', '/v1/ads', await appAd(), auth)).status).toBe(401);
    expect(
      (await send('DELETE', '/v1/admin/api-keys/aaaaaaaaaaaaaaaaaaaa', undefined, admin)).status,
    ).toBe(404);
  });

  it('scopes Idempotency-Keys per API key: two apps (and a browser) with the same key do not collide', async () => {
    const [one, two] = [await issueKey('One'), await issueKey('Two')];
    const idem = { 'idempotency-key': `shared-${crypto.randomUUID()}` };
    const body = await appAd({ title: 'Scoped idempotent ad' });
    const post = (headers: Record<string, string>, payload: unknown = body) =>
      send('POST', '/v1/ads', payload, { ...idem, ...headers });
    const a = await post({ authorization: `Bearer ${one.key}` });
    const again = await post({ authorization: `Bearer ${one.key}` });
    const b = await post({ authorization: `Bearer ${two.key}` });
    const web = await post({}, await validAd({ title: 'Scoped idempotent ad' }));
    expect([a.status, again.status, b.status, web.status]).toEqual([201, 201, 201, 201]);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const ids = await Promise.all(
      [a, again, b, web].map(async (r) => ((await r.json()) as { id: string }).id),
    );
    expect(ids[1]).toBe(ids[0]);
    expect(new Set(ids).size).toBe(3);
  });
});

async function appNews() {
  const { form_token: _f, website: _w, ...body } = await validNews();
  return body;
}
