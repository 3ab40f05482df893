/**
 * Reading the submissions' KV projections. The Durable Object in ./submissions/store.ts
 * is the source of truth and rewrites these keys after every change (docs/submissions.md).
 *
 * `listApprovedNews` runs on feed and search requests: one KV read, cached per isolate for
 * APPROVED_NEWS_TTL_MS (a failed read for APPROVED_NEWS_RETRY_MS).
 */
import * as v from 'valibot';
import type { Article } from '../core/content/article.ts';
import {
  adKey,
  ADS_CHANGED_KEY,
  APPROVED_NEWS_KEY,
  NEWS_ARCHIVE_PREFIX,
} from '../core/snapshot/keys.ts';
import { type KvStore, parseStored } from '../core/lib/kv-store.ts';
import { ApprovedNewsList, mergeArticles, NewsArchiveChunk } from '../core/submissions/news.ts';
import { AdDetail } from '../core/submissions/schemas.ts';
import { boundedRead } from './kv-binding.ts';
import type { SubmissionsStore } from './submissions/store.ts';

export const APPROVED_NEWS_TTL_MS = 5_000;

/** The live list as the Worker uses it: the items, and when the Durable Object last rewrote it. */
interface LiveNews {
  items: Article[];
  updatedAt: string | null;
}
const NO_LIVE_NEWS: LiveNews = { items: [], updatedAt: null };

/**
 * A list that does not read (not JSON, or not its schema) is logged and read as empty: the
 * feeds and search then answer from the snapshot alone until the Durable Object rewrites it.
 */
function parseLive(text: string | null): LiveNews {
  try {
    const list = parseStored(APPROVED_NEWS_KEY, text, ApprovedNewsList);
    return list ? { items: list.items, updatedAt: list.updated_at } : NO_LIVE_NEWS;
  } catch (error) {
    console.error('submissions: unreadable approved-news list, serving without it', error);
    return NO_LIVE_NEWS;
  }
}

const parseApproved = (text: string | null): Article[] =>
  parseStored(APPROVED_NEWS_KEY, text, ApprovedNewsList)?.items ?? [];

/**
 * How long a failed or stalled read of the list is remembered (the feeds serve the snapshot
 * alone meanwhile). Without it every request under a KV fault makes its own read, and each
 * waits out a stalled one (KV_READ_DEADLINE_MS); a few seconds keeps that to one read per
 * window while still picking the list up soon after KV answers again.
 */
export const APPROVED_NEWS_RETRY_MS = 3_000;

/**
 * The isolate's list, shared by every request until `until` (ms). Only a list already read
 * is shared, never a read in flight (core/lib/part-cache.ts says why).
 */
let cached: { kv: KVNamespace; until: number; live: LiveNews } | undefined;
/** Counts forgetApprovedNews calls: a read that started before one does not cache what it read. */
let forgotten = 0;

async function readLive(kv: KVNamespace, now: number): Promise<LiveNews> {
  if (cached && cached.kv === kv && now < cached.until) return cached.live;
  const epoch = forgotten;
  let live: LiveNews;
  let until: number;
  try {
    live = parseLive(await boundedRead(APPROVED_NEWS_KEY, () => kv.get(APPROVED_NEWS_KEY, 'text')));
    until = now + APPROVED_NEWS_TTL_MS;
  } catch (error) {
    console.error('submissions: approved-news list not read, serving without it', error);
    live = NO_LIVE_NEWS;
    // Counted from the failure: a stalled read fails only after its deadline.
    until = Date.now() + APPROVED_NEWS_RETRY_MS;
  }
  if (epoch === forgotten) cached = { kv, until, live };
  return live;
}

/**
 * Approved reader news, newest first, as `Article`s with ids `n-<submission id>`. Empty
 * until something is approved. The feeds and search merge these with the live snapshot
 * and drop any id the snapshot already holds.
 */
export async function listApprovedNews(kv: KVNamespace, now = Date.now()): Promise<Article[]> {
  return (await readLive(kv, now)).items;
}

/**
 * When the approved list last changed (an approval, an edit, a removal), ISO 8601; null
 * before the first approval. A response merging the list is as new as this.
 */
export async function approvedNewsChangedAt(
  kv: KVNamespace,
  now = Date.now(),
): Promise<string | null> {
  return (await readLive(kv, now)).updatedAt;
}

/** Forgets the isolate's cached list (after this isolate itself changes it). */
export function forgetApprovedNews(): void {
  cached = undefined;
  forgotten++;
}

/**
 * Every approved reader news item, for the snapshot build (Node, local or remote KV): the
 * monthly archive chunks plus the live list (which may hold an approval whose chunk write
 * is still being retried), newest first. The build folds these into the next snapshot
 * under the same ids as `listApprovedNews`, so the read-time merge never shows one twice.
 * Reads: one list and one get per month with approvals, plus one.
 */
export async function approvedNewsFromStore(store: KvStore): Promise<Article[]> {
  const [live, months] = await Promise.all([
    store.get(APPROVED_NEWS_KEY),
    store.list(NEWS_ARCHIVE_PREFIX),
  ]);
  const chunks = await Promise.all(
    months.map(
      async (key) => parseStored(key, await store.get(key), NewsArchiveChunk)?.items ?? [],
    ),
  );
  return mergeArticles([...chunks, parseApproved(live)]);
}

/**
 * The KV projection of a live ad's public detail, or null when it is absent, does not read
 * as one, or its read fails (then the caller asks the store, the source of truth).
 */
export async function readAdDetail(kv: KVNamespace, id: string): Promise<AdDetail | null> {
  try {
    const text = await boundedRead(adKey(id), () => kv.get(adKey(id), 'text'));
    return parseStored(adKey(id), text, AdDetail);
  } catch (error) {
    console.error('submissions: unreadable ad projection', id, error);
    return null;
  }
}

const AdsChanged = v.object({ changed_at: v.string() });

/**
 * When any ad last changed, as the Durable Object last wrote it (`sub:v1:ads:changed`), or
 * "0" before the first change; null when KV cannot be read or the value does not read (the
 * caller then asks the Durable Object). One KV read, not cached in the isolate, so a change
 * made through this isolate shows at once: a page that lists ads keys its edge cache by it
 * instead of asking the Durable Object on every request.
 */
export async function adsChangedAt(kv: KVNamespace): Promise<string | null> {
  try {
    const text = await kv.get(ADS_CHANGED_KEY, 'text');
    return parseStored(ADS_CHANGED_KEY, text, AdsChanged)?.changed_at ?? '0';
  } catch (error) {
    console.error('submissions: unreadable ads version, asking the store', error);
    return null;
  }
}

/** The one `SubmissionsStore` instance that holds every submission (strongly consistent). */
export function submissionsStore(ns: DurableObjectNamespace<SubmissionsStore>) {
  return ns.getByName('global');
}
