/**
 * One poll over the sources: the same code in `npm run ingest` (Node) and in the Worker's
 * scheduled handler (src/scheduled.ts). It reads each feed's state, fetches the due feeds
 * (conditional GET; one host at a time per host, `hostDelayMs` apart; a few hosts at once),
 * publishes the new articles through the `publish` it is given, and only then writes the
 * states that changed, so a failed publish leaves the feeds to be fetched in full next time.
 *
 * What is new: an item whose article id the feed did not list in its last 200. An item that
 * leaves the feed upstream stays in the archive: a feed is a window of recent items, and
 * falling out of it is not a retraction (docs/ingest.md).
 */
import type { Article } from '../content/article.ts';
import { normalizeRecord, RecordError } from '../content/records.ts';
import type { KvStore } from '../lib/kv-store.ts';
import { getMany, parseStored } from '../lib/kv-store.ts';
import { feedStateKey } from '../snapshot/keys.ts';
import { fetchFeed, type FetchOptions, type FetchOutcome } from './fetch.ts';
import { feedId, hostOf, type Source } from './sources.ts';
import { backoffMs, FeedState, initialState, isDue, MAX_SEEN } from './state.ts';

/** Publishes new articles as the next snapshot; the caller serialises publishers. */
export type Publisher = (articles: Article[]) => Promise<PublishReport>;

export interface PublishReport {
  snapshot: string;
  /** Articles the archive did not have (the rest joined existing ones as duplicates). */
  added: number;
  keys_written: number;
}

export interface PollDeps {
  store: KvStore;
  fetch: typeof fetch;
  publish: Publisher;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  onFeed?: (report: FeedReport, done: number, total: number) => void;
}

export interface PollOptions extends Pick<FetchOptions, 'timeoutMs' | 'maxBytes' | 'userAgent'> {
  /** Pause between two requests to the same host (default 1 s). */
  hostDelayMs?: number;
  /** Hosts fetched at once (default 4; a Worker may hold six connections open). */
  hostConcurrency?: number;
  /** At most this many feeds per poll, rotating through the rest (the Worker's KV budget). */
  maxFeeds?: number;
  /** Poll interval, for the rotation when `maxFeeds` cuts the list (default 5 min). */
  intervalMs?: number;
}

export type FeedResult =
  'new' | 'unchanged' | 'not-modified' | 'failed' | 'backing-off' | 'deferred';

export interface FeedReport {
  url: string;
  source: string;
  result: FeedResult;
  status: number | null;
  /** Items in the feed, new ones among them, and items skipped as invalid. */
  items: number;
  new: number;
  invalid: number;
  charset?: string;
  error?: string;
  /** When the feed is tried next, if not on the next poll. */
  next_at?: string;
}

export interface PollSummary {
  started_at: string;
  feeds: number;
  fetched: number;
  not_modified: number;
  failed: number;
  backing_off: number;
  deferred: number;
  new_articles: number;
  published: PublishReport | null;
  publish_error: string | null;
  state_writes: number;
  ms: number;
  reports: FeedReport[];
}

interface Planned {
  source: Source;
  key: string;
  state: FeedState | null;
}

const DEFAULT_HOST_DELAY_MS = 1000;
const DEFAULT_HOST_CONCURRENCY = 4;
const DEFAULT_INTERVAL_MS = 5 * 60_000;

export async function pollSources(
  sources: readonly Source[],
  deps: PollDeps,
  options: PollOptions = {},
): Promise<PollSummary> {
  const now = (deps.now ?? (() => new Date()))();
  const started = Date.now();
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const keys = sources.map((s) => feedStateKey(feedId(s.url)));
  // One bulk get per 100 feeds: in a Worker that is one KV operation, not 100.
  const stored = await getMany(deps.store, keys);
  const planned: Planned[] = sources.map((source, i) => ({
    source,
    key: keys[i]!,
    state: parseStored(keys[i]!, stored.get(keys[i]!) ?? null, FeedState),
  }));

  const reports = new Map<Planned, FeedReport>();
  const next = new Map<Planned, FeedState>();
  const fresh = new Map<Planned, Article[]>();
  const due = planned.filter((p) => {
    if (isDue(p.state, now)) return true;
    reports.set(p, report(p, 'backing-off', { next_at: p.state?.next_at ?? undefined }));
    return false;
  });
  for (const p of deferred(due, now, options)) reports.set(p, report(p, 'deferred'));
  const toFetch = due.filter((p) => !reports.has(p));

  let done = reports.size;
  const byHost = groupBy(toFetch, (p) => hostOf(p.source.url));
  const fetchOptions: FetchOptions = { fetch: deps.fetch, now, ...pick(options) };
  await inParallel(
    [...byHost.values()],
    options.hostConcurrency ?? DEFAULT_HOST_CONCURRENCY,
    async (feeds) => {
      for (let i = 0; i < feeds.length; i++) {
        const p = feeds[i]!;
        if (i > 0) await sleep(options.hostDelayMs ?? DEFAULT_HOST_DELAY_MS);
        const outcome = await fetchFeed(p.source, p.state, fetchOptions);
        const { state, articles, feedReport } = settle(p, outcome, now);
        next.set(p, state);
        if (articles.length) fresh.set(p, articles);
        reports.set(p, feedReport);
        deps.onFeed?.(feedReport, ++done, planned.length);
        // The host asked us to wait (RFC 9110 10.2.3): its other feeds wait as long,
        // unfetched and not counted as failures.
        if (outcome.kind === 'failed' && outcome.retryAfterMs !== null) {
          for (const rest of feeds.slice(i + 1)) {
            next.set(rest, { ...stateBase(rest, now), next_at: state.next_at });
            const r = report(rest, 'deferred', {
              error: `${hostOf(rest.source.url)} sent Retry-After`,
              next_at: state.next_at ?? undefined,
            });
            reports.set(rest, r);
            deps.onFeed?.(r, ++done, planned.length);
          }
          break;
        }
      }
    },
  );

  const articles = [...fresh.values()].flat();
  let published: PublishReport | null = null;
  let publishError: string | null = null;
  if (articles.length) {
    try {
      published = await deps.publish(articles);
    } catch (error) {
      publishError = error instanceof Error ? error.message : String(error);
      // Nothing of these feeds is remembered: the next poll fetches them in full again.
      for (const p of fresh.keys()) next.delete(p);
    }
  }

  const writes = [...next]
    .filter(([p, state]) => changed(p.state, state))
    .map(([p, state]) => ({ key: p.key, value: JSON.stringify(state) }));
  await deps.store.putMany(writes);

  const all = planned.map((p) => reports.get(p)!);
  const count = (...results: FeedResult[]) => all.filter((r) => results.includes(r.result)).length;
  return {
    started_at: now.toISOString(),
    feeds: planned.length,
    fetched: count('new', 'unchanged'),
    not_modified: count('not-modified'),
    failed: count('failed'),
    backing_off: count('backing-off'),
    deferred: count('deferred'),
    new_articles: articles.length,
    published,
    publish_error: publishError,
    state_writes: writes.length,
    ms: Date.now() - started,
    reports: all,
  };
}

/** The feeds this poll leaves for later when `maxFeeds` cuts the list: a window that rotates. */
function deferred(due: Planned[], now: Date, options: PollOptions): Planned[] {
  const max = options.maxFeeds;
  if (max === undefined || due.length <= max) return [];
  const round = Math.floor(now.getTime() / (options.intervalMs ?? DEFAULT_INTERVAL_MS));
  const start = (round * max) % due.length;
  const kept = new Set(Array.from({ length: max }, (_, i) => due[(start + i) % due.length]));
  return due.filter((p) => !kept.has(p));
}

/** The feed's next state, its new articles and its report, from one fetch outcome. */
/** The stored state, unless the feed's URL changed (then it starts afresh). */
const stateBase = (p: Planned, now: Date) =>
  p.state?.url === p.source.url ? p.state : initialState(p.source.url, now);

function settle(p: Planned, outcome: FetchOutcome, now: Date) {
  const base = stateBase(p, now);
  const at = now.toISOString();
  if (outcome.kind === 'failed') {
    const failures = base.failures + 1;
    const wait = outcome.retryAfterMs ?? backoffMs(failures);
    const nextAt = new Date(now.getTime() + wait).toISOString();
    const state: FeedState = {
      ...base,
      last_status: outcome.status,
      checked_at: at,
      failures,
      last_error: outcome.error,
      next_at: nextAt,
    };
    const feedReport = report(p, 'failed', {
      status: outcome.status,
      error: outcome.error,
      next_at: nextAt,
    });
    return { state, articles: [], feedReport };
  }
  const ok = { ...base, checked_at: at, ok_at: at, failures: 0, last_error: null, next_at: null };
  if (outcome.kind === 'not-modified') {
    return {
      state: { ...ok, last_status: 304 },
      articles: [],
      feedReport: report(p, 'not-modified', { status: 304 }),
    };
  }
  const seen = new Set(base.seen);
  const articles: Article[] = [];
  const ids: string[] = [];
  let invalid = 0;
  outcome.records.forEach((record, i) => {
    try {
      const article = normalizeRecord(record, { file: p.source.url, line: i + 1 });
      ids.push(article.id);
      if (!seen.has(article.id)) articles.push(article);
    } catch (error) {
      if (!(error instanceof RecordError)) throw error;
      invalid++;
    }
  });
  const state: FeedState = {
    ...ok,
    last_status: outcome.status,
    etag: outcome.etag,
    last_modified: outcome.lastModified,
    seen: [...new Set(ids)].slice(0, MAX_SEEN),
  };
  const feedReport = report(p, articles.length ? 'new' : 'unchanged', {
    status: outcome.status,
    items: outcome.records.length,
    new: articles.length,
    invalid,
    charset: outcome.charset,
  });
  return { state, articles, feedReport };
}

/** A state is written only when more than its times changed: a 304 every 5 minutes costs no write. */
function changed(before: FeedState | null, after: FeedState): boolean {
  if (!before) return true;
  const strip = ({ checked_at: _c, ok_at: _o, ...rest }: FeedState) => JSON.stringify(rest);
  return strip(before) !== strip(after) || (before.ok_at === null) !== (after.ok_at === null);
}

function report(p: Planned, result: FeedResult, extra: Partial<FeedReport> = {}): FeedReport {
  return {
    url: p.source.url,
    source: p.source.source,
    result,
    status: null,
    items: 0,
    new: 0,
    invalid: 0,
    ...extra,
  };
}

function pick(options: PollOptions): Partial<FetchOptions> {
  const out: Partial<FetchOptions> = {};
  if (options.timeoutMs !== undefined) out.timeoutMs = options.timeoutMs;
  if (options.maxBytes !== undefined) out.maxBytes = options.maxBytes;
  if (options.userAgent !== undefined) out.userAgent = options.userAgent;
  return out;
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

async function inParallel<T>(items: readonly T[], limit: number, run: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await run(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
