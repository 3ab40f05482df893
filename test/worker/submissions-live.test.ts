/**
 * Approved reader news end to end: POST /v1/news -> moderator approves -> it shows in the
 * feed, the article route and search of the live snapshot before any new build; the next
 * snapshot folds it in (approvedNewsFromStore) and it still shows exactly once.
 *
 * The feed URL asked for before the approval is asked again after it: the edge cache keys
 * responses by snapshot and by the approved list's version, so it must not serve the copy
 * cached before the approval.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { bindingStore } from '../../src/storage/kv-binding.ts';
import { forgetPointer } from '../../src/storage/snapshots.ts';
import { approvedNewsFromStore, forgetApprovedNews } from '../../src/storage/submissions.ts';
import { article, getJson, seedSnapshot } from './seed.ts';
import { approve, postNews } from './submissions-helpers.ts';

vi.setConfig({ testTimeout: 60_000 });

type Feed = {
  items: { id: string; source: string; section: string }[];
  next_cursor: string | null;
};
type Search = { items: { id: string }[] };

const SNAPSHOT = Array.from({ length: 12 }, (_, i) =>
  article({
    title: `Snapshot story ${i} about the city council`,
    section: i % 2 ? 'travel' : 'politics',
    published: new Date(Date.UTC(2024, 6, 1, i)).toISOString(),
  }),
);

describe('approved reader news in feed and search', () => {
  let id = '';
  beforeAll(async () => {
    forgetPointer();
    await seedSnapshot(SNAPSHOT, { builtAt: new Date(Date.now() - 60_000) });
    const posted = await postNews({
      title: 'Zubrovka valley footbridge reopened by volunteers',
      section: 'travel',
      lang: 'en',
    });
    expect(posted.res.status).toBe(201);
    id = `n-${posted.body.id}`;
    expect((await getJson<Feed>('/v1/feed?limit=50')).items.map((i) => i.id)).not.toContain(id);
    expect((await approve(id.slice(2))).status).toBe(200);
    forgetApprovedNews();
  });

  it('shows at the top of the feed and of its section, and by id, before any new snapshot', async () => {
    const feed = await getJson<Feed>('/v1/feed?limit=5');
    expect(feed.items[0]).toMatchObject({ id, source: 'Reader', section: 'travel' });
    const travel = await getJson<Feed>('/v1/feed?section=travel&limit=50');
    expect(travel.items.map((i) => i.id)).toContain(id);
    expect((await getJson<{ id: string }>(`/v1/articles/${id}`)).id).toBe(id);
    // Asked for (and edge-cached) before the approval.
    expect((await getJson<Feed>('/v1/feed?limit=50')).items.map((i) => i.id)).toContain(id);
  });

  it('is found by search', async () => {
    const found = await getJson<Search>('/v1/search?q=zubrovka');
    expect(found.items.map((i) => i.id)).toEqual([id]);
  });

  it('stays live when approved after the build read the approvals but before its build time', async () => {
    const late = `n-${(await postNews({ title: 'Approved while the snapshot build was running', lang: 'en' })).body.id}`;
    expect((await approve(late.slice(2))).status).toBe(200);
    // A build that read the approved list just before this approval, stamped a moment after it.
    const before = (await approvedNewsFromStore(bindingStore(env.NEWS))).filter(
      (a) => a.id !== late,
    );
    await seedSnapshot(SNAPSHOT, { extra: before, builtAt: new Date(Date.now() + 1_000) });
    forgetPointer();
    forgetApprovedNews();
    const feed = await getJson<Feed>('/v1/feed?limit=100&lang=en&section=travel');
    expect(feed.items.filter((i) => i.id === late)).toHaveLength(1);
    expect(feed.items.filter((i) => i.id === id)).toHaveLength(1);
  });

  it('is folded into the next snapshot once, and still shows exactly once', async () => {
    const approved = await approvedNewsFromStore(bindingStore(env.NEWS));
    expect(approved.map((a) => a.id)).toContain(id);
    await seedSnapshot(SNAPSHOT, { extra: approved });
    forgetPointer();

    const feed = await getJson<Feed>('/v1/feed?limit=100&lang=en');
    expect(feed.items.filter((i) => i.id === id)).toHaveLength(1);
    const found = await getJson<Search>('/v1/search?q=zubrovka&limit=20');
    expect(found.items.filter((i) => i.id === id)).toHaveLength(1);
    expect((await getJson<{ id: string }>(`/v1/articles/${id}`)).id).toBe(id);
  });
});
