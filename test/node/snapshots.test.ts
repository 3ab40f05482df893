import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  articleKey,
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
  previousSnapshot,
  pruneSnapshots,
  publishSnapshot,
  readPointer,
} from '../../src/core/snapshot/publish.ts';
import { buildSnapshot } from '../../src/core/snapshot/build.ts';
import { bindingStore } from '../../src/storage/kv-binding.ts';

const run = promisify(execFile);
const node = process.execPath;

function build(titles: string[], builtAt: string) {
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
  return buildSnapshot(articles, stats, { builtAt: new Date(builtAt) });
}

describe('publishing over real (Miniflare) KV', () => {
  let mf: Miniflare;
  let store: KvStore;
  beforeAll(async () => {
    mf = new Miniflare({ modules: true, script: 'export default {}', kvNamespaces: ['NEWS'] });
    store = bindingStore((await mf.getKVNamespace('NEWS')) as unknown as KVNamespace);
  });
  afterAll(() => mf.dispose());

  it('switches the pointer last, keeps the previous snapshot readable, rolls back', async () => {
    const one = build(['First story'], '2024-07-15T00:00:00Z');
    const two = build(['Second story', 'Third story'], '2024-07-16T00:00:00Z');
    const writes: string[] = [];
    const recording: KvStore = {
      ...store,
      putMany: (entries, p) => (
        writes.push(...entries.map((e) => e.key)),
        store.putMany(entries, p)
      ),
    };

    await publishSnapshot(recording, one);
    // Manifest, pointer, then the copy of the search meta that is read with the pointer.
    expect(writes.slice(-3)).toEqual([`${MANIFEST_PREFIX}${one.id}`, POINTER_KEY, SEARCH_HEAD_KEY]);
    expect((await readPointer(store))!.snapshot).toBe(one.id);
    const head = async () => (await store.get(SEARCH_HEAD_KEY))?.split('\n')[0];
    expect(await store.get(SEARCH_HEAD_KEY)).toBe(
      `${one.id}\n${await store.get(searchKey(one.id, 'meta'))}`,
    );

    await publishSnapshot(store, two);
    expect((await readPointer(store))!.snapshot).toBe(two.id);
    // The old snapshot is still whole.
    const oldArticle = one.entries.find((e) => e.key.startsWith(articleKey(one.id, '')))!;
    expect(await store.get(oldArticle.key)).toBe(oldArticle.value);

    const listed = await listSnapshots(store);
    expect(listed.map((s) => [s.manifest.snapshot, s.live])).toEqual([
      [two.id, true],
      [one.id, false],
    ]);
    expect(await previousSnapshot(store)).toBe(one.id);

    expect(await head()).toBe(two.id);
    await activateSnapshot(store, one.id);
    expect((await readPointer(store))!.snapshot).toBe(one.id);
    expect(await head()).toBe(one.id);
    await expect(deleteSnapshot(store, one.id)).rejects.toThrow(`snapshot ${one.id} is live`);
    await expect(activateSnapshot(store, '20990101T000000Z-deadbeef')).rejects.toThrow(
      'does not exist',
    );

    // Back to two, then prune everything but the live one.
    await activateSnapshot(store, two.id);
    expect(await pruneSnapshots(store, 0)).toEqual([one.id]);
    expect(await store.list(snapshotPrefix(one.id))).toEqual([]);
    expect((await listSnapshots(store)).map((s) => s.manifest.snapshot)).toEqual([two.id]);
  });
});

// Each case starts a Node process; give them room on a loaded 2-core machine.
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
