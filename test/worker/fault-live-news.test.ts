/**
 * Fault: the approved reader-news list in KV (`sub:v1:news:approved`) is corrupt. Every
 * route that merges it answers 200 from the snapshot alone, and says why in the log.
 */
import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { APPROVED_NEWS_KEY } from '../../src/core/snapshot/keys.ts';
import { forgetPointer } from '../../src/storage/snapshots.ts';
import { forgetApprovedNews } from '../../src/storage/submissions.ts';
import { article, seedSnapshot } from './seed.ts';

vi.setConfig({ testTimeout: 60_000 });

const ROUTES = [
  '/v1/feed',
  '/feed.xml',
  '/feed.atom',
  '/feed.json',
  '/sections/world/feed.xml',
  '/v1/search?q=lantern',
  '/v1/suggest?q=lant',
];

describe.each([
  ['not JSON', '{"format":1,"updated_at":"2024-'],
  ['JSON of the wrong shape', '{"format":1,"updated_at":"x","items":42}'],
  ['the wrong format', '{"format":9,"updated_at":"x","items":[]}'],
])('a corrupt approved-news list: %s', (_, value) => {
  beforeAll(async () => {
    forgetPointer();
    await seedSnapshot([article({ title: 'Lantern festival lights up the old town' })]);
    await env.NEWS.put(APPROVED_NEWS_KEY, value);
    forgetApprovedNews();
  });

  it.each(ROUTES)('%s answers 200 from the snapshot', async (path) => {
    const res = await exports.default.fetch(`http://edge.test${path}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/[Ll]antern/);
  });

  it('logs why it served without the live merge', async () => {
    forgetApprovedNews();
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect((await exports.default.fetch('http://edge.test/v1/feed?limit=3')).status).toBe(200);
    expect(error.mock.calls.map((c) => String(c[0]))).toContain(
      'submissions: unreadable approved-news list, serving without it',
    );
    error.mockRestore();
  });
});
