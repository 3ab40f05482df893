/**
 * Reads the build's inputs: files or folders of JSON Lines (`.jsonl`, `.ndjson`, optionally
 * gzipped) and feed files (`.xml`, `.rss`, `.atom`, `.json`: RSS 2.0, Atom, JSON Feed).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { InputRecord } from '../../src/core/content/pipeline.ts';
import { parseJsonLines } from '../../src/core/content/records.ts';
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

export async function readRecords(files: readonly string[]): Promise<InputRecord[]> {
  const records: InputRecord[] = [];
  for (const file of files) {
    const name = relative(process.cwd(), file) || file;
    const bytes = await readFile(file);
    if (JSONL.test(file)) {
      const text = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
      // Not push(...records): a file of a few hundred thousand lines overflows the call stack.
      for (const record of parseJsonLines(text, name)) records.push(record);
    } else if (FEED.test(file)) {
      for (const record of feedInputRecords(bytes, name)) records.push(record);
    } else {
      throw new Error(
        `input ${name}: unknown kind ${extname(file) || '(no extension)'}; expected .jsonl, .ndjson, .jsonl.gz, .xml, .rss, .atom or .json`,
      );
    }
  }
  return records;
}
