/**
 * Fault: a publish whose upload fails part-way never switches the pointer. Through the real
 * KV of Miniflare: the binding itself (a thin wrapper makes its Nth put throw), and the
 * on-disk bulk writer `npm start` and `bench:load` publish with (scripts/lib/local-kv.ts,
 * its putMany made to throw after part of a batch). Readers keep the last snapshot whole,
 * and a retry publishes the new one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { afterEach, describe, expect, it } from 'vitest';
import { runPipeline } from '../../src/core/content/pipeline.ts';
import type { KvStore } from '../../src/core/lib/kv-store.ts';
import { buildSnapshot } from '../../src/core/snapshot/build.ts';
import { manifestKey, POINTER_KEY, SEARCH_HEAD_KEY } from '../../src/core/snapshot/keys.ts';
import {
  listSnapshots,
  nextBuild,
  publishSnapshot,
  readPointer,
} from '../../src/core/snapshot/publish.ts';
import { bindingStore } from '../../src/storage/kv-binding.ts';
import { openLocalKv } from '../../scripts/lib/local-kv.ts';

async function build(store: KvStore, titles: readonly string[]) {
  const { articles, stats } = runPipeline(
    titles.map((title, i) => ({
      value: {
        source: 'Wire',
        section: 'world',
        lang: 'en',
        published: `2024-07-15T1${i}:00:00Z`,
        title,
        body: `${title}. A paragraph of body text.`,
        url: `https://n.example/${encodeURIComponent(title)}`,
      },
      origin: { file: 't', line: i + 1 },
    })),
  );
  return buildSnapshot(articles, stats, { base: await nextBuild(store) });
}

const FIRST = ['Harbour reopens', 'Bridge repaired', 'Library extends hours'];
const SECOND = ['Comet over the hills', 'Harvest festival', 'Tram line extended', 'New bakery'];

/** A real KV binding whose puts throw from the `failAt`-th one on (counted from 1). */
function failingPuts(kv: KVNamespace, failAt: number): { kv: KVNamespace; puts: () => number } {
  let puts = 0;
  const wrapped = new Proxy(kv, {
    get(target, prop) {
      if (prop === 'put')
        return (...args: Parameters<KVNamespace['put']>) => {
          if (++puts >= failAt) return Promise.reject(new Error(`injected: put #${puts} failed`));
          return target.put(...args);
        };
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
  return { kv: wrapped, puts: () => puts };
}

/** A store whose bulk write lands the first `landed` entries, then throws. */
function failingBulk(store: KvStore, landed: number): KvStore {
  let written = 0;
  return {
    ...store,
    async putMany(entries, onProgress) {
      const room = Math.max(0, landed - written);
      await store.putMany(entries.slice(0, room), onProgress);
      written += Math.min(room, entries.length);
      if (entries.length > room) throw new Error(`injected: bulk write failed after ${written}`);
    },
  };
}

interface Case {
  store: KvStore;
  /** The store with the fault: fails after about 60% of the new snapshot's values. */
  failing: (entries: number) => KvStore;
  close: () => Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const CASES: [string, () => Promise<Case>][] = [
  [
    'a put of the binding throws',
    async () => {
      const mf = new Miniflare({
        modules: true,
        script: 'export default {}',
        kvNamespaces: ['NEWS'],
      });
      const kv = (await mf.getKVNamespace('NEWS')) as unknown as KVNamespace;
      return {
        store: bindingStore(kv),
        failing: (entries) => bindingStore(failingPuts(kv, Math.ceil(entries * 0.6)).kv),
        close: () => mf.dispose(),
      };
    },
  ],
  [
    "the on-disk bulk writer's batch throws",
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'edge-news-fault-publish-'));
      const local = await openLocalKv({ persistTo: dir });
      return {
        store: local.store,
        failing: (entries) => failingBulk(local.store, Math.ceil(entries * 0.6)),
        close: async () => {
          await local.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  ],
];

describe.each(CASES)('a publish whose upload fails: %s', { timeout: 120_000 }, (_, open) => {
  it('leaves the pointer, the search head and the live snapshot as they were; a retry publishes', async () => {
    const { store, failing, close } = await open();
    cleanups.push(close);
    const first = await publishSnapshot(store, await build(store, FIRST));
    const pointerBefore = await store.get(POINTER_KEY);
    const headBefore = await store.get(SEARCH_HEAD_KEY);

    const second = await build(store, SECOND);
    await expect(publishSnapshot(failing(second.entries.length), second)).rejects.toThrow(
      /injected/,
    );

    // Part of the upload landed: the fault struck mid-way, not before the first write.
    const landed = await Promise.all(
      second.entries.map(async (e) => (await store.get(e.key)) !== null),
    );
    expect(landed.filter(Boolean).length).toBeGreaterThan(0);
    expect(landed.filter(Boolean).length).toBeLessThan(second.entries.length);
    // Nothing a reader follows moved: pointer, search head, no manifest for the failed one.
    expect(await store.get(POINTER_KEY)).toBe(pointerBefore);
    expect(await store.get(SEARCH_HEAD_KEY)).toBe(headBefore);
    expect(await store.get(manifestKey(second.id))).toBeNull();
    expect((await readPointer(store))?.snapshot).toBe(first.snapshot);
    expect((await listSnapshots(store)).map((s) => [s.manifest.snapshot, s.live])).toEqual([
      [first.snapshot, true],
    ]);

    // A retry of the same build completes and switches.
    const retried = await publishSnapshot(store, second);
    expect((await readPointer(store))?.snapshot).toBe(retried.snapshot);
    expect(retried.snapshot).toBe(second.id);
  });
});
