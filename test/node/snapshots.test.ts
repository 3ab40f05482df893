import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Miniflare } from 'miniflare';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  GENERATION_KEY,
  MANIFEST_PREFIX,
  POINTER_KEY,
  SEARCH_HEAD_KEY,
  searchKey,
  snapshotPrefix,
} from '../../src/core/snapshot/keys.ts';
import type { KvStore } from '../../src/core/lib/kv-store.ts';
import { runPipeline } from '../../src/core/content/pipeline.ts';
import {
  activateSnapshot,
  deleteSnapshot,
  listSnapshots,
  nextBuild,
  previousSnapshot,
  pruneSnapshots,
  publishSnapshot,
  readPointer,
} from '../../src/core/snapshot/publish.ts';
import {
  type BuildBase,
  buildSnapshot,
  type BuiltSnapshot,
  streamSnapshot,
} from '../../src/core/snapshot/build.ts';
import type { KvEntry } from '../../src/core/lib/kv-store.ts';
import { bindingStore } from '../../src/storage/kv-binding.ts';

const run = promisify(execFile);
const node = process.execPath;

function build(titles: string[], builtAt: string, base: BuildBase) {
  const { articles, stats } = runPipeline(
    titles.map((title, i) => ({
      value: {
        source: 'Wire',
        section: 'world',
        lang: 'en',
        published: `2024-07-15T1${i}:00:00Z`,
        title,
        body: `${title}.`,
        url: `https://n.example/${encodeURIComponent(title)}`,
      },
      origin: { file: 't', line: i + 1 },
    })),
  );
  return buildSnapshot(articles, stats, { builtAt: new Date(builtAt), base });
}

describe('publishing over real (Miniflare) KV', { timeout: 60_000 }, () => {
  let mf: Miniflare;
  let store: KvStore;
  beforeEach(async () => {
    mf = new Miniflare({ modules: true, script: 'export default {}', kvNamespaces: ['NEWS'] });
    store = bindingStore((await mf.getKVNamespace('NEWS')) as unknown as KVNamespace);
  });
  afterEach(() => mf.dispose());

  const publish = async (titles: string[], builtAt: string) => {
    const built = build(titles, builtAt, await nextBuild(store));
    await publishSnapshot(store, built);
    return built;
  };
  const allKeys = () => store.list('news:');

  it('switches the pointer last, keeps the previous snapshot readable, rolls back', async () => {
    const one = build(['First story'], '2024-07-15T00:00:00Z', await nextBuild(store));
    const writes: string[] = [];
    const recording: KvStore = {
      ...store,
      putMany: (entries, p) => (
        writes.push(...entries.map((e) => e.key)),
        store.putMany(entries, p)
      ),
    };

    await publishSnapshot(recording, one);
    // Values, then the manifest, the pointer, and the copy of the search meta read with it.
    expect(writes.slice(-3)).toEqual([`${MANIFEST_PREFIX}${one.id}`, POINTER_KEY, SEARCH_HEAD_KEY]);
    expect(writes.slice(0, -3).sort()).toEqual(one.entries.map((e) => e.key).sort());
    const pointer = (await readPointer(store))!;
    expect(pointer.snapshot).toBe(one.id);
    const index = one.manifest.search.segments[0]!.id;
    expect(await store.get(SEARCH_HEAD_KEY)).toBe(
      `${index}\n${await store.get(searchKey(index, 'meta'))}`,
    );

    const two = await publish(['Second story', 'Third story'], '2024-07-16T00:00:00Z');
    expect(two.manifest.generation).toBe(one.manifest.generation + 1);
    expect((await readPointer(store))!.snapshot).toBe(two.id);
    // The old snapshot is still whole.
    for (const e of one.entries) expect(await store.get(e.key)).toBe(e.value);

    const listed = await listSnapshots(store);
    expect(listed.map((s) => [s.manifest.snapshot, s.live])).toEqual([
      [two.id, true],
      [one.id, false],
    ]);
    expect(await previousSnapshot(store)).toBe(one.id);

    const head = async () => (await store.get(SEARCH_HEAD_KEY))?.split('\n')[0];
    expect(await head()).toBe(two.manifest.search.segments[0]!.id);
    await activateSnapshot(store, one.id);
    expect((await readPointer(store))!).toMatchObject({ snapshot: one.id, manifest: one.manifest });
    expect(await head()).toBe(index);
    await expect(deleteSnapshot(store, one.id)).rejects.toThrow(`snapshot ${one.id} is live`);
    await expect(activateSnapshot(store, '20990101T000000Z-deadbeef')).rejects.toThrow(
      'does not exist',
    );

    // Back to two, then prune everything but the live one.
    await activateSnapshot(store, two.id);
    expect((await pruneSnapshots(store, 0)).snapshots).toEqual([one.id]);
    expect((await listSnapshots(store)).map((s) => s.manifest.snapshot)).toEqual([two.id]);
    expect((await allKeys()).sort()).toEqual(expectedKeys([two]));
  });

  it('prune and delete mark from the kept manifests and sweep the rest, orphans of an interrupted publish included', async () => {
    const one = await publish(['Alpha story'], '2024-07-15T00:00:00Z');
    const two = await publish(['Beta story', 'Gamma story'], '2024-07-16T00:00:00Z');
    const three = await publish(['Delta story', 'Epsilon story'], '2024-07-17T00:00:00Z');
    // A publish killed at 62%: values written, no manifest, pointer untouched.
    const killed = build(['Zeta story', 'Eta story', 'Theta'], '2024-07-18T00:00:00Z', {
      ...(await nextBuild(store)),
    });
    const done = Math.ceil(killed.entries.length * 0.62);
    await store.putMany(killed.entries.slice(0, done));
    // A format-1 publish killed the same way: keys under a snapshot id nobody lists.
    const v1Orphan = `${snapshotPrefix('20240101T000000Z-0badf00d')}article:x`;
    await store.putMany([{ key: v1Orphan, value: '{}' }]);
    expect((await listSnapshots(store)).map((s) => s.manifest.snapshot)).toEqual([
      three.id,
      two.id,
      one.id,
    ]);
    const before = await allKeys();
    expect(before).toContain(v1Orphan);
    expect(before.filter((k) => killed.entries.some((e) => e.key === k))).toHaveLength(done);

    const pruned = await pruneSnapshots(store, 1);
    expect(pruned.snapshots).toEqual([one.id]);
    // Exactly what the kept manifests name is left: one's values and every orphan are gone.
    expect((await allKeys()).sort()).toEqual(expectedKeys([three, two]));
    expect(pruned.keys).toBe(before.length - expectedKeys([three, two]).length);

    // The next publish never reuses the killed one's generation.
    const four = await publish(['Iota story'], '2024-07-19T00:00:00Z');
    expect(four.manifest.generation).toBe(killed.manifest.generation + 1);

    await expect(deleteSnapshot(store, four.id)).rejects.toThrow('is live');
    const deleted = await deleteSnapshot(store, two.id);
    expect(deleted.snapshots).toEqual([two.id]);
    expect((await allKeys()).sort()).toEqual(expectedKeys([four, three]));
    // The live snapshot still reads whole.
    const live = (await readPointer(store))!;
    expect(live.snapshot).toBe(four.id);
    for (const e of four.entries) expect(await store.get(e.key)).toBe(e.value);
  });
});

/** Every key the given published snapshots name, with the mutable keys beside them. */
function expectedKeys(kept: readonly BuiltSnapshot[]): string[] {
  const keys = new Set([POINTER_KEY, SEARCH_HEAD_KEY, GENERATION_KEY]);
  for (const b of kept) {
    keys.add(`${MANIFEST_PREFIX}${b.id}`);
    for (const e of b.entries) keys.add(e.key);
  }
  return [...keys].sort();
}

// Each case starts a Node process; give them room on a loaded 2-core machine.
describe('streamSnapshot', () => {
  it('hands on every value of the full build in batches, each once, as it makes them', async () => {
    const titles = Array.from({ length: 2_500 }, (_, i) => `Story ${i} about item ${i * 7919}`);
    const { articles, stats } = runPipeline(
      titles.map((title, i) => ({
        value: {
          source: 'Wire',
          section: ['world', 'sport', 'music'][i % 3],
          lang: 'en',
          published: new Date(Date.parse('2024-07-01T00:00:00Z') + i * 60_000).toISOString(),
          title,
          body: `${title}. A paragraph.`,
          url: `https://n.example/${i}`,
        },
        origin: { file: 't', line: i + 1 },
      })),
    );
    const builtAt = new Date('2024-08-01T00:00:00Z');
    const whole = buildSnapshot(articles, stats, { builtAt });
    const batches: KvEntry[][] = [];
    const streamed = await streamSnapshot(articles, stats, async (b) => void batches.push(b), {
      builtAt,
    });
    // 2,500 articles and their pages pass the batch size: some values went before the end.
    expect(batches.length).toBeGreaterThan(0);
    const all = [...batches.flat(), ...streamed.entries];
    expect(all).toEqual(whole.entries);
    expect(new Set(all.map((e) => e.key)).size).toBe(all.length);
    expect(streamed.manifest).toEqual(whole.manifest);
    expect(streamed.manifest.written.keys).toBe(all.length + 2);
  });
});

describe('scripts/build.ts', { timeout: 60_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'edge-news-build-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('fails on a bad record with its file, line and field', async () => {
    const file = join(dir, 'bad.jsonl');
    await writeFile(
      file,
      `${JSON.stringify({ source: 'S', lang: 'en', published: '2024-07-15T10:00:00Z', title: 'Fine' })}\n${JSON.stringify({ source: 'S', lang: 'en', published: 'soon', title: 'Bad' })}\n`,
    );
    const error = (await run(node, ['scripts/build.ts', '--dry-run', file]).catch(
      (e: unknown) => e,
    )) as { code: number; stderr: string };
    expect(error.code).toBe(1);
    expect(error.stderr).toMatch(
      /Build failed: .*bad\.jsonl:2: field "published" must be an ISO 8601 date-time/,
    );
  });

  it('skips and counts with --skip-invalid, and prints the summary', async () => {
    const file = join(dir, 'mixed.jsonl');
    await writeFile(
      file,
      `${JSON.stringify({ source: 'S', lang: 'en', published: '2024-07-15T10:00:00Z', title: 'Fine' })}\n{not json\n`,
    );
    const { stdout, stderr } = await run(node, [
      'scripts/build.ts',
      '--dry-run',
      '--skip-invalid',
      file,
    ]);
    expect(stderr).toMatch(/skipped .*mixed\.jsonl:2: field "\(record\)" is not valid JSON/);
    expect(stdout).toMatch(/^read +2 records from 1 file\(s\)$/m);
    expect(stdout).toMatch(/^skipped +1 invalid$/m);
    expect(stdout).toMatch(/^articles +1 in 1 sections$/m);
  });

  it('builds the committed sample, merging its repeated headlines', async () => {
    const { stdout } = await run(node, ['scripts/build.ts', '--dry-run']);
    const count = (label: string) => Number(new RegExp(`^${label} +(\\d+)`, 'm').exec(stdout)?.[1]);
    expect(count('read')).toBeGreaterThan(100);
    expect(count('merged')).toBeGreaterThanOrEqual(15);
    expect(count('grouped')).toBeGreaterThanOrEqual(1);
    expect(count('articles')).toBe(count('read') - count('merged') - count('grouped'));
  });
});
