/**
 * `--remote`: the Cloudflare namespace, through `wrangler kv ... --remote`.
 * Bulk writes are batched within KV's limits (10,000 pairs and 100 MB per request:
 * https://developers.cloudflare.com/kv/platform/limits/), with a margin.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KvEntry, KvStore } from '../../src/core/lib/kv-store.ts';

const run = promisify(execFile);
const MAX_PAIRS = 10_000;
const MAX_BATCH_BYTES = 90 * 1024 * 1024;

async function wrangler(args: string[]): Promise<string> {
  const { stdout } = await run('npx', ['wrangler', ...args, '--binding', 'NEWS', '--remote'], {
    maxBuffer: 512 * 1024 * 1024,
  });
  return stdout;
}

export function batches(entries: readonly KvEntry[]): KvEntry[][] {
  const out: KvEntry[][] = [];
  let current: KvEntry[] = [];
  let bytes = 0;
  for (const e of entries) {
    const size = Buffer.byteLength(e.key) + Buffer.byteLength(e.value) + 64;
    if (current.length > 0 && (current.length >= MAX_PAIRS || bytes + size > MAX_BATCH_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(e);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

export async function openRemoteKv(): Promise<{ store: KvStore; close: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'edge-news-kv-'));
  let n = 0;
  const store: KvStore = {
    async get(key) {
      try {
        return await wrangler(['kv', 'key', 'get', key, '--text']);
      } catch {
        return null;
      }
    },
    async getMany(keys) {
      const out = new Map<string, string | null>();
      // `wrangler kv bulk get` takes a JSON array of keys, 100 a request like the API.
      for (let i = 0; i < keys.length; i += 100) {
        const file = join(dir, `get-${n++}.json`);
        const chunk = keys.slice(i, i + 100);
        await writeFile(file, JSON.stringify(chunk));
        const got = JSON.parse(await wrangler(['kv', 'bulk', 'get', file])) as Record<
          string,
          { value: string | null } | string | null
        >;
        for (const key of chunk) {
          const v = got[key];
          out.set(key, v === undefined || v === null ? null : typeof v === 'string' ? v : v.value);
        }
      }
      return out;
    },
    async putMany(entries, onProgress) {
      let done = 0;
      for (const batch of batches(entries)) {
        const file = join(dir, `put-${n++}.json`);
        await writeFile(file, JSON.stringify(batch));
        await wrangler(['kv', 'bulk', 'put', file]);
        done += batch.length;
        onProgress?.(done, entries.length);
      }
    },
    async list(prefix) {
      const out = await wrangler(['kv', 'key', 'list', '--prefix', prefix]);
      return (JSON.parse(out) as { name: string }[]).map((k) => k.name);
    },
    async deleteMany(keys, onProgress) {
      for (let i = 0; i < keys.length; i += MAX_PAIRS) {
        const file = join(dir, `delete-${n++}.json`);
        await writeFile(file, JSON.stringify(keys.slice(i, i + MAX_PAIRS)));
        await wrangler(['kv', 'bulk', 'delete', file, '--force']);
        onProgress?.(Math.min(i + MAX_PAIRS, keys.length), keys.length);
      }
    },
  };
  return { store, close: () => rm(dir, { recursive: true, force: true }) };
}
