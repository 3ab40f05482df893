/**
 * The KV projections of the submissions and their outbox. SQLite (./store.ts) is the
 * source of truth; after each change the store names the projections it touched, and this
 * module rewrites each of them from SQLite. Writes to one KV key are serialised and spaced
 * by KV's one write per second per key (./write-queue.ts), and a write that fails is kept
 * in `outbox_v1` and retried by the Durable Object's alarm, so a projection is always
 * rebuilt from the latest state and never edited in place (docs/submissions.md).
 */
import * as v from 'valibot';
import type { Article } from '../../core/content/article.ts';
import {
  adKey,
  ADS_CHANGED_KEY,
  APPROVED_NEWS_KEY,
  newsArchiveKey,
} from '../../core/snapshot/keys.ts';
import {
  approvalMonth,
  APPROVED_NEWS_FORMAT,
  APPROVED_NEWS_MAX,
  monthRange,
  newsToArticle,
} from '../../core/submissions/news.ts';
import { adDetail, isLive, type SubmissionRecord } from '../../core/submissions/records.ts';
import { SUBMISSION_ID } from '../../core/submissions/schemas.ts';
import { readRecords, SELECT } from './rows.ts';
import { KeyedWriteQueue } from './write-queue.ts';

/** Every KV projection of the submissions, one kind each. */
export type Projection =
  /** `sub:v1:ad:<id>`: the public detail of a live ad, deleted when it is not live. */
  | { kind: 'ad'; id: string }
  /** `sub:v1:ads:changed`: when any ad last changed, the version of pages listing ads. */
  | { kind: 'ads-changed' }
  /** `sub:v1:news:approved`: the live list of recently approved reader news. */
  | { kind: 'news-live' }
  /** `sub:v1:news:month:<YYYY-MM>`: every approval of one month, for the snapshot build. */
  | { kind: 'news-month'; month: string };

/**
 * A projection's name in the write queue and in `outbox_v1`. These strings are stored
 * (the outbox outlives a deploy), so they keep the version 1 spelling.
 */
export function projectionName(p: Projection): string {
  switch (p.kind) {
    case 'ad':
      return `ad:${p.id}`;
    case 'ads-changed':
      return 'ads-changed';
    case 'news-live':
      return 'news';
    case 'news-month':
      return `news-month:${p.month}`;
  }
}

const MONTH = /^\d{4}-\d{2}$/;
/** A stored projection name read back, or null for one this version does not know. */
export function parseProjectionName(name: string): Projection | null {
  if (name === 'news') return { kind: 'news-live' };
  if (name === 'ads-changed') return { kind: 'ads-changed' };
  const [prefix, rest = ''] = name.split(/:(.*)/s);
  if (prefix === 'ad' && SUBMISSION_ID.test(rest)) return { kind: 'ad', id: rest };
  if (prefix === 'news-month' && MONTH.test(rest)) return { kind: 'news-month', month: rest };
  return null;
}

/** The projections a change to one submission touches. */
export function projectionsOf(record: SubmissionRecord): Projection[] {
  if (record.kind === 'ad') return [{ kind: 'ad', id: record.id }];
  return record.approved_at === null
    ? [{ kind: 'news-live' }]
    : [{ kind: 'news-live' }, { kind: 'news-month', month: approvalMonth(record.approved_at) }];
}

/** Workers KV accepts one write per second to the same key. */
const KV_WRITE_GAP_MS = 1_000;
/** The alarm backs off to this between retries of a failed projection write. */
const MAX_RETRY_MS = 60_000;

const OUTBOX_SCHEMA =
  'CREATE TABLE IF NOT EXISTS outbox_v1 (key TEXT PRIMARY KEY, attempts INTEGER NOT NULL);';
const OutboxRow = v.object({ key: v.string(), attempts: v.number() });

export class Projections {
  /** One write per KV key at a time, a second apart, each reading SQLite when it starts. */
  private readonly writes = new KeyedWriteQueue(KV_WRITE_GAP_MS, (ms) => scheduler.wait(ms));
  private readonly sql: SqlStorage;
  private readonly storage: DurableObjectStorage;
  private readonly kv: KVNamespace;

  constructor(storage: DurableObjectStorage, kv: KVNamespace) {
    this.storage = storage;
    this.kv = kv;
    this.sql = storage.sql;
    this.sql.exec(OUTBOX_SCHEMA);
  }

  /**
   * Rewrites the projections from SQLite. Called after the SQLite change committed; a
   * failure leaves the change safe in SQLite and queues the projection for the alarm.
   */
  async update(projections: readonly Projection[], now: number): Promise<void> {
    const failed: string[] = [];
    await Promise.all(
      projections.map((p) =>
        this.writes
          .run(projectionName(p), () => this.write(p, now))
          .catch((error: unknown) => {
            console.error('submissions: projection write failed, queued', projectionName(p), error);
            failed.push(projectionName(p));
          }),
      ),
    );
    if (failed.length === 0) return;
    for (const name of failed) {
      this.sql.exec(
        'INSERT INTO outbox_v1 (key, attempts) VALUES (?, 0) ON CONFLICT (key) DO NOTHING',
        name,
      );
    }
    if ((await this.storage.getAlarm()) === null) await this.storage.setAlarm(Date.now() + 1_000);
  }

  /** The alarm's work: retries queued writes, backing off to once a minute. */
  async retryQueued(): Promise<void> {
    const queued = v.parse(
      v.array(OutboxRow),
      this.sql.exec('SELECT key, attempts FROM outbox_v1').toArray(),
    );
    let retryIn = 0;
    for (const { key, attempts } of queued) {
      const projection = parseProjectionName(key);
      try {
        if (projection === null) console.error('submissions: unknown projection dropped', key);
        else await this.write(projection, Date.now());
        this.sql.exec('DELETE FROM outbox_v1 WHERE key = ?', key);
      } catch (error) {
        console.error('submissions: projection retry failed', key, attempts + 1, error);
        this.sql.exec('UPDATE outbox_v1 SET attempts = ? WHERE key = ?', attempts + 1, key);
        retryIn = Math.max(retryIn, Math.min(MAX_RETRY_MS, 1_000 * 2 ** attempts));
      }
    }
    if (retryIn > 0) await this.storage.setAlarm(Date.now() + retryIn);
  }

  private write(p: Projection, now: number): Promise<void> {
    switch (p.kind) {
      case 'ad':
        return this.writeAd(p.id, now);
      case 'ads-changed':
        return this.writeAdsChanged();
      case 'news-live':
        return this.writeNewsLive(now);
      case 'news-month':
        return this.writeNewsMonth(p.month, now);
    }
  }

  private async writeAd(id: string, now: number): Promise<void> {
    const [record] = readRecords(this.sql, `${SELECT} WHERE s.id = ?`, id);
    if (record?.kind === 'ad' && isLive(record, now)) {
      // KV refuses expirations under 60 s ahead (of its own clock); the read-side check
      // hides the ad at `expires_at` whatever KV does.
      const expiration = Math.max(
        Math.ceil(record.expires_at / 1000),
        Math.ceil(Date.now() / 1000) + 60,
      );
      await this.kv.put(adKey(id), JSON.stringify(adDetail(record)), { expiration });
    } else {
      await this.kv.delete(adKey(id));
    }
  }

  /**
   * The time of this write, after the change committed: writes to one key are a second apart
   * (the write queue), so each change that follows a write gets a value of its own.
   */
  private async writeAdsChanged(): Promise<void> {
    await this.kv.put(ADS_CHANGED_KEY, JSON.stringify({ changed_at: new Date().toISOString() }));
  }

  private async writeNewsLive(now: number): Promise<void> {
    const items = this.approvedNews(
      's.expires_at > ? ORDER BY s.approved_at DESC, s.id DESC LIMIT ?',
      now,
      APPROVED_NEWS_MAX,
    );
    await this.kv.put(
      APPROVED_NEWS_KEY,
      JSON.stringify({
        format: APPROVED_NEWS_FORMAT,
        updated_at: new Date(now).toISOString(),
        items,
      }),
    );
  }

  private async writeNewsMonth(month: string, now: number): Promise<void> {
    const [from, to] = monthRange(month);
    const items = this.approvedNews(
      's.approved_at >= ? AND s.approved_at < ? ORDER BY s.approved_at DESC, s.id DESC',
      from,
      to,
    );
    if (items.length === 0) {
      await this.kv.delete(newsArchiveKey(month));
      return;
    }
    await this.kv.put(
      newsArchiveKey(month),
      JSON.stringify({
        format: APPROVED_NEWS_FORMAT,
        month,
        updated_at: new Date(now).toISOString(),
        items,
      }),
    );
  }

  /** Approved reader news as `Article`s, selected by the rest of a WHERE clause. */
  private approvedNews(where: string, ...args: (string | number)[]): Article[] {
    return readRecords(
      this.sql,
      `${SELECT} WHERE s.kind = 'news' AND s.status = 'approved' AND ${where}`,
      ...args,
    ).flatMap((r) =>
      r.kind === 'news' ? [newsToArticle(r.id, r.content, r.approved_at ?? r.created_at)] : [],
    );
  }
}
