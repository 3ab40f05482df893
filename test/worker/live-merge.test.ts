/**
 * Approved reader news merged at read time, at the edges: a feed URL cached before the
 * approval, a snapshot built after the approval that did not fold it in, and a snapshot
 * that did (walked page by page, so a copy on another page would show).
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { bindingStore } from '../../src/storage/kv-binding.ts';
import { forgetPointer } from '../../src/storage/snapshots.ts';
import { approvedNewsFromStore, forgetApprovedNews } from '../../src/storage/submissions.ts';
import { article, getJson, seedSnapshot } from './seed.ts';
import { approve, postNews } from './submissions-helpers.ts';

vi.setConfig({ testTimeout: 60_000 });

type Feed = { items: { id: string }[]; next_cursor: string | null };

const STORIES = Array.from({ length: 9 }, (_, i) =>
  article({
    title: `Council story ${i} on the new bridge`,
    published: new Date(Date.UTC(2024, 6, 1, i)).toISOString(),
  }),
);
const inputs = STORIES.map((value, i) => ({ value, origin: { file: 'test', line: i + 1 } }));

async function walk(query: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page: Feed = await getJson<Feed>(`/v1/feed?${query}${cursor ? `&cursor=${cursor}` : ''}`);
    ids.push(...page.items.map((i) => i.id));
    cursor = page.next_cursor;
  } while (cursor);
  return ids;
}

describe('live merge of approved reader news', () => {
  let id = '';
  beforeAll(async () => {
    forgetPointer();
    await seedSnapshot(STORIES);
  });

  it('shows a new approval on a feed URL that was cached before it', async () => {
    expect((await getJson<Feed>('/v1/feed?limit=50')).items).toHaveLength(9);
    const posted = await postNews({
      title: 'Volunteers repaint the old footbridge in Zubrovka',
      section: 'world',
      lang: 'en',
    });
    expect(posted.res.status).toBe(201);
    id = `n-${posted.body.id}`;
    expect((await approve(id.slice(2))).status).toBe(200);
    forgetApprovedNews();
    expect((await getJson<Feed>('/v1/feed?limit=50')).items.map((i) => i.id)).toContain(id);
  });

  it('keeps showing it when a snapshot built later did not fold it in', async () => {
    // Built "after" the approval (and with a clock ahead), from inputs that do not hold it.
    await seedSnapshot(inputs, { builtAt: new Date(Date.now() + 3_600_000) });
    forgetPointer();
    expect(await walk('limit=4')).toContain(id);
  });

  it('shows it exactly once, on every page walk, once a snapshot folds it in', async () => {
    await seedSnapshot(inputs, { extra: await approvedNewsFromStore(bindingStore(env.NEWS)) });
    forgetPointer();
    for (const limit of [1, 2, 3, 10]) {
      const ids = await walk(`limit=${limit}`);
      expect(
        ids.filter((x) => x === id),
        `limit=${limit}`,
      ).toHaveLength(1);
      expect(new Set(ids).size, `limit=${limit}`).toBe(ids.length);
      expect(ids).toHaveLength(10);
    }
  });
});
