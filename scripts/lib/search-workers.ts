/**
 * The streaming build's worker threads. Pass 1 hands them the records in batches to
 * normalise (src/core/content/records.ts normalizeRecord, then the spill line and the draft
 * of each article), so that reading and spilling on the main thread overlap with 2 cores of
 * normalising. Pass 2 hands them the search index, one batch per task: each worker runs the
 * batch through MiniSearch (src/core/search/build.ts indexRun: addAll and the per-field
 * lists), writes the run's terms to a temporary file, and hands back the rest of the run;
 * the main thread meanwhile makes the articles' values and pages. With 2 cores, 2 workers
 * keep both busy while the main thread's share is small.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import type { Article } from '../../src/core/content/article.ts';
import { type Draft, draftOf } from '../../src/core/content/dedup.ts';
import type { InputRecord } from '../../src/core/content/pipeline.ts';
import { normalizeRecord, RecordError, type RecordOrigin } from '../../src/core/content/records.ts';
import { indexRun, type IndexRun, type RunTerm } from '../../src/core/search/build.ts';
import { articleIndexOptions } from '../../src/core/search/options.ts';
import { LineWriter, readLines } from './spill.ts';

/**
 * One record of a pass-1 batch: its article as the spill line and the draft (its `plan` is
 * set by the main thread, which numbers the lines), or why it is invalid; null where the
 * main thread kept the record (a line that was not JSON is already a RecordError).
 */
export type Normalized =
  { json: string; draft: Draft } | { origin: RecordOrigin; field: string; problem: string } | null;

type Task =
  | { kind: 'index'; id: number; batch: Article[]; first: number; avg: number[]; file: string }
  | { kind: 'normalize'; id: number; records: ({ value: unknown; origin: RecordOrigin } | null)[] };
type Reply =
  | { id: number; run: IndexRun }
  | { id: number; normalized: Normalized[] }
  | { id: number; error: string };

/** Pass 1 in a worker: each record normalised, as normalizeInput would, errors handed back. */
function normalizeBatch(records: Extract<Task, { kind: 'normalize' }>['records']): Normalized[] {
  return records.map((record) => {
    if (!record) return null;
    try {
      const article = normalizeRecord(record.value, record.origin);
      return { json: JSON.stringify(article), draft: draftOf(article, -1) };
    } catch (error) {
      if (!(error instanceof RecordError)) throw error;
      return { origin: error.origin, field: error.field, problem: error.problem };
    }
  });
}

/** A run's terms, written one JSON line each, in the run's (index) order. */
function writeTerms(file: string, terms: readonly RunTerm[]): void {
  const out = new LineWriter(file);
  for (const term of terms) out.write(JSON.stringify(term));
  out.close();
}

/**
 * The terms of a run written by a worker, read back in order, 64 KiB at a time: the final
 * merge holds one chunk of each of a few hundred runs (200 at 1M articles).
 */
export function* readTerms(file: string): Generator<RunTerm> {
  for (const line of readLines(file, 64 * 1024)) yield JSON.parse(line) as RunTerm;
}

/** Default worker count: the cores, at most 2 (the build's target machine has 2). */
export const defaultWorkers = () => Math.max(1, Math.min(2, availableParallelism()));

/** Old space per worker; a batch of 5,000 articles peaks at about a tenth of it. */
const WORKER_OLD_MB = 384;

export class IndexWorkers {
  readonly #workers: Worker[] = [];
  readonly #idle: Worker[] = [];
  readonly #waiting: (() => void)[] = [];
  readonly #pending = new Map<
    number,
    { resolve: (reply: Reply) => void; reject: (e: Error) => void }
  >();
  #next = 0;

  constructor(count = defaultWorkers()) {
    for (let i = 0; i < count; i++) {
      const worker = new Worker(fileURLToPath(import.meta.url), {
        // A batch's MiniSearch is a few tens of MB: a bounded old space keeps each worker's
        // heap near what it uses, and a larger young space lets the many short-lived objects
        // of addAll and toJSON die young (scavenges were a fifth of a worker's time).
        resourceLimits: { maxOldGenerationSizeMb: WORKER_OLD_MB, maxYoungGenerationSizeMb: 48 },
      });
      worker.on('message', (reply: Reply) => {
        const pending = this.#pending.get(reply.id);
        this.#pending.delete(reply.id);
        if ('error' in reply) pending?.reject(new Error(reply.error));
        else pending?.resolve(reply);
        this.#release(worker);
      });
      worker.on('error', (error: Error) => {
        for (const p of this.#pending.values()) p.reject(error);
        this.#pending.clear();
      });
      this.#workers.push(worker);
      this.#idle.push(worker);
    }
  }

  #release(worker: Worker): void {
    const waiter = this.#waiting.shift();
    this.#idle.push(worker);
    waiter?.();
  }

  /** How many tasks can run at once. */
  get size(): number {
    return this.#workers.length;
  }

  /** Runs `task` on the next free worker. */
  async #run(task: Task): Promise<Reply> {
    while (this.#idle.length === 0)
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    const worker = this.#idle.pop()!;
    return new Promise<Reply>((resolve, reject) => {
      this.#pending.set(task.id, { resolve, reject });
      worker.postMessage(task);
    });
  }

  /**
   * Indexes `batch` (documents numbered from `first`) on the next free worker; its terms go
   * to `file` (read them with readTerms), the returned run has none.
   */
  async index(batch: Article[], first: number, avg: number[], file: string): Promise<IndexRun> {
    const reply = await this.#run({ kind: 'index', id: this.#next++, batch, first, avg, file });
    return (reply as Extract<Reply, { run: IndexRun }>).run;
  }

  /** Normalises a batch of records on the next free worker (Normalized, in their order). */
  async normalize(records: readonly InputRecord[]): Promise<Normalized[]> {
    const values = records.map((r) => (r instanceof RecordError ? null : r));
    const reply = await this.#run({ kind: 'normalize', id: this.#next++, records: values });
    return (reply as Extract<Reply, { normalized: Normalized[] }>).normalized;
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  // Kept across this worker's batches: its stem memos are what make stemming cheap.
  const options = articleIndexOptions();
  port.on('message', (task: Task) => {
    try {
      if (task.kind === 'normalize') {
        port.postMessage({ id: task.id, normalized: normalizeBatch(task.records) } satisfies Reply);
        return;
      }
      const run = indexRun(task.batch, task.first, task.avg, options);
      writeTerms(task.file, run.terms);
      port.postMessage({ id: task.id, run: { ...run, terms: [] } } satisfies Reply);
    } catch (error) {
      port.postMessage({
        id: task.id,
        error: (error as Error).stack ?? String(error),
      } satisfies Reply);
    }
  });
}
