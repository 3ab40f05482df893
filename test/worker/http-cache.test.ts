/**
 * The HTTP layer's promises (src/http/cache.ts, src/http/validate.ts) through the Worker:
 * Last-Modified moves with approved reader news, the edge-cache key holds only the route's
 * known query parameters in a fixed order, and a repeated parameter is named as such.
 */
import { exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { forgetPointer } from '../../src/storage/snapshots.ts';
import { forgetApprovedNews } from '../../src/storage/submissions.ts';
import { article, seedSnapshot } from './seed.ts';
import { approve, postNews } from './submissions-helpers.ts';

vi.setConfig({ testTimeout: 60_000 });

const get = (path: string, headers: Record<string, string> = {}) =>
  exports.default.fetch(`http://edge.test${path}`, { headers });

// Built an hour ago: Last-Modified has one-second resolution, so the approval below must be
// in a later second than the build for the header to tell them apart.
const builtAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);

beforeAll(async () => {
  forgetPointer();
  await seedSnapshot(
    [
      article({ title: 'Tram line extended to the harbour', published: '2024-07-15T08:00:00Z' }),
      article({ title: 'Night market returns to the square', published: '2024-07-15T09:00:00Z' }),
    ],
    { builtAt },
  );
});

describe('Last-Modified and If-Modified-Since', () => {
  it('an approval after the build is not hidden by If-Modified-Since', async () => {
    const paths = ['/v1/feed?limit=5', '/feed.xml', '/feed.atom', '/feed.json'];
    const before = new Map<string, string>();
    for (const path of paths) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('last-modified'), path).toBe(builtAt.toUTCString());
      before.set(path, res.headers.get('last-modified')!);
    }
    const posted = await postNews({ title: 'Ferry pier reopens after the winter repairs' });
    expect(posted.res.status).toBe(201);
    expect((await approve(posted.body.id)).status).toBe(200);
    forgetApprovedNews();
    for (const path of paths) {
      const res = await get(path, { 'if-modified-since': before.get(path)! });
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).toContain('Ferry pier reopens');
      const lastModified = res.headers.get('last-modified')!;
      expect(Date.parse(lastModified), path).toBeGreaterThan(builtAt.getTime());
      // The new validator works as one.
      expect((await get(path, { 'if-modified-since': lastModified })).status, path).toBe(304);
    }
  });
});

describe('the edge-cache key', () => {
  it('unknown parameters and parameter order do not make new cache entries', async () => {
    const first = await get('/v1/feed?limit=1&lang=en');
    expect(first.headers.get('x-edge-cache')).toBe('MISS');
    const body = await first.text();
    for (const path of [
      '/v1/feed?lang=en&limit=1',
      '/v1/feed?limit=1&lang=en&utm_source=x',
      '/v1/feed?zzz=1&lang=en&limit=1&aaa=2',
    ]) {
      const res = await get(path);
      expect(res.headers.get('x-edge-cache'), path).toBe('HIT');
      expect(await res.text(), path).toBe(body);
    }
    // A known parameter still makes its own entry.
    expect((await get('/v1/feed?limit=2&lang=en')).headers.get('x-edge-cache')).toBe('MISS');
  });

  it('a repeated known parameter never shares the entry of a single one', async () => {
    expect((await get('/v1/feed?limit=1')).status).toBe(200);
    expect((await get('/v1/feed?limit=1&limit=1')).status).toBe(400);
  });
});

describe('a repeated query parameter', () => {
  it.each([
    ['/v1/feed?limit=1&limit=2', 'limit'],
    ['/v1/search?q=tram&q=market', 'q'],
    ['/v1/suggest?q=tr&q=ma', 'q'],
    ['/feed.xml?lang=en&lang=ru', 'lang'],
  ])('%s: "may be given only once"', async (path, field) => {
    const res = await get(path);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await res.json()) as { detail: string; errors: unknown[] };
    expect(problem.errors).toEqual([{ field, message: 'may be given only once' }]);
    expect(problem.detail).toBe(`The request query is invalid: ${field}: may be given only once`);
  });

  it('other fields keep their own messages beside it', async () => {
    const res = await get('/v1/search?q=a&q=b&limit=zero');
    const problem = (await res.json()) as { errors: { field: string; message: string }[] };
    expect(problem.errors).toEqual([
      { field: 'q', message: 'may be given only once' },
      { field: 'limit', message: 'must be a whole number from 1 to 50' },
    ]);
  });
});
