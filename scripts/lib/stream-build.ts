/**
 * The full build of a large archive in bounded memory (docs/snapshots.md, "Streaming full
 * build"). It makes exactly the values of `buildSnapshot` (src/core/snapshot/build.ts) for
 * the same input, without ever holding the articles:
 *
 * 1. Records are read one at a time and normalised; each article goes to a temporary file
 *    (one JSON line, read back by its number) and only a compact draft of it stays
 *    (src/core/content/dedup.ts Draft: id, title key, time, richness parts, tags, list
 *    fields). Deduplication runs on the drafts against the whole archive, and gives for each
 *    resulting article the plan that makes it from its records.
 * 2. The articles are made again newest first, a batch at a time, from the file: their values
 *    and feed pages go to `sink` as they are made (FullBuild), and each batch is indexed by
 *    MiniSearch in a worker thread (search-workers.ts), its run spilled to a file.
 * 3. The runs are merged into the search index by a k-way merge over term order
 *    (src/core/search/build.ts mergeRuns), its parts spilled to files, named by their
 *    content hash, then written to `sink`.
 *
 * What stays in memory is a draft per article, the ids and dates the search index needs, and
 * one page per feed list.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Article } from '../../src/core/content/article.ts';
import {
  adoptDraft,
  type Draft,
  dedupePlan,
  draftOf,
  materialize,
} from '../../src/core/content/dedup.ts';
import {
  type BuildStats,
  type InputRecord,
  normalizeInput,
} from '../../src/core/content/pipeline.ts';
import { RecordError } from '../../src/core/content/records.ts';
import { compareKeys } from '../../src/core/feed/paging.ts';
import type { KvEntry } from '../../src/core/lib/kv-store.ts';
import {
  averageLengthsOf,
  type PartSink,
  type SearchPart,
  SearchBuilder,
} from '../../src/core/search/build.ts';
import {
  type BuildBase,
  type BuiltSnapshot,
  FullBuild,
  listLengths,
  segmentInfo,
} from '../../src/core/snapshot/build.ts';
import { searchKey } from '../../src/core/snapshot/keys.ts';
import { IndexWorkers, type Normalized, readTerms } from './search-workers.ts';
import { LineWriter, readLines, SpillFile } from './spill.ts';

export interface StreamBuildOptions {
  skipInvalid?: boolean;
  /** Already-normalised articles (approved reader news) deduplicated with the records. */
  extra?: readonly Article[];
  base?: BuildBase;
  builtAt?: Date;
  onProgress?: (stage: string, done: number, total: number) => void;
  /** Worker threads for the search index (default: the cores, at most 2). */
  workers?: number;
  /** Where the temporary files go (default: the OS temp folder); removed at the end. */
  tmpDir?: string;
  /** Articles per batch (default BATCH); a test makes many runs of a small corpus with it. */
  batch?: number;
}

export interface StreamBuildResult {
  built: BuiltSnapshot;
  stats: BuildStats;
  /** The skipped records' errors, in input order (only with skipInvalid). */
  errors: RecordError[];
}

/** What pass 2 keeps of a draft (Draft): its place in the order and the lists, and its plan. */
type Kept = Pick<Draft, 'id' | 'published' | 'lang' | 'section' | 'source' | 'plan'>;

/** Records per pass-1 task of a worker: large enough that a message costs little. */
const NORMALIZE_BATCH = 1_000;

/** Articles per batch: per MiniSearch in a worker, and per progress report. */
const BATCH = 5_000;

/** The search parts of one kind, spilled as `part \t bytes \t value` lines. */
class FileSink implements PartSink {
  readonly #files = new Map<string, LineWriter>();
  readonly #dir: string;
  constructor(dir: string) {
    this.#dir = dir;
  }
  #path = (kind: string) => join(this.#dir, `parts-${kind}.txt`);
  add(kind: string, part: SearchPart): void {
    let file = this.#files.get(kind);
    if (!file) this.#files.set(kind, (file = new LineWriter(this.#path(kind))));
    file.write(`${part.part}\t${part.bytes}\t${part.value}`);
  }
  close(): void {
    for (const file of this.#files.values()) file.close();
  }
  /** Every part of `kinds`, in order, read back from disk. */
  *read(kinds: readonly string[]): Generator<SearchPart> {
    for (const kind of kinds) {
      if (!this.#files.has(kind)) continue;
      for (const line of readLines(this.#path(kind))) {
        const a = line.indexOf('\t');
        const b = line.indexOf('\t', a + 1);
        yield {
          part: line.slice(0, a),
          bytes: Number(line.slice(a + 1, b)),
          value: line.slice(b + 1),
        };
      }
    }
  }
}

export async function streamBuild(
  records: Iterable<InputRecord> | AsyncIterable<InputRecord>,
  sink: (entries: KvEntry[]) => Promise<void>,
  options: StreamBuildOptions = {},
): Promise<StreamBuildResult> {
  const progress = options.onProgress ?? (() => {});
  const dir = mkdtempSync(join(options.tmpDir ?? tmpdir(), 'edge-news-build-'));
  const spill = new SpillFile(join(dir, 'articles.jsonl'));
  let workers: IndexWorkers | null = null;
  // Stopped with Ctrl-C or SIGTERM, a build leaves no spill behind (about 1.2 GB at 1M
  // articles). This handler runs first; if another one follows (Miniflare's, which stops
  // workerd and calls process.exit()), the exit code still says which signal it was.
  const onSignal = (signal: NodeJS.Signals) => {
    rmSync(dir, { recursive: true, force: true });
    process.exitCode = 128 + constants.signals[signal];
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.prependOnceListener('SIGINT', onSignal);
  process.prependOnceListener('SIGTERM', onSignal);
  try {
    // Pass 1: normalise (in the workers, a batch of records each), spill, keep drafts, in
    // input order; the same steps and errors as runPipeline.
    workers = new IndexWorkers(options.workers);
    const pool = workers;
    const drafts: Draft[] = [];
    const tally = { read: 0, errors: [] as RecordError[] };
    const pending: { records: InputRecord[]; normalized: Promise<Normalized[]> }[] = [];
    const take = async () => {
      const { records: batch, normalized } = pending.shift()!;
      const made = await normalized;
      const before = tally.read;
      for (const [k, record] of batch.entries()) {
        const one = made[k];
        if (one && 'json' in one) {
          tally.read++;
          drafts.push(adoptDraft(one.draft, spill.append(one.json)));
        } else {
          // A bad record: counted and skipped (skipInvalid) or thrown, as normalizeInput does.
          const error =
            record instanceof RecordError
              ? record
              : new RecordError(one!.origin, one!.field, one!.problem);
          normalizeInput(error, options.skipInvalid, tally);
        }
      }
      if (Math.floor(tally.read / 10_000) > Math.floor(before / 10_000))
        progress('read', tally.read, tally.read);
    };
    let batch: InputRecord[] = [];
    const send = async () => {
      pending.push({ records: batch, normalized: pool.normalize(batch) });
      batch = [];
      // Two batches per worker in flight: one running, one waiting in its queue.
      while (pending.length > 2 * pool.size) await take();
    };
    for await (const record of records) {
      batch.push(record);
      if (batch.length === NORMALIZE_BATCH) await send();
    }
    if (batch.length > 0) await send();
    while (pending.length > 0) await take();
    const { read, errors } = tally;
    for (const article of options.extra ?? [])
      drafts.push(draftOf(article, spill.append(JSON.stringify(article))));
    progress('read', read, read);
    const deduped = dedupePlan(drafts);
    const { merged, grouped } = deduped;
    drafts.length = 0;
    // Past deduplication only the order, the lists and the plan are read: the rest of each
    // draft (its title key, tags and richness, about 40% of it) is let go before pass 2.
    const kept: Kept[] = deduped.drafts.map(({ id, published, lang, section, source, plan }) => ({
      id,
      published,
      lang,
      section,
      source,
      plan,
    }));
    deduped.drafts.length = 0;
    const stats: BuildStats = {
      read,
      skipped: errors.length,
      merged,
      grouped,
      folded: (options.extra ?? []).map((a) => a.id),
    };
    // Newest first: the order of the feed lists and of the search index's documents.
    kept.sort((a, b) => compareKeys([a.published, a.id], [b.published, b.id]));
    const articleOf = (d: Kept) => materialize(d.plan, (n) => JSON.parse(spill.get(n)) as Article);

    // Pass 2: the articles again, newest first, a batch at a time.
    const build = new FullBuild(
      kept.map((d) => d.id),
      listLengths(kept),
      options,
    );
    const avg = averageLengthsOf(kept.length, (i) => articleOf(kept[i]!));
    const parts = new FileSink(dir);
    const index = new SearchBuilder({ avgLength: avg, sink: parts });
    const running: {
      run: Promise<Awaited<ReturnType<IndexWorkers['index']>>>;
      file: string;
      first: number;
    }[] = [];
    const settle = async () => {
      const { run, file, first } = running.shift()!;
      const made = await run;
      // The ids as the drafts hold them, not the worker's copies: one string per id.
      for (let k = 0; k < made.ids.length; k++) made.ids[k] = kept[first + k]!.id;
      index.addRun(made, () => readTerms(file));
      progress('search', index.docs, kept.length);
    };
    const size = options.batch ?? BATCH;
    for (let i = 0; i < kept.length; i += size) {
      const batch = kept.slice(i, i + size).map(articleOf);
      const file = join(dir, `run-${String(i).padStart(9, '0')}.jsonl`);
      running.push({ run: workers.index(batch, i, avg, file), file, first: i });
      build.add(batch);
      if (build.out.full) await sink(build.out.take());
      progress('articles', i + batch.length, kept.length);
      // One batch waiting per worker beyond the ones running: the main thread stays ahead.
      while (running.length > workers.size) await settle();
    }
    while (running.length > 0) await settle();
    await workers.close();
    workers = null;

    // The index: runs merged, parts spilled, named by content, then written.
    progress('merge', 0, 1);
    const [meta] = index.finish();
    parts.close();
    progress('merge', 1, 1);
    // A generator, never an array: the parts of a 1M index are over a GB (an array of them
    // was what ran the 1M builds out of heap right after the merge).
    const all = function* () {
      yield meta!;
      yield* parts.read(['terms', 'vocab', 'docs', 'ids']);
    };
    const info = segmentInfo(all());
    const written = !build.reuse.has(info.segment.id);
    if (written) {
      for (const part of all()) {
        build.out.add(searchKey(info.segment.id, part.part), part.value);
        if (build.out.full) await sink(build.out.take());
      }
    }
    const built = build.finish(stats, { ...info, written });
    return { built, stats, errors };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    spill.close();
    await workers?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
