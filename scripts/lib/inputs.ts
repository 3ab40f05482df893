/**
 * Reads the build's inputs: files or folders of JSON Lines (`.jsonl`, `.ndjson`, optionally
 * gzipped) and feed files (`.xml`, `.rss`, `.atom`, `.json`: RSS 2.0, Atom, JSON Feed).
 */
import { readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { InputRecord } from '../../src/core/content/pipeline.ts';
import { jsonLines, parseJsonLines } from '../../src/core/content/records.ts';
import { readLines } from './spill.ts';
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
export function* streamRecords(files: readonly string[]): Generator<InputRecord> {
  for (const file of files) {
    const name = relative(process.cwd(), file) || file;
    if (JSONL.test(file)) {
      // A plain file is read a chunk at a time (a 1M-article file is about 1 GB); a gzipped
      // one is inflated whole (zlib has no synchronous streaming inflate).
      yield* file.endsWith('.gz')
        ? parseJsonLines(gunzipSync(readFileSync(file)).toString('utf8'), name)
        : jsonLines(readLines(file), name);
    } else if (FEED.test(file)) {
      yield* feedInputRecords(readFileSync(file), name);
    } else {
      throw new Error(
        `input ${name}: unknown kind ${extname(file) || '(no extension)'}; expected .jsonl, .ndjson, .jsonl.gz, .xml, .rss, .atom or .json`,
      );
    }
  }
}

/** Every record of the inputs at once. */
export async function readRecords(files: readonly string[]): Promise<InputRecord[]> {
  const records: InputRecord[] = [];
  // Not push(...records): a file of a few hundred thousand lines overflows the call stack.
  for (const record of streamRecords(files)) records.push(record);
  return records;
}
