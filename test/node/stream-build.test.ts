/**
 * The streaming full build (scripts/lib/stream-build.ts) against the in-memory one
 * (src/core/snapshot/build.ts buildSnapshot): the same values, byte for byte, and the same
 * manifest, on the sample and on a generated corpus with duplicates of all three kinds,
 * over many search runs merged from disk by 2 worker threads. And its record errors.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Article } from '../../src/core/content/article.ts';
import { type InputRecord, runPipeline } from '../../src/core/content/pipeline.ts';
import type { KvEntry } from '../../src/core/lib/kv-store.ts';
import { buildSnapshot } from '../../src/core/snapshot/build.ts';
import { streamBuild } from '../../scripts/lib/stream-build.ts';
import { inputFiles, readRecords, streamRecords } from '../../scripts/lib/inputs.ts';
import { corpus, loadReal } from '../../scripts/bench/corpus.ts';

const builtAt = new Date('2026-03-01T12:00:00Z');
const base = { generation: 7, parent: null };

/** Both builds of the same records: every value by key, and the manifests. */
async function bothBuilds(records: InputRecord[], extra: Article[] = [], batch = 500) {
  const memory = runPipeline(records, { extra });
  const whole = buildSnapshot(memory.articles, memory.stats, { builtAt, base });
  const streamed: KvEntry[] = [];
  const made = await streamBuild(records, async (entries) => void streamed.push(...entries), {
    extra,
    builtAt,
    base,
    batch,
    workers: 2,
    tmpDir,
  });
  streamed.push(...made.built.entries);
  const values = (entries: KvEntry[]) => new Map(entries.map((e) => [e.key, e.value]));
  return {
    whole,
    made,
    wholeValues: values(whole.entries),
    streamedValues: values(streamed),
    streamed,
  };
}

let tmpDir: string;
beforeAll(async () => {
  tmpDir = await mkdtemp(join(tmpdir(), 'stream-build-test-'));
});
afterAll(async () => {
  await rm(tmpDir, { recursive: true, force: true });
});

const sampleRecords = async () =>
  readRecords(await inputFiles(['scripts/sample/news-page.jsonl', 'scripts/sample/feeds']));

describe('streaming full build', { timeout: 240_000 }, () => {
  it('writes the values and manifest of the in-memory build on the sample', async () => {
    const records = await sampleRecords();
    const reader: Article = {
      id: 'reader-1',
      title: 'Reader news: a new bakery opens on the square',
      summary: 'A new bakery.',
      summary_from_source: true,
      body: 'A new bakery opens on the square on Monday.',
      url: null,
      source: 'Readers',
      section: 'local',
      tags: ['reader'],
      authors: [],
      lang: 'en',
      published: '2024-07-16T08:00:00.000Z',
      image: null,
      image_credit: null,
      duplicates: [],
    };
    const { whole, made, wholeValues, streamedValues, streamed } = await bothBuilds(
      records,
      [reader],
      16,
    );
    expect(made.stats).toEqual(runPipeline(records, { extra: [reader] }).stats);
    expect(made.stats.merged + made.stats.grouped).toBeGreaterThan(0);
    expect(JSON.stringify(made.built.manifest)).toBe(JSON.stringify(whole.manifest));
    expect(made.built.id).toBe(whole.id);
    // Every value written once, and each the same bytes.
    expect(streamed.length).toBe(streamedValues.size);
    expect([...streamedValues.keys()].sort()).toEqual([...wholeValues.keys()].sort());
    for (const [key, value] of wholeValues) expect(streamedValues.get(key), key).toBe(value);
    expect(made.built.searchHead).toEqual(whole.searchHead);
    // Nothing is left in the temporary folder.
    expect(readdirSync(tmpDir)).toEqual([]);
  });

  it('writes the values of the in-memory build on a generated corpus with duplicates', async () => {
    const real = loadReal();
    const sample = runPipeline(await sampleRecords()).articles;
    const articles = corpus(
      4_000,
      real.length > 0 ? real : sample.map((a, i) => ({ ...a, id: `s${i}` })),
    );
    // Duplicates of each rule: the same URL (rule 1), the same title within 48 h (rule 2),
    // a reworded title (rule 3); and tags, which a merge unions.
    const records: InputRecord[] = articles.map((a, i) => {
      const previous = articles[i - 1];
      const value = {
        ...a,
        url: i % 41 === 0 && previous ? previous.url : (a.url ?? `https://bench.example/${i}`),
        title: i % 37 === 0 && previous ? previous.title : a.title,
        published: i % 37 === 0 && previous ? previous.published : a.published,
        tags: i % 13 === 0 ? ['tag', `t${i % 3}`] : [],
      };
      return { value, origin: { file: 'corpus', line: i + 1 } };
    });
    const near = articles.slice(100, 130).map((a, i) => ({
      value: {
        ...a,
        id: `near-${i}`,
        url: `https://other.example/${i}`,
        source: 'Other',
        title: `${a.title} today`,
      },
      origin: { file: 'near', line: i + 1 },
    }));
    const { whole, made, wholeValues, streamedValues } = await bothBuilds([...records, ...near]);
    expect(made.stats.merged).toBeGreaterThan(60);
    expect(made.built.counts.articles).toBe(whole.counts.articles);
    expect(JSON.stringify(made.built.manifest)).toBe(JSON.stringify(whole.manifest));
    expect(streamedValues.size).toBe(wholeValues.size);
    let same = 0;
    for (const [key, value] of wholeValues) if (streamedValues.get(key) === value) same++;
    expect(same).toBe(wholeValues.size);
  });

  it('names the file, line and field of a bad record; with skipInvalid lists every one', async () => {
    const good = (line: number) => ({
      value: {
        source: 'Wire',
        lang: 'en',
        published: `2024-07-15T1${line % 10}:00:00Z`,
        title: `Story ${line}`,
        body: `Body ${line}.`,
      },
      origin: { file: 'in.jsonl', line },
    });
    const records: InputRecord[] = [
      good(1),
      { value: { ...good(2).value, lang: 7 }, origin: { file: 'in.jsonl', line: 2 } },
      good(3),
      { value: { ...good(4).value, url: 'ftp://x' }, origin: { file: 'in.jsonl', line: 4 } },
      good(5),
    ];
    await expect(streamBuild(records, async () => {}, { tmpDir })).rejects.toThrow(
      'in.jsonl:2: field "lang" must be a string',
    );
    const made = await streamBuild(records, async () => {}, { tmpDir, skipInvalid: true });
    expect(made.errors.map((e) => e.message)).toEqual([
      'in.jsonl:2: field "lang" must be a string',
      'in.jsonl:4: field "url" is not an absolute http(s) URL: "ftp://x"',
    ]);
    expect(made.stats).toMatchObject({ read: 5, skipped: 2 });
    expect(made.built.counts.articles).toBe(3);
    expect(readdirSync(tmpDir)).toEqual([]);
  });

  it('reads a gzipped input as a stream: the records of the plain file, and a cut file fails where it stops', async () => {
    const plain = 'scripts/sample/news-page.jsonl';
    const text = readFileSync(plain, 'utf8');
    const gz = join(tmpDir, 'news-page.jsonl.gz');
    await writeFile(gz, gzipSync(text));
    const lines = text.split('\n').filter((l) => l.trim()).length;
    const [fromPlain, fromGz] = [await readRecords([plain]), await readRecords([gz])];
    expect(fromGz).toHaveLength(lines);
    const withoutFile = (records: InputRecord[]) =>
      records.map((r) => ('value' in r ? [r.value, r.origin.line] : r));
    expect(withoutFile(fromGz)).toEqual(withoutFile(fromPlain));

    // Many copies, cut in the middle: the records before the cut come first (a file inflated
    // whole would fail before the first record), then the error names the last line read.
    const big = join(tmpDir, 'cut.jsonl.gz');
    const whole = gzipSync(text.repeat(200));
    await writeFile(big, whole.subarray(0, whole.length >> 1));
    let read = 0;
    let failure = '';
    try {
      for await (const record of streamRecords([big])) {
        expect(record).toHaveProperty('value');
        read++;
      }
    } catch (error) {
      failure = (error as Error).message;
    }
    expect(failure).toMatch(
      /^input .*cut\.jsonl\.gz: cannot be inflated after line \d+: unexpected end of file$/,
    );
    // Every line of the sample is a record: the line named is the last one read.
    expect(failure).toContain(`after line ${read}:`);
    expect(read).toBeGreaterThan(lines * 50);
    expect(read).toBeLessThan(lines * 200);
    await rm(gz);
    await rm(big);
  });

  it('merges the search runs holding only the terms in hand: 200 MB of postings through a 64 MB heap', () => {
    // One run of 1,000 terms of 200,000 characters of postings each, made as they are read
    // (a run spilled to disk is read back the same way), merged into a sink that keeps only
    // sizes. Every term is over a terms part's size, so each is the first of its own part:
    // a merge that kept the first entry of each part (not only its term) kept all of them.
    const child = join(tmpDir, 'merge-child.mjs');
    const build = resolve('src/core/search/build.ts');
    const script = `
      import { SearchBuilder } from ${JSON.stringify(build)};
      const TERMS = 1000, CHARS = 200000;
      const parts = { terms: 0, vocab: 0, docs: 0, ids: 0 };
      let bytes = 0;
      const sink = { add(kind, part) { parts[kind]++; bytes += part.bytes; } };
      const builder = new SearchBuilder({ avgLength: [1, 1, 1], sink });
      const run = {
        first: 0, docs: 1, terms: [], newest: 0, minutes: [0], ids: ['a'],
        records: [['a', 'A', '', 's', 'en', 'S', 0, null, null]],
        facets: { section: [['s', 1]], lang: [['en', 1]], source: [['S', 1]] },
      };
      builder.addRun(run, function* () {
        for (let i = 0; i < TERMS; i++) {
          const term = 'w' + String(i).padStart(4, '0');
          // A fresh string per term, as JSON.parse of a spilled line gives.
          yield [term, 1, [0, -1, -1], [1, 0, 0], [String.fromCharCode(65 + (i % 26)).repeat(CHARS), '', ''], [0, -1, -1]];
        }
      });
      const [meta] = builder.finish();
      console.log(JSON.stringify({ parts, bytes, terms: JSON.parse(meta.value).terms.length }));
    `;
    writeFileSync(child, script);
    const out = spawnSync(process.execPath, ['--max-old-space-size=64', child], {
      encoding: 'utf8',
    });
    expect(out.stderr).not.toMatch(/heap out of memory/);
    expect(out.status).toBe(0);
    const result = JSON.parse(out.stdout) as { parts: Record<string, number>; terms: number };
    expect(result.parts.terms).toBe(1000);
    expect(result.terms).toBe(1000);
  });
});
