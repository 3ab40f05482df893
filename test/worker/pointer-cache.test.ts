import { env, exports } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { forgetPointer, getPointer, POINTER_TTL_MS } from '../../src/storage/snapshots.ts';
import { article, seedSnapshot } from './seed.ts';

const health = async () =>
  (
    (await (
      await exports.default.fetch('http://edge.test/v1/health?probe=' + Math.random())
    ).json()) as { snapshot: string }
  ).snapshot;

it('caches the pointer in the isolate for a few seconds, shared across requests', async () => {
  forgetPointer();
  const a = await seedSnapshot([article({ title: 'Alpha' })], {
    builtAt: new Date('2024-07-15T00:00:00Z'),
  });
  expect(await health()).toBe(a.pointer.snapshot);
  const b = await seedSnapshot([article({ title: 'Beta' })], {
    builtAt: new Date('2024-07-16T00:00:00Z'),
  });
  // Still the cached pointer: no KV read for it within POINTER_TTL_MS.
  expect(await health()).toBe(a.pointer.snapshot);
  // Once the TTL has passed, the next read sees the new snapshot.
  expect((await getPointer(env.NEWS, { now: Date.now() + POINTER_TTL_MS + 1 }))!.snapshot).toBe(
    b.pointer.snapshot,
  );
  expect(await health()).toBe(b.pointer.snapshot);
});
