/**
 * What a poll remembers per feed, in KV under `feedStateKey` (src/core/snapshot/keys.ts): the
 * validators for the next conditional GET (RFC 9110 section 13), the ids the feed listed last
 * time (so only new items are published), and the failure count that drives the backoff.
 */
import * as v from 'valibot';

export const FEED_STATE_FORMAT = 1;

export const FeedState = v.object({
  format: v.literal(FEED_STATE_FORMAT),
  url: v.string(),
  /** ETag and Last-Modified of the last 200, sent back as If-None-Match / If-Modified-Since. */
  etag: v.nullable(v.string()),
  last_modified: v.nullable(v.string()),
  /** Last answer: an HTTP status, or null when no response came (timeout, DNS, reset). */
  last_status: v.nullable(v.number()),
  checked_at: v.string(),
  /** Time of the last good fetch (200 or 304). */
  ok_at: v.nullable(v.string()),
  /** Failures in a row; 0 after a good fetch. */
  failures: v.number(),
  last_error: v.nullable(v.string()),
  /** Not fetched before this time (backoff or Retry-After); null: every poll. */
  next_at: v.nullable(v.string()),
  /** Article ids of the items the feed listed in its last 200, newest MAX_SEEN. */
  seen: v.array(v.string()),
});
export type FeedState = v.InferOutput<typeof FeedState>;

/** More items than any feed we know lists at once (news feeds keep 20 to 200). */
export const MAX_SEEN = 1000;

const MINUTE = 60_000;
/** The first retry waits one poll interval (the cron runs every 5 minutes: wrangler.toml). */
export const BACKOFF_BASE_MS = 5 * MINUTE;
/** A feed broken for a day is still tried four times a day. */
export const BACKOFF_MAX_MS = 6 * 60 * MINUTE;
/** A Retry-After of more than a day is taken as a day: a typo must not silence a feed. */
export const RETRY_AFTER_MAX_MS = 24 * 60 * MINUTE;

/** Exponential backoff: base, 2·base, 4·base … capped (`failures` counts this failure too). */
export function backoffMs(failures: number): number {
  return Math.min(BACKOFF_BASE_MS * 2 ** Math.max(0, failures - 1), BACKOFF_MAX_MS);
}

/**
 * Retry-After (RFC 9110 section 10.2.3): delay-seconds or an HTTP-date, in milliseconds from
 * `now`; null when absent or unreadable.
 */
export function retryAfterMs(header: string | null, now: Date): number | null {
  const value = header?.trim();
  if (!value) return null;
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now.getTime();
  if (Number.isNaN(ms)) return null;
  return Math.min(Math.max(ms, 0), RETRY_AFTER_MAX_MS);
}

export function initialState(url: string, now: Date): FeedState {
  return {
    format: FEED_STATE_FORMAT,
    url,
    etag: null,
    last_modified: null,
    last_status: null,
    checked_at: now.toISOString(),
    ok_at: null,
    failures: 0,
    last_error: null,
    next_at: null,
    seen: [],
  };
}

/** Whether the feed may be fetched at `now` (no backoff or Retry-After pending). */
export const isDue = (state: FeedState | null, now: Date) =>
  !state?.next_at || Date.parse(state.next_at) <= now.getTime();
