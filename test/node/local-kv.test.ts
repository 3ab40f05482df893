/**
 * The bulk writer of scripts/lib/local-kv.ts writes Miniflare's on-disk KV directly: what it
 * writes must read back through the runtime's own KV binding, in the same Miniflare and in a
 * fresh one on the same directory (what `wrangler dev --persist-to` opens), with replaced and
 * deleted values' files gone.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newsNamespaceId, objectIdFromName, openLocalKv } from '../../scripts/lib/local-kv.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edge-news-local-kv-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const blobs = () => readdir(join(dir, 'v3', 'kv', newsNamespaceId(), 'blobs'));

it('names the namespace database as Miniflare does', async () => {
  const kv = await openLocalKv({ persistTo: dir, via: 'binding' });
  await kv.store.putMany([{ key: 'probe', value: '1' }]);
  await kv.close();
  const files = await readdir(join(dir, 'v3', 'kv', 'miniflare-KVNamespaceObject'));
  expect(files).toContain(
    `${objectIdFromName('miniflare-KVNamespaceObject', newsNamespaceId())}.sqlite`,
  );
});

it('writes in bulk what the binding then reads, here and in a fresh Miniflare', async () => {
  const entries = Array.from({ length: 12_345 }, (_, i) => ({
    key: `news:t:${String(i).padStart(5, '0')}`,
    value: JSON.stringify({ i, text: 'Київ — ' + 'ж'.repeat(i % 50) }),
  }));
  const expiration = Math.floor(Date.now() / 1000) + 3600;
  const kv = await openLocalKv({ persistTo: dir });
  const seen: number[] = [];
  await kv.store.putMany(entries, (done) => seen.push(done));
  expect(seen).toEqual([5000, 10_000, 12_345]);
  await kv.store.putMany([
    { key: 'news:t:00007', value: 'replaced' },
    { key: 'news:x:expiring', value: 'soon', expiration },
  ]);
  await kv.store.deleteMany(['news:t:00008', 'news:t:absent']);

  expect(await kv.store.get('news:t:00007')).toBe('replaced');
  expect(await kv.store.get('news:t:00008')).toBeNull();
  expect(await kv.store.get('news:t:12344')).toBe(entries[12_344]!.value);
  expect((await kv.store.list('news:t:')).length).toBe(12_344);
  const listed = await kv.namespace.list({ prefix: 'news:x:' });
  expect(listed.keys).toEqual([{ name: 'news:x:expiring', expiration }]);
  await kv.close();

  const fresh = await openLocalKv({ persistTo: dir, via: 'binding' });
  const got = await fresh.store.getMany!(['news:t:00000', 'news:t:00007', 'news:t:00008']);
  expect([...got.values()]).toEqual([entries[0]!.value, 'replaced', null]);
  expect((await fresh.store.list('news:')).length).toBe(12_345);
  await fresh.close();
  // One file per live value (+ the probe): the replaced and the deleted values' files are gone.
  expect((await blobs()).length).toBe(12_345 + 1);
});
