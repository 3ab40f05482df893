/**
 * The incremental build over real (Miniflare) KV: the next snapshot from the live one plus new
 * records must hold exactly what a full build over everything holds, while writing only the
 * new and changed values.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Miniflare } from 'miniflare';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ArticleSummary, RawArticle } from '../../src/core/content/article.ts';
import { runPipeline } from '../../src/core/content/pipeline.ts';
import { pageCount } from '../../src/core/feed/paging.ts';
import { getMany, type KvStore, parseStored } from '../../src/core/lib/kv-store.ts';
import { buildSnapshot, listItems, newestFirst } from '../../src/core/snapshot/build.ts';
import { ArticleRevisions, FeedPageV2, type ManifestV2 } from '../../src/core/snapshot/format.ts';
import { buildIncremental } from '../../src/core/snapshot/incremental.ts';
import { articleV2Key, feedV2Key, FEED_V2_PREFIX } from '../../src/core/snapshot/keys.ts';
import {
  nextBuild,
  pageGenerations,
  publishSnapshot,
  readPointer,
  revisionOf,
} from '../../src/core/snapshot/publish.ts';
import { bindingStore } from '../../src/storage/kv-binding.ts';
import { COMPACT_SHARE, MAX_SEGMENTS } from '../../src/core/search/segments.ts';
import { unstable_startWorker } from 'wrangler';

const SECTIONS = ['politics', 'sport', 'music'];
const SOURCES = ['Wire One', 'Wire Two'];
const START = Date.parse('2024-07-01T00:00:00Z');

function record(i: number, overrides: Partial<RawArticle> = {}): RawArticle {
  return {
    source: SOURCES[i % SOURCES.length]!,
    section: SECTIONS[i % SECTIONS.length]!,
    lang: i % 4 === 0 ? 'ru' : 'en',
    published: new Date(START + i * 600_000).toISOString(),
    title: `Story ${i} about item ${i * 7919} and more`,
    body: `Story ${i}. A paragraph of body text.`,
    url: `https://news.example/${i}`,
    ...overrides,
  };
}

const inputs = (records: readonly RawArticle[]) =>
  records.map((value, i) => ({ value, origin: { file: 't.jsonl', line: i + 1 } }));

/** Every list of a published manifest, read back page by page, newest first. */
async function readLists(store: KvStore, m: ManifestV2): Promise<Map<string, ArticleSummary[]>> {
  const lists = new Map<string, ArticleSummary[]>();
  for (const [list, runs] of Object.entries(m.lists)) {
    const keys = [...pageGenerations(runs)].map(([page, gen]) => feedV2Key(list, page, gen));
    const values = await getMany(store, keys);
    const pages = keys.map((k) => parseStored(k, values.get(k) ?? null, FeedPageV2)!.items);
    lists.set(list, pages.reverse().flat());
  }
  return lists;
}

describe('buildIncremental over real (Miniflare) KV', { timeout: 60_000 }, () => {
  let mf: Miniflare;
  let store: KvStore;
  beforeEach(async () => {
    mf = new Miniflare({ modules: true, script: 'export default {}', kvNamespaces: ['NEWS'] });
    store = bindingStore((await mf.getKVNamespace('NEWS')) as unknown as KVNamespace);
  });
  afterEach(() => mf.dispose());

  const archive = Array.from({ length: 250 }, (_, i) => record(i));
  // 30 newer stories, a copy of archive story 240 (same title, another source, an hour later),
  // and story 100 again at its own URL (the same article, found by id far outside any window).
  const delta = [
    ...Array.from({ length: 30 }, (_, i) => record(300 + i)),
    record(240, {
      source: 'Third Wire',
      url: 'https://third.example/copy',
      published: new Date(START + 240 * 600_000 + 3_600_000).toISOString(),
    }),
    record(100, { tags: ['again'] }),
  ];

  it('holds what a full build over everything holds, writing only the new and changed values', async () => {
    const first = runPipeline(inputs(archive));
    const full = buildSnapshot(first.articles, first.stats, { base: await nextBuild(store) });
    await publishSnapshot(store, full);

    const next = runPipeline(inputs(delta));
    const built = await buildIncremental(store, await nextBuild(store), next);
    await publishSnapshot(store, built);
    const m = built.manifest;
    expect((await readPointer(store))!.snapshot).toBe(built.id);
    expect(built.summary).toEqual({ added: 30, merged: 2, changed: 2, removed: 0 });
    expect(m).toMatchObject({
      parent: full.id,
      epoch: full.manifest.epoch,
      generation: full.manifest.generation + 1,
      skip: [],
    });

    // The same lists, item for item, as a full build over the archive and the delta.
    const everything = runPipeline(inputs([...archive, ...delta]));
    const expected = listItems(newestFirst(everything.articles));
    const lists = await readLists(store, m);
    expect([...lists.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [list, items] of expected) expect(lists.get(list), list).toEqual(items);
    expect(m.counts.articles).toBe(everything.articles.length);

    // Written: the 30 new articles, the two that changed, and pages from the lowest one a
    // change reaches; the unfiltered list of 250 + 30 rewrites its top page and page 1 (where
    // story 100's copy and story 240's sit) but keeps page 0, byte for byte.
    const written = new Set(built.entries.map((e) => e.key));
    const articleKeys = [...written].filter((k) => k.startsWith(articleV2Key(m.epoch, '')));
    expect(articleKeys).toHaveLength(32);
    const allPages = [...written].filter((k) => k.startsWith(`${FEED_V2_PREFIX}*.*.*:`)).sort();
    expect(allPages).toEqual([1, 2].map((p) => feedV2Key('*.*.*', p, m.generation)));
    expect(m.lists['*.*.*']).toEqual([280, 0, full.manifest.generation, 1, m.generation]);
    expect(pageCount(280)).toBe(3);
    expect(built.manifest.written.keys).toBe(built.entries.length + 2);
    expect(built.manifest.written.reused).toBeGreaterThan(built.manifest.written.keys);

    // The copy joined story 240; the older snapshot still holds story 240 without it.
    const story240 = everything.articles.find((a) => a.title.startsWith('Story 240 '))!;
    const value = parseStored(
      'article',
      await store.get(articleV2Key(m.epoch, story240.id)),
      ArticleRevisions,
    )!;
    expect(revisionOf(value, m)!.duplicates.map((d) => d.source)).toEqual(['Third Wire']);
    expect(revisionOf(value, full.manifest)!.duplicates).toEqual([]);
    expect(value.r.map(([gen]) => gen)).toEqual([full.manifest.generation, m.generation]);
  });

  it('skips the generation of a publish that was killed, and its revisions', async () => {
    const first = runPipeline(inputs(archive.slice(0, 20)));
    const full = buildSnapshot(first.articles, first.stats, { base: await nextBuild(store) });
    await publishSnapshot(store, full);
    // Killed: its article values were written (story 5 changed), then nothing more.
    const killed = await buildIncremental(
      store,
      await nextBuild(store),
      runPipeline(inputs([record(5, { tags: ['killed'] })])),
    );
    await store.putMany(killed.entries.filter((e) => e.key.startsWith(articleV2Key(1, ''))));

    const built = await buildIncremental(
      store,
      await nextBuild(store),
      runPipeline(inputs([record(21)])),
    );
    await publishSnapshot(store, built);
    const m = built.manifest;
    expect(m.generation).toBe(killed.manifest.generation + 1);
    expect(m.skip).toEqual([[killed.manifest.generation, killed.manifest.generation]]);
    const id5 = first.articles.find((a) => a.title.startsWith('Story 5 '))!.id;
    const value = parseStored('a', await store.get(articleV2Key(m.epoch, id5)), ArticleRevisions)!;
    expect(value.r).toHaveLength(2);
    // The killed revision is there, and not this snapshot's.
    expect(revisionOf(value, m)!.tags).toEqual([]);
  });
});

// Each case starts a Node process; give them room on a loaded 2-core machine.
describe('scripts/build.ts --incremental', { timeout: 120_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'edge-news-incremental-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const build = (...args: string[]) =>
    promisify(execFile)(process.execPath, [
      'scripts/build.ts',
      '--local',
      '--persist-to',
      join(dir, 'kv'),
      ...args,
    ]);
  const lines = (records: readonly RawArticle[]) =>
    records.map((r) => JSON.stringify(r)).join('\n') + '\n';

  it('prints one JSON line, adding new records and merging a copy of an archived story', async () => {
    await writeFile(
      join(dir, 'archive.jsonl'),
      lines(Array.from({ length: 40 }, (_, i) => record(i))),
    );
    await writeFile(
      join(dir, 'delta.jsonl'),
      lines([
        record(50),
        record(51),
        record(39, {
          source: 'Third Wire',
          url: 'https://t.example/39',
          published: new Date(START + 39 * 600_000 + 3_600_000).toISOString(),
        }),
      ]),
    );
    const full = JSON.parse((await build('--json', join(dir, 'archive.jsonl'))).stdout.trim());
    expect(full).toMatchObject({ articles: 40, added: 40, merged: 0, keys_reused: 0, segments: 1 });
    const { stdout, stderr } = await build('--incremental', '--json', join(dir, 'delta.jsonl'));
    expect(stdout.trim().split('\n')).toHaveLength(1);
    const summary = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(summary)).toEqual([
      'snapshot',
      'articles',
      'added',
      'merged',
      'keys_written',
      'bytes_written',
      'keys_reused',
      'segments',
      'ms',
    ]);
    expect(summary).toMatchObject({ articles: 42, added: 2, merged: 1, segments: 2 });
    expect(summary.keys_reused as number).toBeGreaterThan(summary.keys_written as number);
    expect(stderr).toMatch(/^changed +1 archive articles/m);
  });

  it('lists every bad record with --skip-invalid, not only the first', async () => {
    const file = join(dir, 'bad.jsonl');
    await writeFile(
      file,
      [
        JSON.stringify(record(60)),
        JSON.stringify({ ...record(61), published: 'soon' }),
        '{not json',
        JSON.stringify({ ...record(62), url: 'ftp://x' }),
      ].join('\n') + '\n',
    );
    const { stdout, stderr } = await build('--incremental', '--skip-invalid', '--json', file);
    expect(stderr).toMatch(/bad\.jsonl:2: field "published" must be an ISO 8601 date-time/);
    expect(stderr).toMatch(/bad\.jsonl:3: field "\(record\)" is not valid JSON/);
    expect(stderr).toMatch(/bad\.jsonl:4: field "url" is not an absolute http\(s\) URL/);
    expect(JSON.parse(stdout)).toMatchObject({ added: 1 });
  });
});

describe('the merge policy through scripts/build.ts --incremental', { timeout: 300_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'edge-news-merge-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const build = async (file: string, records: readonly RawArticle[], ...args: string[]) => {
    await writeFile(join(dir, file), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [
      'scripts/build.ts',
      '--local',
      '--persist-to',
      join(dir, 'kv'),
      '--json',
      ...args,
      join(dir, file),
    ]);
    return { summary: JSON.parse(stdout) as { segments: number; articles: number }, stderr };
  };

  /** Ids of the hits of a search, through the real Worker over the same local KV. */
  async function search(q: string): Promise<string[]> {
    const worker = await unstable_startWorker({
      config: 'wrangler.toml',
      dev: { server: { port: 0 }, inspector: false, persist: join(dir, 'kv'), logLevel: 'error' },
    });
    try {
      const res = await worker.fetch(`http://edge.test/v1/search?q=${encodeURIComponent(q)}`);
      const body = (await res.json()) as { items: { id: string }[] };
      return body.items.map((i) => i.id);
    } finally {
      await worker.dispose();
    }
  }

  it('merges the deltas past MAX_SEGMENTS, then compacts everything past COMPACT_SHARE', async () => {
    // A base of 40; COMPACT_SHARE (0.25) of it is 10 documents.
    expect(MAX_SEGMENTS).toBe(8);
    expect(COMPACT_SHARE).toBe(0.25);
    await build(
      'base.jsonl',
      Array.from({ length: 40 }, (_, i) => record(i)),
    );
    const segments: number[] = [];
    for (let k = 0; k < 8; k++) {
      // The second delta edits archive story 5 (a copy joins it): its base document is tombstoned.
      const records =
        k === 1
          ? [record(5, { source: 'Third Wire', url: 'https://third.example/5', body: 'Zeppelin.' })]
          : [record(100 + k, { title: `Delta story ${k} about quokkas`, url: undefined })];
      const { summary, stderr } = await build(`delta-${k}.jsonl`, records, '--incremental');
      segments.push(summary.segments);
      if (k === 7)
        expect(stderr).toMatch(
          /^search +2 segment\(s\) \(merged 8 into one: the deltas, 8 articles\)$/m,
        );
    }
    // Seven deltas appended (2..8 segments); the eighth makes 9 > MAX_SEGMENTS: the deltas
    // become one beside the base, which keeps its tombstone of the edited story.
    expect(segments).toEqual([2, 3, 4, 5, 6, 7, 8, 2]);
    const story5 = await search('Story 5 about item 39595');
    expect(story5.filter((id) => id === story5[0])).toHaveLength(1);
    expect(new Set(await search('quokkas')).size).toBe(7);

    // 12 more documents: the deltas now pass a quarter of the base, so everything is rebuilt.
    const { summary, stderr } = await build(
      'big.jsonl',
      Array.from({ length: 12 }, (_, i) => record(200 + i)),
      '--incremental',
    );
    expect(summary).toMatchObject({ articles: 59, segments: 1 });
    expect(stderr).toMatch(
      /^search +1 segment\(s\) \(merged 3 into one: a new base, 59 articles\)$/m,
    );
    expect(new Set(await search('quokkas')).size).toBe(7);
    const again = await search('Story 5 about item 39595');
    expect(again[0]).toBe(story5[0]);
    expect(again.filter((id) => id === story5[0])).toHaveLength(1);
  });
});
