/**
 * The publish lease for Node scripts (src/core/ingest/lease.ts has the rules). On one machine:
 * a JSON file beside the local KV state, changed only while holding `<file>.lock`, a file
 * created with O_EXCL (`wx`), which only one process can create. The lock is held for a
 * few milliseconds around a read-decide-write; the lease itself lasts the publish.
 */
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  decideLease,
  decideRelease,
  decideRenew,
  type LeaseRecord,
  type LeaseResult,
  type PublishLease,
  withPublishLease,
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
    renew: (token, ttlMs) =>
      locked(async (current) => {
        const next = decideRenew(current, token, ttlMs, Date.now());
        if (next) await writeFile(path, JSON.stringify(next));
        return next !== null;
      }),
  };
}

/**
 * The Worker's own lease (the `PublishLock` Durable Object, which the cron takes) over its
 * admin API (src/routes/publish-lease.ts): what a script publishing with `--remote` takes, so
 * it serialises with the deployed cron and with scripts on any other machine.
 */
export function httpLease(origin: string, token: string, fetchImpl = fetch): PublishLease {
  async function call<T>(path: string, body: unknown): Promise<T> {
    const url = new URL(path, origin);
    const res = await fetchImpl(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok)
      throw new Error(`publish lease at ${url.origin}: HTTP ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  }
  return {
    acquire: (holder, ttlMs) =>
      call<LeaseResult>('/v1/admin/publish-lease/acquire', { holder, ttl_ms: ttlMs }),
    release: async (leaseToken, published) =>
      (
        await call<{ released: boolean }>('/v1/admin/publish-lease/release', {
          token: leaseToken,
          published,
        })
      ).released,
    renew: async (leaseToken, ttlMs) =>
      (
        await call<{ renewed: boolean }>('/v1/admin/publish-lease/renew', {
          token: leaseToken,
          ttl_ms: ttlMs,
        })
      ).renewed,
  };
}

/**
 * The lease a script publishes under. With `EDGE_NEWS_URL` (a Worker's origin) and
 * `ADMIN_TOKEN`: that Worker's Durable Object, which its cron takes too, so this script
 * serialises with the cron and with scripts on any machine (required for `--remote`: a file
 * is seen by this machine only; local KV with `npm start`'s Worker may use it too). Otherwise,
 * for local KV, the lease file beside it (every script on this machine shares it).
 * `--no-lease` (null) only where no other publisher can run, such as the first deploy, before
 * there is a Worker to ask.
 */
export function scriptLease(options: {
  remote: boolean;
  persist: string;
  noLease?: boolean;
  env?: Record<string, string | undefined>;
}): PublishLease | null {
  if (options.noLease) return null;
  const env = options.env ?? process.env;
  const origin = env.EDGE_NEWS_URL;
  const token = env.ADMIN_TOKEN;
  if (origin) {
    if (!token) throw new Error('EDGE_NEWS_URL is set: the publish lease needs ADMIN_TOKEN too');
    return httpLease(origin, token);
  }
  if (options.remote)
    throw new Error(
      "--remote publishes under the deployed Worker's publish lease: set EDGE_NEWS_URL (its origin) and ADMIN_TOKEN, or pass --no-lease when no other publisher can run (the first deploy)",
    );
  return fileLease(join(options.persist, 'publish-lease.json'));
}

/** Runs `publish` under the lease, or alone without one (`--no-lease`). */
export function underLease<T extends { snapshot: string | null } | null>(
  lease: PublishLease | null,
  holder: string,
  publish: (live: string | null) => Promise<T>,
): Promise<T> {
  return lease ? withPublishLease(lease, holder, publish) : publish(null);
}
