/**
 * The search index of a streaming build made in worker threads, one batch per task: each
 * worker runs the batch through MiniSearch (src/core/search/build.ts indexRun: addAll, toJSON
 * and the per-field lists), writes the run's terms to a temporary file, and hands back the
 * rest of the run; the main thread meanwhile makes the articles' values and pages. With 2
 * cores, 2 workers keep both busy while the main thread's share is small.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import type { Article } from '../../src/core/content/article.ts';
import { indexRun, type IndexRun, type RunTerm } from '../../src/core/search/build.ts';
import { articleIndexOptions } from '../../src/core/search/options.ts';
import { LineWriter, readLines } from './spill.ts';

interface Task {
  id: number;
  batch: Article[];
  first: number;
  avg: number[];
  file: string;
}
type Reply = { id: number; run: IndexRun } | { id: number; error: string };

/** A run's terms, written one JSON line each, in the run's (index) order. */
function writeTerms(file: string, terms: readonly RunTerm[]): void {
  const out = new LineWriter(file);
  for (const term of terms) out.write(JSON.stringify(term));
  out.close();
}

/** The terms of a run written by a worker, read back in order. */
export function* readTerms(file: string): Generator<RunTerm> {
  for (const line of readLines(file)) yield JSON.parse(line) as RunTerm;
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
    { resolve: (run: IndexRun) => void; reject: (e: Error) => void }
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
        else pending?.resolve(reply.run);
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

  /**
   * Indexes `batch` (documents numbered from `first`) on the next free worker; its terms go
   * to `file` (read them with readTerms), the returned run has none.
   */
  async index(batch: Article[], first: number, avg: number[], file: string): Promise<IndexRun> {
    while (this.#idle.length === 0)
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    const worker = this.#idle.pop()!;
    const id = this.#next++;
    return new Promise<IndexRun>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ id, batch, first, avg, file } satisfies Task);
    });
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
