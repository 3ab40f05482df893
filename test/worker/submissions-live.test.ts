/**
 * Approved reader news end to end: POST /v1/news -> moderator approves -> it shows in the
 * feed, the article route and search of the live snapshot before any new build; the next
 * snapshot folds it in (approvedNewsFromStore) and it still shows exactly once.
 *
 * Feed URLs asked for before the approval are not asked again: the edge cache (src/http/
 * cache.ts) keys responses by snapshot only, so such a URL shows the new item only once its
 * cached copy expires (CACHE_MAX_AGE). Measured: the same /v1/feed URL right after approval
 * still lacked the item.
 */
import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { runPipeline } from '../../src/core/pipeline.ts';
import { publishSnapshot } from '../../src/core/publish.ts';
import { buildSnapshot } from '../../src/core/snapshot.ts';
import { bindingStore } from '../../src/storage/kv-binding.ts';
import { forgetPointer } from '../../src/storage/snapshots.ts';
import { approvedNewsFromStore, forgetApprovedNews } from '../../src/storage/submissions.ts';
import { article, seedSnapshot } from './seed.ts';
import { approve, send, validNews } from './submissions-helpers.ts';

vi.setConfig({ testTimeout: 60_000 });

const get = async <T>(path: string): Promise<T> => {
  const res = await exports.default.fetch(`http://edge.test${path}`);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
};
type Feed = { items: { id: string; source: string; section: string }[]; next_cursor: string | null };
type Search = { items: { id: string }[] };

const SNAPSHOT = Array.from({ length: 12 }, (_, i) =>
  article({ title: `Snapshot story ${i} about the city council`, section: i % 2 ? 'travel' : 'politics', published: new Date(Date.UTC(2024, 6, 1, i)).toISOString() }),
);

describe('approved reader news in feed and search', () => {
  let id = '';
  beforeAll(async () => {
    forgetPointer();
    await seedSnapshot(SNAPSHOT, { builtAt: new Date(Date.now() - 60_000) });
    const posted = await send('POST', '/v1/news', await validNews({ title: 'Zubrovka valley footbridge reopened by volunteers', section: 'travel', lang: 'en' }));
    expect(posted.status).toBe(201);
    id = `n-${((await posted.json()) as { id: string }).id}`;
    expect((await get<Feed>('/v1/feed?limit=50')).items.map((i) => i.id)).not.toContain(id);
    expect((await approve(id.slice(2))).status).toBe(200);
    forgetApprovedNews();
  });

  it('shows at the top of the feed and of its section, and by id, before any new snapshot', async () => {
    const feed = await get<Feed>('/v1/feed?limit=5');
    expect(feed.items[0]).toMatchObject({ id, source: 'Reader', section: 'travel' });
    const travel = await get<Feed>('/v1/feed?section=travel&limit=50');
    expect(travel.items.map((i) => i.id)).toContain(id);
    expect((await get<{ id: string }>(`/v1/articles/${id}`)).id).toBe(id);
  });

  it('is found by search', async () => {
    const found = await get<Search>('/v1/search?q=zubrovka');
    expect(found.items.map((i) => i.id)).toEqual([id]);
  });

  it('is folded into the next snapshot once, and still shows exactly once', async () => {
    const approved = await approvedNewsFromStore(bindingStore(env.NEWS));
    expect(approved.map((a) => a.id)).toContain(id);
    const inputs = SNAPSHOT.map((value, i) => ({ value, origin: { file: 'test', line: i + 1 } }));
    const { articles, stats } = runPipeline(inputs, { extra: approved });
    await publishSnapshot(bindingStore(env.NEWS), buildSnapshot(articles, stats));
    forgetPointer();

    const feed = await get<Feed>('/v1/feed?limit=100&lang=en');
    expect(feed.items.filter((i) => i.id === id)).toHaveLength(1);
    const found = await get<Search>('/v1/search?q=zubrovka&limit=20');
    expect(found.items.filter((i) => i.id === id)).toHaveLength(1);
    expect((await get<{ id: string }>(`/v1/articles/${id}`)).id).toBe(id);
  });
});
