/**
 * The scheduled poll's publish lease, the PublishLock Durable Object (src/storage/publish-lock.ts),
 * and its KV budget, inside workerd on real local KV. Two publishers at once (a poll and a
 * manual build) must both end up live; the feeds are read through the real Worker.
 */
import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { normalizeRecord } from '../../src/core/content/records.ts';
import { budgetedStore, KvBudgetError } from '../../src/core/ingest/budget.ts';
import { leasedPublisher } from '../../src/core/ingest/lease.ts';
import { publishArticles } from '../../src/core/ingest/publish.ts';
import { bindingStore } from '../../src/storage/kv-binding.ts';
import { publishLease } from '../../src/storage/publish-lease.ts';
import { forgetPointer } from '../../src/storage/snapshots.ts';
import { article, getJson } from './seed.ts';

const story = (title: string) => normalizeRecord(article({ title }), { file: 'test', line: 1 });

it(
  'serialises a poll and a manual build: both sets of articles are live',
  { timeout: 60_000 },
  async () => {
    const store = bindingStore(env.NEWS);
    const lease = publishLease(env.PUBLISH_LOCK);
    const publisherOf = (holder: string) =>
      leasedPublisher(
        lease,
        holder,
        (articles, live) => publishArticles(store, articles, { expectedLive: live }),
        { retryMs: 20 },
      );
    await Promise.all([
      publisherOf('poll')([story('Night trains return to the coast line')]),
      publisherOf('manual build')([story('Botanical garden opens a new glasshouse')]),
    ]);
    forgetPointer();
    const feed = await getJson<{ items: Array<{ title: string }> }>('/v1/feed');
    expect(feed.items.map((i) => i.title).sort()).toEqual([
      'Botanical garden opens a new glasshouse',
      'Night trains return to the coast line',
    ]);
  },
);

it('lets one holder in at a time; only its token releases; the next holder learns the live id', async () => {
  const lease = publishLease(env.PUBLISH_LOCK);
  const first = await lease.acquire('poll', 60_000);
  expect(first).toMatchObject({ ok: true });
  expect(await lease.acquire('build', 60_000)).toMatchObject({ ok: false, holder: 'poll' });
  if (!first.ok) return;
  // Whatever was live before stays the lease's record of it (released with the same id).
  const live = first.live;
  expect(await lease.release(first.token + 1, 'wrong')).toBe(false);
  expect(await lease.release(first.token, 'after-first')).toBe(true);
  const second = await lease.acquire('build', 60_000);
  expect(second).toMatchObject({ ok: true, token: first.token + 1, live: 'after-first' });
  if (second.ok) expect(await lease.release(second.token, live)).toBe(true);
});

it('stops before the 1,000 KV operations of one invocation, naming the limit', async () => {
  const store = budgetedStore(bindingStore(env.NEWS), 5);
  await store.getMany!(Array.from({ length: 150 }, (_, i) => `nothing:${i}`));
  expect(store.used).toBe(2);
  await expect(
    store.putMany(Array.from({ length: 4 }, (_, i) => ({ key: `k${i}`, value: 'v' }))),
  ).rejects.toThrow(new KvBudgetError(5, 6));
  expect(await env.NEWS.get('k0')).toBeNull();
});
