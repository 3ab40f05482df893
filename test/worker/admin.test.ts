import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AdList, AdminItem, AdminList } from '../../src/core/submissions/schemas.ts';
import { admin, freshIp, postAd, postNews, send } from './submissions-helpers.ts';

// Projection writes to one KV key are spaced 1 s apart (KV's limit), so some flows take seconds.
vi.setConfig({ testTimeout: 30_000 });

type ProblemBody = {
  status: number;
  code: string;
  detail: string;
  errors?: { field: string; message: string }[];
};

async function queue(query: string): Promise<AdminList> {
  const res = await send('GET', `/v1/admin/submissions?${query}`, undefined, admin);
  expect(res.status).toBe(200);
  return (await res.json()) as AdminList;
}

describe('admin authentication', () => {
  it.each([
    ['no header', {}],
    ['wrong token', { authorization: 'Bearer wrong-token' }],
    ['a prefix of the token', { authorization: 'Bearer test-admin' }],
    ['the token with extra characters', { authorization: 'Bearer test-admin-token2' }],
    ['another scheme', { authorization: 'Basic dGVzdC1hZG1pbi10b2tlbg==' }],
    ['an empty bearer', { authorization: 'Bearer ' }],
  ])('answers 401 problem+json for %s', async (_name, headers) => {
    for (const [method, path] of [
      ['GET', '/v1/admin/submissions'],
      ['POST', '/v1/admin/submissions/aaaaaaaaaaaaaaaaaaaa/approve'],
      ['POST', '/v1/admin/submissions/aaaaaaaaaaaaaaaaaaaa/reject'],
    ] as const) {
      const res = await send(method, path, undefined, headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="admin"');
      expect(((await res.json()) as ProblemBody).code).toBe('unauthorized');
    }
  });
});

describe('admin brute force', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('after 5 failed attempts a minute from one client refuses every attempt, the right token too, until the window frees', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.now();
    const ip = { 'cf-connecting-ip': freshIp() };
    const attempt = (token: string) =>
      send('GET', '/v1/admin/submissions', undefined, { ...ip, authorization: `Bearer ${token}` });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      vi.setSystemTime(start + i * 1_000);
      statuses.push((await attempt(`guess-${i}`)).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    // The first failure (at start) leaves the 60 s window at start + 60 s.
    vi.setSystemTime(start + 10_000);
    const right = await attempt(env.ADMIN_TOKEN);
    expect(right.status).toBe(429);
    expect(right.headers.get('retry-after')).toBe('50');
    expect(((await right.json()) as ProblemBody).code).toBe('rate_limited');
    vi.setSystemTime(start + 60_000);
    expect((await attempt(env.ADMIN_TOKEN)).status).toBe(200);
  });

  it('counts only failures: the right token works any number of times', async () => {
    const ip = { 'cf-connecting-ip': freshIp() };
    for (let i = 0; i < 8; i++)
      expect(
        (await send('GET', '/v1/admin/submissions', undefined, { ...ip, ...admin })).status,
      ).toBe(200);
  });

  it('takes the scheme in any case (RFC 9110 §11.1)', async () => {
    for (const scheme of ['bearer', 'BEARER', 'Bearer'])
      expect(
        (
          await send('GET', '/v1/admin/submissions', undefined, {
            authorization: `${scheme} ${env.ADMIN_TOKEN}`,
          })
        ).status,
        scheme,
      ).toBe(200);
  });
});

describe('moderation flow', () => {
  it('pending -> approved (public) -> rejected (gone), each visible in the queue by status', async () => {
    const { body } = await postAd({
      title: 'Moderated guitar lessons',
      category: 'education',
      lang: 'uk',
    });
    const pending = await queue('status=pending&kind=ad&limit=100');
    const item = pending.items.find((i) => i.id === body.id);
    expect(item).toMatchObject({ kind: 'ad', status: 'pending', approved_at: null, reports: 0 });
    // Moderators see the contact details.
    expect(item?.content).toMatchObject({ contact: { email: 'olga@example.com' } });

    const approved = await send(
      'POST',
      `/v1/admin/submissions/${body.id}/approve`,
      undefined,
      admin,
    );
    expect(approved.status).toBe(200);
    const approvedItem = (await approved.json()) as AdminItem;
    expect(approvedItem.status).toBe('approved');
    expect(approvedItem.approved_at).not.toBeNull();
    expect((await queue('status=approved&limit=100')).items.map((i) => i.id)).toContain(body.id);
    expect((await queue('status=pending&limit=100')).items.map((i) => i.id)).not.toContain(body.id);
    expect((await send('GET', `/v1/ads/${body.id}`)).status).toBe(200);

    const rejected = await send(
      'POST',
      `/v1/admin/submissions/${body.id}/reject`,
      undefined,
      admin,
    );
    expect(((await rejected.json()) as AdminItem).status).toBe('rejected');
    expect((await queue('status=rejected&limit=100')).items.map((i) => i.id)).toContain(body.id);
    expect((await send('GET', `/v1/ads/${body.id}`)).status).toBe(404);
    const list = (await (await send('GET', '/v1/ads?lang=uk&category=education')).json()) as AdList;
    expect(list.items.map((i) => i.id)).not.toContain(body.id);
  });

  it('filters by kind and pages oldest first', async () => {
    const newsId = (await postNews()).body.id;
    const onlyNews = await queue('status=pending&kind=news&limit=100');
    expect(onlyNews.items.every((i) => i.kind === 'news')).toBe(true);
    expect(onlyNews.items.map((i) => i.id)).toContain(newsId);

    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await postAd({ title: `Queued ad ${i}` })).body.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: AdminList = await queue(
        `status=pending&kind=ad&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.items.map((i) => i.id));
      cursor = page.next_cursor;
    } while (cursor);
    // Oldest first: the three just queued come last, in order.
    expect(seen.slice(-3)).toEqual(ids);
  });

  it('answers 404 for an unknown id, 400 for a bad id or action or query', async () => {
    expect(
      (await send('POST', '/v1/admin/submissions/aaaaaaaaaaaaaaaaaaaa/approve', undefined, admin))
        .status,
    ).toBe(404);
    const badAction = await send(
      'POST',
      '/v1/admin/submissions/aaaaaaaaaaaaaaaaaaaa/publish',
      undefined,
      admin,
    );
    expect(badAction.status).toBe(400);
    const badId = await send('POST', '/v1/admin/submissions/x/approve', undefined, admin);
    expect(badId.status).toBe(400);
    const badStatus = await send('GET', '/v1/admin/submissions?status=deleted', undefined, admin);
    expect(badStatus.status).toBe(400);
    expect(((await badStatus.json()) as ProblemBody).errors?.[0]?.field).toBe('status');
    const badCursor = await send('GET', '/v1/admin/submissions?cursor=zzz', undefined, admin);
    expect(((await badCursor.json()) as ProblemBody).code).toBe('invalid_cursor');
  });
});
