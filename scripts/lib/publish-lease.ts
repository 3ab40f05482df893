/**
 * The publish lease for Node scripts on one machine (src/core/ingest/lease.ts has the rules):
 * a JSON file beside the local KV state, changed only while holding `<file>.lock`, a file
 * created with O_EXCL (`wx`), which only one process can create. The lock is held for a
 * few milliseconds around a read-decide-write; the lease itself lasts the publish.
 */
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import {
  decideLease,
  decideRelease,
  type LeaseRecord,
  type PublishLease,
} from '../../src/core/ingest/lease.ts';

/** A lock file older than this was left by a killed process (the critical section takes ms). */
const STALE_LOCK_MS = 10_000;

export function fileLease(path: string): PublishLease {
  const lock = `${path}.lock`;
  async function locked<T>(run: (current: LeaseRecord | null) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        await writeFile(lock, String(Date.now()), { flag: 'wx' });
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        // The lock's age from its mtime, not its content: a lock just created by another
        // process may not hold its timestamp yet, and reading it as 0 (stale) let two
        // publishers in at once (seen as a lost article in test/node/ingest.test.ts).
        const since = await stat(lock).then(
          (s) => s.mtimeMs,
          () => Date.now(),
        );
        if (Date.now() - since > STALE_LOCK_MS) await rm(lock, { force: true });
        else await new Promise((r) => setTimeout(r, Math.min(5 * 2 ** attempt, 200)));
      }
    }
    try {
      const text = await readFile(path, 'utf8').catch(() => null);
      return await run(text ? (JSON.parse(text) as LeaseRecord) : null);
    } finally {
      await rm(lock, { force: true });
    }
  }
  return {
    acquire: (holder, ttlMs) =>
      locked(async (current) => {
        const { next, result } = decideLease(current, holder, ttlMs, Date.now());
        if (next) await writeFile(path, JSON.stringify(next));
        return result;
      }),
    release: (token, published) =>
      locked(async (current) => {
        const next = decideRelease(current, token, published);
        if (next) await writeFile(path, JSON.stringify(next));
        return next !== null;
      }),
  };
}
