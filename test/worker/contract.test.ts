/**
 * The contract every route keeps, driven by the OpenAPI document itself so a new route is
 * covered the day it is added: malformed input gets a 4xx `application/problem+json` body
 * with a machine-readable code, never a 5xx, never a stack trace.
 */
import { exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { forgetPointer } from '../../src/storage/snapshots.ts';
import { article, seedSnapshot } from './seed.ts';
import { expectClientError } from './expect-problem.ts';

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

  it('methods a route does not have', async () => {
    const res = await fetchWorker('/v1/feed', { method: 'POST', body: '{}' });
    await expectClientError(res, 'POST /v1/feed');
    expect(res.status).toBeGreaterThanOrEqual(400);
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
