/**
 * One publisher at a time. A publish reads the live snapshot, adds to it and switches the
 * pointer; two at once would each build on the same live snapshot and the second pointer
 * write would drop the first one's articles. So every publisher (the scheduled poll,
 * `npm run ingest`, a manual build) holds this lease while it publishes.
 *
 * The lease lives where a check-and-set is atomic: the `PublishLock` Durable Object for the
 * Worker (src/storage/publish-lock.ts), a lock file beside the local KV for Node scripts
 * (scripts/lib/publish-lease.ts). Both run `decideLease`, so the rules are one piece of code.
 *
 * It also carries the id of the last snapshot published under it: KV reads may be up to 60 s
 * stale at another location (https://developers.cloudflare.com/kv/concepts/how-kv-works/),
 * so the next holder checks the pointer it reads against that id instead of trusting it.
 */
import type { Article } from '../content/article.ts';
import type { Publisher, PublishReport } from './poll.ts';

export interface LeaseRecord {
  /** Grows by one with every grant: a released or expired token can never release a newer lease. */
  token: number;
  holder: string | null;
  expires_at: number;
  /** The last snapshot a holder published and released with (null: none yet). */
  live: string | null;
}

export type LeaseResult =
  | { ok: true; token: number; live: string | null; expires_at: number }
  | { ok: false; holder: string; expires_at: number };

export interface PublishLease {
  acquire(holder: string, ttlMs: number): Promise<LeaseResult>;
  /** Ends the lease if `token` still holds it; `published` is the snapshot it made live. */
  release(token: number, published: string | null): Promise<boolean>;
  /** Extends the lease `token` holds to `ttlMs` from now; false if it no longer holds it. */
  renew(token: number, ttlMs: number): Promise<boolean>;
}

/** A publish of a poll takes seconds; a lease that outlives its holder (a killed process) frees itself. */
export const LEASE_TTL_MS = 10 * 60_000;

/** The pure rule: grant when free or expired, refuse while another holds it. */
export function decideLease(
  current: LeaseRecord | null,
  holder: string,
  ttlMs: number,
  now: number,
): { next: LeaseRecord | null; result: LeaseResult } {
  const record = current ?? { token: 0, holder: null, expires_at: 0, live: null };
  if (record.holder !== null && record.expires_at > now)
    return {
      next: null,
      result: { ok: false, holder: record.holder, expires_at: record.expires_at },
    };
  const next = { token: record.token + 1, holder, expires_at: now + ttlMs, live: record.live };
  return {
    next,
    result: { ok: true, token: next.token, live: next.live, expires_at: next.expires_at },
  };
}

export function decideRelease(
  current: LeaseRecord | null,
  token: number,
  published: string | null,
): LeaseRecord | null {
  if (!current || current.token !== token || current.holder === null) return null;
  return { ...current, holder: null, expires_at: 0, live: published ?? current.live };
}

/** The pure rule of a renewal: only the holder of `token` extends its lease. */
export function decideRenew(
  current: LeaseRecord | null,
  token: number,
  ttlMs: number,
  now: number,
): LeaseRecord | null {
  if (!current || current.token !== token || current.holder === null) return null;
  return { ...current, expires_at: now + ttlMs };
}

/**
 * Runs `publish` holding the lease, waiting for a busy one (checking every `retryMs`) up to
 * `waitMs`. `publish` gets the last snapshot published under the lease and returns the one it
 * made live (or null). The lease is renewed every third of its TTL while `publish` runs, so a
 * long build (a full build of a large archive takes longer than the TTL) keeps it, while a
 * killed holder's lease still frees itself within one TTL.
 */
export async function withPublishLease<T extends { snapshot: string | null } | null>(
  lease: PublishLease,
  holder: string,
  publish: (live: string | null) => Promise<T>,
  options: {
    waitMs?: number;
    retryMs?: number;
    ttlMs?: number;
    sleep?: (ms: number) => Promise<void>;
  } = {},
): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = Date.now() + (options.waitMs ?? 60_000);
  for (;;) {
    const ttl = options.ttlMs ?? LEASE_TTL_MS;
    const result = await lease.acquire(holder, ttl);
    if (result.ok) {
      let published: string | null = null;
      const renewal = setInterval(() => {
        lease.renew(result.token, ttl).catch((error: unknown) => {
          console.warn(`publish lease: renewal failed: ${String(error)}`);
        });
      }, ttl / 3);
      try {
        const out = await publish(result.live);
        published = out?.snapshot ?? null;
        return out;
      } finally {
        clearInterval(renewal);
        await lease.release(result.token, published);
      }
    }
    if (Date.now() >= deadline)
      throw new Error(
        `another publisher (${result.holder}) holds the publish lease until ${new Date(result.expires_at).toISOString()}`,
      );
    await sleep(options.retryMs ?? 500);
  }
}

/** A poll's `Publisher` that publishes under the lease, handing the publish the lease's live id. */
export function leasedPublisher(
  lease: PublishLease,
  holder: string,
  publish: (articles: Article[], live: string | null) => Promise<PublishReport>,
  options: Parameters<typeof withPublishLease>[3] = {},
): Publisher {
  return (articles) => withPublishLease(lease, holder, (live) => publish(articles, live), options);
}
