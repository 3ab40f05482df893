/**
 * Reads the build's inputs: files or folders of JSON Lines (`.jsonl`, `.ndjson`, optionally
 * gzipped) and feed files (`.xml`, `.rss`, `.atom`, `.json`: RSS 2.0, Atom, JSON Feed).
 */
import { createReadStream, readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { InputRecord } from '../../src/core/content/pipeline.ts';
import { jsonLineRecord, jsonLines } from '../../src/core/content/records.ts';
import { LineSplitter, readLines } from './spill.ts';
import { feedInputRecords } from './feed-input.ts';

const JSONL = /\.(jsonl|ndjson)(\.gz)?$/i;
const FEED = /\.(xml|rss|atom|json)$/i;

export async function inputFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => null);
    if (!info) throw new Error(`input ${path} does not exist`);
    if (info.isDirectory()) {
      const entries = await readdir(path, { recursive: true, withFileTypes: true });
      for (const e of entries) {
        const full = join(e.parentPath, e.name);
        if (e.isFile() && (JSONL.test(e.name) || FEED.test(e.name))) files.push(full);
      }
    } else files.push(path);
  }
  return files.sort();
}

/**
 * The records of the inputs, one at a time: a file is read only when the one before it is
 * used up, and a record can be dropped once the pipeline has normalised it, so the raw
 * records are never all in memory beside the articles.
 */
export async function* streamRecords(files: readonly string[]): AsyncGenerator<InputRecord> {
  for (const file of files) {
    const name = relative(process.cwd(), file) || file;
    if (JSONL.test(file)) {
      // A plain file is read a chunk at a time (a 1M-article file is about 1 GB), a gzipped
      // one inflated as a stream: neither is ever whole in memory.
      if (file.endsWith('.gz')) yield* gzipRecords(file, name);
      else yield* jsonLines(readLines(file), name);
    } else if (FEED.test(file)) {
      yield* feedInputRecords(readFileSync(file), name);
    } else {
      throw new Error(
        `input ${name}: unknown kind ${extname(file) || '(no extension)'}; expected .jsonl, .ndjson, .jsonl.gz, .xml, .rss, .atom or .json`,
      );
    }
  }
}

/**
 * The records of a gzipped JSON Lines file, inflated as it is read (zlib's stream; it has no
 * synchronous one). A file cut short or corrupt fails where it stops, after the records
 * before that point.
 */
async function* gzipRecords(file: string, name: string): AsyncGenerator<InputRecord> {
  const lines = new LineSplitter();
  let number = 0;
  const records = function* (batch: readonly string[]) {
    for (const line of batch) {
      const record = jsonLineRecord(line, ++number, name);
      if (record) yield record;
    }
  };
  const inflate = createGunzip();
  // pipe() does not pass a read error on: the inflating stream fails with it instead.
  createReadStream(file)
    .on('error', (error) => inflate.destroy(error))
    .pipe(inflate);
  try {
    for await (const chunk of inflate) yield* records(lines.push(chunk as Buffer));
  } catch (error) {
    throw new Error(
      `input ${name}: cannot be inflated after line ${number}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  yield* records(lines.end());
}

/** Every record of the inputs at once. */
export async function readRecords(files: readonly string[]): Promise<InputRecord[]> {
  const records: InputRecord[] = [];
  // Not push(...records): a file of a few hundred thousand lines overflows the call stack.
  for await (const record of streamRecords(files)) records.push(record);
  return records;
}
