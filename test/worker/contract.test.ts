/**
 * The contract every route keeps, driven by the OpenAPI document itself so a new route is
 * covered the day it is added: malformed input gets a 4xx `application/problem+json` body
 * with a machine-readable code, never a 5xx, never a stack trace.
 */
import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { forgetPointer } from '../../src/storage/snapshots.ts';
import { article, seedSnapshot } from './seed.ts';
import { expectClientError } from './expect-problem.ts';
import sample from '../../scripts/sample/news-page.jsonl?raw';
import { forgetApprovedNews } from '../../src/storage/submissions.ts';
import { approve, formToken, freshIp } from './submissions-helpers.ts';

interface Operation {
  parameters?: { name: string; in: string }[];
  requestBody?: unknown;
}
type Paths = Record<
  string,
  Partial<Record<'get' | 'post' | 'patch' | 'delete' | 'put', Operation>>
>;

const fetchWorker = (path: string, init?: RequestInit) =>
  exports.default.fetch(`http://edge.test${path}`, init);

let paths: Paths = {};
beforeAll(async () => {
  forgetPointer();
  await seedSnapshot([article({ title: 'Contract story' })]);
  paths = ((await (await fetchWorker('/openapi.json')).json()) as { paths: Paths }).paths;
});

const BAD_VALUES = [
  '',
  '-1',
  '0',
  '999999999999',
  'NaN',
  '%00',
  '<script>',
  'ü'.repeat(600),
  '2024-13-45',
  'null',
];
const fill = (path: string, value: string) => path.replace(/\{[^}]+\}/g, encodeURIComponent(value));

describe('every route answers bad input with a 4xx problem', () => {
  it('has routes to check', () => {
    expect(Object.keys(paths).length).toBeGreaterThanOrEqual(10);
  });

  it('query parameters with malformed values', async () => {
    for (const [path, ops] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const names = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
        for (const bad of BAD_VALUES) {
          const query = new URLSearchParams(names.map((n) => [n, bad])).toString();
          const res = await fetchWorker(`${fill(path, 'x')}?${query}`, {
            method: method.toUpperCase(),
            headers: { 'content-type': 'application/json' },
            body: method === 'get' ? null : '{}',
          });
          await expectClientError(res, `${method.toUpperCase()} ${path}?${query.slice(0, 80)}`);
        }
      }
    }
  });

  it('path parameters with malformed values', async () => {
    for (const [path, ops] of Object.entries(paths)) {
      if (!path.includes('{')) continue;
      for (const method of Object.keys(ops)) {
        for (const bad of BAD_VALUES.filter(Boolean)) {
          const res = await fetchWorker(fill(path, bad), {
            method: method.toUpperCase(),
            headers: { 'content-type': 'application/json' },
            body: method === 'get' ? null : '{}',
          });
          await expectClientError(res, `${method.toUpperCase()} ${fill(path, bad).slice(0, 80)}`);
        }
      }
    }
  });

  it('request bodies that are not JSON, not objects, or too big', async () => {
    const bodies: [string, RequestInit][] = [
      ['malformed JSON', { headers: { 'content-type': 'application/json' }, body: '{"title": ' }],
      ['a JSON array', { headers: { 'content-type': 'application/json' }, body: '[1,2]' }],
      ['JSON null', { headers: { 'content-type': 'application/json' }, body: 'null' }],
      [
        'form data',
        { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'title=x' },
      ],
      ['no content type', { body: '{}' }],
      [
        '1 MB of JSON',
        {
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ title: 'x'.repeat(1_000_000) }),
        },
      ],
    ];
    for (const [path, ops] of Object.entries(paths)) {
      for (const method of Object.keys(ops)) {
        if (method === 'get') continue;
        for (const [what, init] of bodies) {
          const res = await fetchWorker(fill(path, 'abc'), {
            method: method.toUpperCase(),
            ...init,
          });
          await expectClientError(res, `${method.toUpperCase()} ${path} with ${what}`);
          expect(res.status, `${method.toUpperCase()} ${path} with ${what}`).toBeGreaterThanOrEqual(
            400,
          );
        }
      }
    }
  });
});

describe('a known path asked with a method it does not have: 405 with Allow', () => {
  // The right admin token from an address of its own (the suites above spend the shared
  // address's admin guessing limit), so admin routes get as far as the router.
  const admin = {
    authorization: `Bearer ${env.ADMIN_TOKEN}`,
    'cf-connecting-ip': '203.0.113.45',
  };
  const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

  async function expect405(path: string, method: string, allow: string) {
    const what = `${method} ${path}`;
    const res = await fetchWorker(path, {
      method,
      headers: { ...admin, 'content-type': 'application/json' },
      ...(method === 'GET' ? {} : { body: '{}' }),
    });
    expect(res.status, what).toBe(405);
    expect(res.headers.get('allow'), what).toBe(allow);
    expect(res.headers.get('content-type'), what).toBe('application/problem+json');
    expect(await res.json(), what).toEqual({
      type: 'https://edge-news.dev/problems/method-not-allowed',
      title: 'Method Not Allowed',
      status: 405,
      code: 'method_not_allowed',
      detail: `${path} does not answer ${method}; it answers ${allow}.`,
      instance: path,
    });
  }

  it.each([
    ['/v1/feed', 'POST', 'GET, HEAD, OPTIONS'],
    ['/v1/news', 'GET', 'OPTIONS, POST'],
    ['/v1/ads/abc', 'PUT', 'DELETE, GET, HEAD, OPTIONS, PATCH'],
    ['/v1/ads/abc/renew', 'GET', 'OPTIONS, POST'],
    ['/v1/admin/submissions/abc/approve', 'DELETE', 'OPTIONS, POST'],
    ['/v1/admin/api-keys', 'PATCH', 'GET, HEAD, OPTIONS, POST'],
    ['/feed.atom', 'POST', 'GET, HEAD, OPTIONS'],
    ['/sections/world/feed.json', 'DELETE', 'GET, HEAD, OPTIONS'],
    ['/openapi.json', 'POST', 'GET, HEAD, OPTIONS'],
    // /ads/new is a page of its own and also matches /ads/:id
    ['/ads/new', 'DELETE', 'GET, HEAD, OPTIONS, POST'],
    ['/admin', 'PUT', 'GET, HEAD, OPTIONS, POST'],
    ['/', 'POST', 'GET, HEAD, OPTIONS'],
  ])('%s %s', async (path, method, allow) => {
    await expect405(path, method, allow);
  });

  it('every route of every group, from the app itself', async () => {
    const byPath = new Map<string, Set<string>>();
    for (const { method, path } of createApp().routes)
      if (method !== 'ALL') byPath.set(path, (byPath.get(path) ?? new Set()).add(method));
    expect(byPath.size).toBeGreaterThanOrEqual(30);
    for (const [pattern, methods] of byPath) {
      const path = pattern.replace(/:[a-z]+/g, 'x');
      for (const method of METHODS.filter((m) => !methods.has(m))) {
        const res = await fetchWorker(path, {
          method,
          headers: { ...admin, 'content-type': 'application/json' },
          ...(method === 'GET' ? {} : { body: '{}' }),
        });
        const what = `${method} ${path}`;
        expect(res.status, what).toBe(405);
        expect(res.headers.get('content-type'), what).toBe('application/problem+json');
        const allow = res.headers.get('allow')!.split(', ');
        for (const m of methods) expect(allow, what).toContain(m);
        expect(allow, what).not.toContain(method);
        await res.body?.cancel();
      }
    }
  });

  it('an unknown path stays 404, and a known one answers its own methods', async () => {
    const unknown = await fetchWorker('/v1/nothing-here', { method: 'PUT' });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('allow')).toBeNull();
    expect(((await unknown.json()) as { code: string }).code).toBe('not_found');
    // A handler's own 404 (no such ad) is not turned into a 405.
    const missing = await fetchWorker(`/v1/ads/${'a'.repeat(20)}`);
    expect(missing.status).toBe(404);
    await missing.body?.cancel();
    const head = await fetchWorker('/v1/feed', { method: 'HEAD' });
    expect(head.status).toBe(200);
  });
});

describe('every GET route that answers 200', () => {
  it('sends an ETag and answers If-None-Match with 304, and HEAD without a body', async () => {
    let checked = 0;
    for (const [path, ops] of Object.entries(paths)) {
      if (!ops.get || path.includes('{')) continue;
      const res = await fetchWorker(path);
      // Per-request answers (form tokens, admin views) are no-store: nothing to revalidate.
      if (res.status !== 200 || res.headers.get('cache-control') === 'no-store') continue;
      const etag = res.headers.get('etag');
      expect(etag, path).toBeTruthy();
      const again = await fetchWorker(path, { headers: { 'if-none-match': etag! } });
      expect(again.status, path).toBe(304);
      const head = await fetchWorker(path, { method: 'HEAD' });
      expect(head.status, path).toBe(200);
      expect(await head.text(), path).toBe('');
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(7);
  });
});

interface Example {
  value: unknown;
}
interface Documented {
  parameters?: { name: string; in: string; examples?: Record<string, Example> }[];
  requestBody?: { content: Record<string, { examples?: Record<string, Example> }> };
  responses: Record<
    string,
    {
      content?: Record<string, { examples?: Record<string, Example> }>;
      headers?: Record<string, { examples?: Record<string, Example> }>;
    }
  >;
  security?: Record<string, string[]>[];
}

/** Each named example of an operation: its parameters, body, status and answer. */
function examplesOf(op: Documented) {
  const named = new Map<
    string,
    {
      params: Record<string, unknown>;
      body?: unknown;
      status: number;
      answer: unknown;
      headers: Record<string, string>;
    }
  >();
  for (const [status, response] of Object.entries(op.responses)) {
    for (const media of Object.values(response.content ?? {}))
      for (const [name, { value }] of Object.entries(media.examples ?? {}))
        named.set(name, { params: {}, status: Number(status), answer: value, headers: {} });
    for (const [header, { examples }] of Object.entries(response.headers ?? {}))
      for (const [name, { value }] of Object.entries(examples ?? {}))
        named.get(name)!.headers[header.toLowerCase()] = String(value);
  }
  for (const p of op.parameters ?? [])
    for (const [name, { value }] of Object.entries(p.examples ?? {}))
      named.get(name)!.params[p.name] = value;
  for (const media of Object.values(op.requestBody?.content ?? {}))
    for (const [name, { value }] of Object.entries(media.examples ?? {}))
      named.get(name)!.body = value;
  return named;
}

const sampleRecords = () =>
  sample
    .split('\n')
    .filter(Boolean)
    .map((line, i) => ({
      value: JSON.parse(line) as unknown,
      origin: { file: 'news-page.jsonl', line: i + 1 },
    }));

/** The request an example shows, as a path with its query. */
function requestPath(path: string, params: Record<string, unknown>): string {
  const query = new URLSearchParams();
  let filled = path;
  for (const [name, value] of Object.entries(params)) {
    if (filled.includes(`{${name}}`))
      filled = filled.replace(`{${name}}`, encodeURIComponent(String(value)));
    else query.set(name, String(value));
  }
  return `${filled}${query.size > 0 ? `?${query}` : ''}`;
}

describe('the examples of the OpenAPI document, on the sample', () => {
  let doc: Record<string, Partial<Record<'get' | 'post', Documented>>> = {};
  beforeAll(async () => {
    forgetPointer();
    forgetApprovedNews();
    await seedSnapshot(sampleRecords());
    doc = ((await (await fetchWorker('/openapi.json')).json()) as { paths: typeof doc }).paths;
  });

  it('answers every GET example as documented: the same status and the same JSON', async () => {
    let compared = 0;
    for (const [path, ops] of Object.entries(doc)) {
      // /v1/ads lists the ads approved below: its ids and dates are new on every run.
      if (!ops.get || path === '/v1/ads') continue;
      for (const [name, { params, status, answer }] of examplesOf(ops.get)) {
        // Produced below, by using up the limit.
        if (status === 429) continue;
        const res = await fetchWorker(requestPath(path, params));
        expect([name, res.status]).toEqual([name, status]);
        expect(await res.json(), `${path} ${name}`).toEqual(answer);
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(8);
  });

  it('answers the POST examples and lists the ad, new ids and times aside', async () => {
    const volatile = {
      id: /^[a-z0-9]{20}$/,
      manage_token: /^[\w-]{32,}$/,
      expires_at: /^20\d\d-/,
      published: /^20\d\d-/,
    };
    /** The answer with its per-run values replaced by the example's, once their form is checked. */
    const settled = (got: unknown, documented: unknown): unknown => {
      if (Array.isArray(got) && Array.isArray(documented))
        return got.map((g, i) => settled(g, documented[i]));
      if (
        typeof got !== 'object' ||
        got === null ||
        typeof documented !== 'object' ||
        documented === null
      )
        return got;
      const doc = documented as Record<string, unknown>;
      return Object.fromEntries(
        Object.entries(got).map(([key, value]) => {
          const form = volatile[key as keyof typeof volatile];
          if (form && typeof value === 'string' && form.test(value)) return [key, doc[key]];
          return [key, settled(value, doc[key])];
        }),
      );
    };
    let adId = '';
    for (const path of ['/v1/ads', '/v1/news'] as const) {
      for (const [name, { body, status, answer }] of examplesOf(doc[path]!.post!)) {
        // Produced below, by using up the limit.
        if (status === 429) continue;
        const res = await fetchWorker(path, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'cf-connecting-ip': freshIp() },
          body: JSON.stringify({ ...(body as object), form_token: await formToken() }),
        });
        expect([path, name, res.status]).toEqual([path, name, status]);
        const got = (await res.json()) as { id: string };
        expect(settled(got, answer), `${path} ${name}`).toEqual(answer);
        if (path === '/v1/ads' && status === 201) adId = got.id;
      }
    }
    expect((await approve(adId)).status).toBe(200);
    const listed = doc['/v1/ads']!.get!;
    for (const [name, { params, status, answer }] of examplesOf(listed)) {
      const res = await fetchWorker(requestPath('/v1/ads', params));
      expect([name, res.status]).toEqual([name, status]);
      expect(settled(await res.json(), answer), name).toEqual(answer);
    }
  });
});

describe('every documented 429, produced by the Worker', () => {
  let doc: Record<string, Partial<Record<'get' | 'post' | 'delete' | 'patch', Documented>>> = {};
  beforeAll(async () => {
    doc = ((await (await fetchWorker('/openapi.json')).json()) as { paths: typeof doc }).paths;
  });

  /** How an example's request is sent: a browser's form token, an app's key, or a wrong admin token. */
  async function credentials(
    op: Documented,
    name: string,
  ): Promise<(body: unknown) => Promise<RequestInit>> {
    const json = (body: unknown, headers: Record<string, string>): RequestInit => ({
      headers: {
        ...headers,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (op.security?.some((s) => 'adminToken' in s))
      return async (body) => json(body, { authorization: 'Bearer not-the-admin-token' });
    if (name.endsWith('-app')) {
      const issued = await fetchWorker('/v1/admin/api-keys', {
        method: 'POST',
        headers: {
          authorization: `Bearer ${env.ADMIN_TOKEN}`,
          'cf-connecting-ip': freshIp(),
          'content-type': 'application/json',
        },
        body: JSON.stringify({ name: 'Contract test app' }),
      });
      expect(issued.status).toBe(201);
      const { key } = (await issued.json()) as { key: string };
      return async (body) => json(body, { authorization: `Bearer ${key}` });
    }
    return async (body) =>
      json(
        typeof body === 'object' && body !== null && 'form_token' in body
          ? { ...body, form_token: await formToken() }
          : body,
        {},
      );
  }

  it('sends each 429 example until the limit answers it: the same status, Problem and headers', async () => {
    const produced: string[] = [];
    for (const [path, ops] of Object.entries(doc)) {
      for (const [method, op] of Object.entries(ops) as [string, Documented][]) {
        const route = `${method.toUpperCase()} ${path}`;
        if (!op.responses['429']) continue;
        const examples = [...examplesOf(op)].filter(([, e]) => e.status === 429);
        // Every route that documents a 429 shows one.
        expect(examples.length, route).toBeGreaterThan(0);
        for (const [name, { params, body, answer, headers }] of examples) {
          const what = `${route} ${name}`;
          const policy = /;q=(\d+);/.exec(headers['ratelimit-policy'] ?? '');
          expect(policy, what).not.toBeNull();
          const limit = Number(policy![1]);
          // One client (address) for the whole run of this example.
          const ip = freshIp();
          const init = await credentials(op, name);
          const sendOne = async () => {
            const request = await init(body);
            return fetchWorker(requestPath(path, params), {
              ...request,
              method: method.toUpperCase(),
              headers: { ...(request.headers as Record<string, string>), 'cf-connecting-ip': ip },
            });
          };
          // The policy's quota, ten at a time (the app key's is 60), is let through ...
          const statuses: number[] = [];
          for (let sent = 0; sent < limit; sent += 10) {
            const batch = await Promise.all(
              Array.from({ length: Math.min(10, limit - sent) }, sendOne),
            );
            for (const r of batch) {
              statuses.push(r.status);
              await r.body?.cancel();
            }
          }
          expect(
            statuses.filter((s) => s === 429),
            `${what}: ${statuses.join(',')}`,
          ).toEqual([]);
          expect(statuses, what).toHaveLength(limit);
          // ... and the next request is refused.
          const res = await sendOne();
          expect(res.status, what).toBe(429);
          expect(res.headers.get('content-type'), what).toBe('application/problem+json');
          expect(await res.json(), what).toEqual(answer);
          const got = Object.fromEntries(Object.keys(headers).map((h) => [h, res.headers.get(h)]));
          // The admin lock-out lasts until its oldest failure is a minute old: a slow run
          // may have begun its count a second or more before the last attempt.
          const retry = Number(got['retry-after']);
          if (retry !== Number(headers['retry-after'])) {
            expect(
              op.security?.some((s) => 'adminToken' in s),
              what,
            ).toBe(true);
            expect(retry, what).toBeGreaterThanOrEqual(Number(headers['retry-after']) - 5);
            expect(got['ratelimit-reset'], what).toBe(String(retry));
            expect(got.ratelimit, what).toBe(headers.ratelimit?.replace(/t=\d+$/, `t=${retry}`));
            got['retry-after'] = headers['retry-after']!;
            got['ratelimit-reset'] = headers['ratelimit-reset']!;
            got.ratelimit = headers.ratelimit!;
          }
          expect(got, what).toEqual(headers);
          expect(Object.keys(headers).sort(), what).toEqual([
            'ratelimit',
            'ratelimit-limit',
            'ratelimit-policy',
            'ratelimit-remaining',
            'ratelimit-reset',
            'retry-after',
          ]);
          produced.push(what);
        }
      }
    }
    expect(produced.sort()).toEqual([
      'DELETE /v1/admin/api-keys/{id} locked-out',
      'GET /v1/admin/api-keys locked-out',
      'GET /v1/admin/submissions locked-out',
      'POST /v1/admin/api-keys locked-out',
      'POST /v1/admin/publish-lease/acquire locked-out',
      'POST /v1/admin/publish-lease/release locked-out',
      'POST /v1/admin/publish-lease/renew locked-out',
      'POST /v1/admin/submissions/{id}/{action} locked-out',
      'POST /v1/ads rate-limited',
      'POST /v1/ads/{id}/reports rate-limited',
      'POST /v1/news rate-limited',
      'POST /v1/news rate-limited-app',
    ]);
  });
});
