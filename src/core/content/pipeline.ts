/**
 * Records in, deduplicated articles and honest counts out. A bad record stops the build
 * with its file, line and field, unless `skipInvalid` is set: then it is skipped and
 * counted, never dropped silently.
 */
import type { Article } from './article.ts';
import { dedupe } from './dedup.ts';
import { normalizeRecord, RecordError, type RecordOrigin } from './records.ts';

export interface BuildStats {
  read: number;
  skipped: number;
  merged: number;
  grouped: number;
  /** Ids of approved reader news given to the build (see runPipeline's `extra`). */
  folded?: readonly string[];
}

export type InputRecord = { value: unknown; origin: RecordOrigin } | RecordError;

export interface PipelineResult {
  articles: Article[];
  stats: BuildStats;
  /** The skipped records' errors, in input order (only with skipInvalid). */
  errors: RecordError[];
}

/**
 * The records' articles, normalised one at a time in input order. `tally` counts the records
 * read and keeps the errors of the bad ones skipped (only with `skipInvalid`; else the first
 * bad record throws). The in-memory pipeline reads its records through it, the streaming
 * build (scripts/lib/stream-build.ts, whose records come from a stream) through
 * `normalizeInput`, one record at a time.
 */
export function* normalizeRecords(
  records: Iterable<InputRecord>,
  skipInvalid: boolean | undefined,
  tally: { read: number; errors: RecordError[] },
): Generator<Article> {
  for (const record of records) {
    const article = normalizeInput(record, skipInvalid, tally);
    if (article) yield article;
  }
}

/** One record of `normalizeRecords`: its article, or null when it was skipped. */
export function normalizeInput(
  record: InputRecord,
  skipInvalid: boolean | undefined,
  tally: { read: number; errors: RecordError[] },
): Article | null {
  tally.read++;
  try {
    if (record instanceof RecordError) throw record;
    return normalizeRecord(record.value, record.origin);
  } catch (error) {
    if (!(error instanceof RecordError) || !skipInvalid) throw error;
    tally.errors.push(error);
    return null;
  }
}

export function runPipeline(
  records: Iterable<InputRecord>,
  options: { skipInvalid?: boolean; extra?: readonly Article[] } = {},
): PipelineResult {
  const tally = { read: 0, errors: [] as RecordError[] };
  const normalized = [...normalizeRecords(records, options.skipInvalid, tally)];
  const { read, errors } = tally;
  // Already-normalised articles (approved reader news) join before deduplication, so a
  // story both submitted and syndicated ends up as one article.
  const { articles, merged, grouped } = dedupe([...normalized, ...(options.extra ?? [])]);
  const folded = (options.extra ?? []).map((a) => a.id);
  return { articles, stats: { read, skipped: errors.length, merged, grouped, folded }, errors };
}
