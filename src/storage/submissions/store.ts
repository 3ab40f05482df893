/**
 * `SubmissionsStore`: the one Durable Object that holds every submission (ads and reader
 * news), idempotency records and reports in its SQLite storage. One instance ("global"):
 * every write is serialised and strongly consistent, and an RPC answer leaves the object
 * only after its writes are durable (output gate), so "201" means "stored". Reading the
 * moderation queue from here never misses a just-accepted item, which a KV list (eventually
 * consistent, up to 60 s) cannot promise. See docs/submissions.md.
 *
 * KV holds read-optimised projections that this object rewrites after each change: one key
 * per live ad (public detail, KV expiration = ad expiry), the live list of recently approved
 * news, and the archive of all approved news (one chunk per month of approval).
 * A failed projection write is queued in `outbox_v1` and retried by the alarm; the
 * projections are always rebuilt from SQLite, so a retry can never lose or resurrect data.
 *
 * Methods take `now` from the caller so the whole request sees one clock.
 */
import { DurableObject } from 'cloudflare:workers';
import * as v from 'valibot';
import { AdIndex, type AdSearchQuery } from '../../core/submissions/ad-search.ts';
import { expiresAt, newsExpiresAt } from '../../core/submissions/categories.ts';
import {
  type AdRecord,
  isLive,
  REPORT_HOLD_THRESHOLD,
  type SubmissionRecord,
} from '../../core/submissions/records.ts';
import {
  type AdContent,
  type AdPatch,
  KINDS,
  type Kind,
  type NewsContent,
  type ReportInput,
  type Status,
} from '../../core/submissions/schemas.ts';
import type { StoredAd } from '../../core/submissions/stored.ts';
import { sameHexDigest } from '../../core/submissions/tokens.ts';
import { ADMIN_GUESSES } from './limits.ts';
import { type Projection, Projections, projectionsOf } from './projections.ts';
import { checkRow, readRecords, SELECT } from './rows.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS submission_v1 (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  approved_at INTEGER,
  expires_at INTEGER NOT NULL,
  category TEXT,
  lang TEXT NOT NULL,
  token_hash TEXT,
  content TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS submission_v1_public ON submission_v1 (kind, status, approved_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS submission_v1_queue ON submission_v1 (status, created_at, id);
-- purge() runs on every create: without this it scans the table each time.
CREATE INDEX IF NOT EXISTS submission_v1_expiry ON submission_v1 (expires_at);
CREATE TABLE IF NOT EXISTS idempotency_v1 (
  key TEXT PRIMARY KEY, body_hash TEXT NOT NULL, response TEXT NOT NULL, expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS report_v1 (
  ad_id TEXT NOT NULL, reporter TEXT NOT NULL, reason TEXT NOT NULL, comment TEXT,
  created_at INTEGER NOT NULL, PRIMARY KEY (ad_id, reporter)
);
CREATE TABLE IF NOT EXISTS api_key_v1 (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL, revoked_at INTEGER
);
CREATE TABLE IF NOT EXISTS admin_failure_v1 (client TEXT NOT NULL, at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS admin_failure_v1_client ON admin_failure_v1 (client, at);
`;

/** Idempotency records live a day (IETF draft-ietf-httpapi-idempotency-key-header suggests 24 h). */
export const IDEMPOTENCY_TTL_MS = 86_400_000;
/** Expired ads stay renewable this long, then are purged. */
const PURGE_GRACE_MS = 30 * 86_400_000;

/** What a create answers with (and what an idempotent replay answers again). */
const Accepted = v.object({ id: v.string(), kind: v.picklist(KINDS), expires_at: v.number() });
export type Accepted = v.InferOutput<typeof Accepted>;
const IdempotencyRow = v.object({ body_hash: v.string(), response: v.string() });

export type CreateOutcome =
  { outcome: 'created' | 'replayed'; accepted: Accepted } | { outcome: 'mismatch' };
export type IdempotencyLookup =
  { state: 'miss' } | { state: 'replay'; accepted: Accepted } | { state: 'mismatch' };
export type NewSubmission =
  | { kind: 'ad'; id: string; content: AdContent; expires_at: number; token_hash: string }
  | { kind: 'news'; id: string; content: NewsContent; expires_at: number; token_hash: null };
export type OwnerResult =
  { result: 'ok'; record: AdRecord } | { result: 'not_found' } | { result: 'forbidden' };
const ApiKeyRow = v.object({
  id: v.string(),
  name: v.string(),
  created_at: v.number(),
  revoked_at: v.nullable(v.number()),
});
export type ApiKeyRow = v.InferOutput<typeof ApiKeyRow>;

/** The verdict on one admin authentication attempt. */
export type AdminGate =
  | { result: 'ok' }
  | { result: 'denied'; remaining: number }
  /** Over the limit: refused whatever the token, until the oldest failure leaves the window. */
  | { result: 'locked'; retry_after_ms: number };
export type ReportResult = { result: 'ok'; held: boolean } | { result: 'not_found' };
export type Page = { records: SubmissionRecord[]; more: boolean };
export interface PublicAdsQuery {
  category?: string | undefined;
  lang?: string | undefined;
  since?: number | undefined;
  price_min?: number | undefined;
  price_max?: number | undefined;
  after?: [number, string] | undefined;
  limit: number;
}
export interface AdminListQuery {
  status: Status;
  kind?: Kind;
  after?: [number, string];
  limit: number;
}

export class SubmissionsStore extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly projections: Projections;
  /** The search index of live ads, built at the first search (see searchAds). */
  private ads: AdIndex | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(SCHEMA);
    this.migrate();
    this.projections = new Projections(ctx.storage, env.NEWS);
  }

  /**
   * Reports a moderator has overruled keep their row (so the same reporter cannot report
   * again) with `dismissed_at` set; the column came after the table's first version.
   */
  private migrate(): void {
    const columns = this.sql
      .exec("SELECT name FROM pragma_table_info('report_v1')")
      .toArray()
      .map((r) => r.name);
    if (!columns.includes('dismissed_at'))
      this.sql.exec('ALTER TABLE report_v1 ADD COLUMN dismissed_at INTEGER');
  }

  // ---- creating ----------------------------------------------------------------------

  lookupIdempotency(scopedKey: string, bodyHash: string, now: number): IdempotencyLookup {
    const [raw] = this.sql
      .exec(
        'SELECT body_hash, response FROM idempotency_v1 WHERE key = ? AND expires_at > ?',
        scopedKey,
        now,
      )
      .toArray();
    if (raw === undefined) return { state: 'miss' };
    const row = v.parse(IdempotencyRow, raw);
    if (row.body_hash !== bodyHash) return { state: 'mismatch' };
    return { state: 'replay', accepted: v.parse(Accepted, JSON.parse(row.response)) };
  }

  /** Stores a new submission (and its idempotency record, atomically). */
  create(
    sub: NewSubmission,
    idempotency: { scopedKey: string; bodyHash: string } | null,
    now: number,
  ): CreateOutcome {
    return this.ctx.storage.transactionSync((): CreateOutcome => {
      if (idempotency !== null) {
        const seen = this.lookupIdempotency(idempotency.scopedKey, idempotency.bodyHash, now);
        if (seen.state === 'mismatch') return { outcome: 'mismatch' };
        if (seen.state === 'replay') return { outcome: 'replayed', accepted: seen.accepted };
      }
      this.purge(now);
      this.sql.exec(
        `INSERT INTO submission_v1 (id, kind, status, created_at, updated_at, approved_at, expires_at, category, lang, token_hash, content)
         VALUES (?, ?, 'pending', ?, ?, NULL, ?, ?, ?, ?, ?)`,
        sub.id,
        sub.kind,
        now,
        now,
        sub.expires_at,
        sub.kind === 'ad' ? sub.content.category : sub.content.section,
        sub.content.lang,
        sub.token_hash,
        JSON.stringify(sub.content),
      );
      const accepted: Accepted = { id: sub.id, kind: sub.kind, expires_at: sub.expires_at };
      if (idempotency !== null) {
        this.sql.exec(
          'INSERT OR REPLACE INTO idempotency_v1 (key, body_hash, response, expires_at) VALUES (?, ?, ?, ?)',
          idempotency.scopedKey,
          idempotency.bodyHash,
          JSON.stringify(accepted),
          now + IDEMPOTENCY_TTL_MS,
        );
      }
      return { outcome: 'created', accepted };
    });
  }

  /** Drops idempotency records past their TTL and ads expired beyond the renewal grace. */
  private purge(now: number): void {
    this.sql.exec('DELETE FROM idempotency_v1 WHERE expires_at <= ?', now);
    this.sql.exec(
      'DELETE FROM report_v1 WHERE ad_id IN (SELECT id FROM submission_v1 WHERE expires_at <= ?)',
      now - PURGE_GRACE_MS,
    );
    // Approved reader news is never purged: the monthly archive is rebuilt from these rows.
    this.sql.exec(
      "DELETE FROM submission_v1 WHERE expires_at <= ? AND NOT (kind = 'news' AND status = 'approved')",
      now - PURGE_GRACE_MS,
    );
  }

  // ---- reading -------------------------------------------------------------------------

  get(id: string): SubmissionRecord | null {
    return readRecords(this.sql, `${SELECT} WHERE s.id = ?`, id)[0] ?? null;
  }

  /** One page of a keyset-paginated query; `more` counts bad rows too, so paging goes on past them. */
  private page(query: string, args: (string | number)[], limit: number): Page {
    const rows = this.sql.exec(`${query} LIMIT ?`, ...args, limit + 1).toArray();
    return {
      records: rows.slice(0, limit).flatMap((raw) => checkRow(raw)?.record ?? []),
      more: rows.length > limit,
    };
  }

  /** Approved, unexpired ads, newest approval first (keyset pagination). */
  publicAds(q: PublicAdsQuery, now: number): Page {
    const where = ["s.kind = 'ad'", "s.status = 'approved'", 's.expires_at > ?'];
    const args: (string | number)[] = [now];
    if (q.category !== undefined) {
      where.push('s.category = ?');
      args.push(q.category);
    }
    if (q.lang !== undefined) {
      where.push('s.lang = ?');
      args.push(q.lang);
    }
    if (q.since !== undefined) {
      where.push('s.approved_at >= ?');
      args.push(q.since);
    }
    if (q.price_min !== undefined) {
      where.push("json_extract(s.content, '$.price.amount') >= ?");
      args.push(q.price_min);
    }
    if (q.price_max !== undefined) {
      where.push("json_extract(s.content, '$.price.amount') <= ?");
      args.push(q.price_max);
    }
    if (q.after !== undefined) {
      where.push('(s.approved_at, s.id) < (?, ?)');
      args.push(...q.after);
    }
    return this.page(
      `${SELECT} WHERE ${where.join(' AND ')} ORDER BY s.approved_at DESC, s.id DESC`,
      args,
      q.limit,
    );
  }

  /**
   * Live ads matching words (and the filters), best match first, through the in-memory index
   * (core/submissions/ad-search.ts). Built from SQLite at the first search after the object
   * starts, then kept in step by `changed`; the page's rows are read from SQLite.
   */
  searchAds(q: AdSearchQuery, page: { offset: number; limit: number }, now: number): Page {
    const { ids, more } = this.adIndex(now).search(q, now, page);
    if (ids.length === 0) return { records: [], more: false };
    const byId = new Map(
      readRecords(
        this.sql,
        `${SELECT} WHERE s.id IN (${ids.map(() => '?').join(', ')})`,
        ...ids,
      ).map((r) => [r.id, r]),
    );
    return { records: ids.flatMap((id) => byId.get(id) ?? []), more };
  }

  private adIndex(now: number): AdIndex {
    this.ads ??= AdIndex.of(
      readRecords(
        this.sql,
        `${SELECT} WHERE s.kind = 'ad' AND s.status = 'approved' AND s.expires_at > ?`,
        now,
      ).flatMap((r) => (r.kind === 'ad' ? [r] : [])),
      now,
    );
    return this.ads;
  }

  /** The moderation queue: oldest first, so nothing waits forever behind new arrivals. */
  adminList(q: AdminListQuery): Page {
    const where = ['s.status = ?'];
    const args: (string | number)[] = [q.status];
    if (q.kind !== undefined) {
      where.push('s.kind = ?');
      args.push(q.kind);
    }
    if (q.after !== undefined) {
      where.push('(s.created_at, s.id) > (?, ?)');
      args.push(...q.after);
    }
    return this.page(
      `${SELECT} WHERE ${where.join(' AND ')} ORDER BY s.created_at, s.id`,
      args,
      q.limit,
    );
  }

  // ---- owner ---------------------------------------------------------------------------

  private owned(id: string, tokenHash: string): OwnerResult {
    const [raw] = this.sql.exec(`${SELECT} WHERE s.id = ?`, id).toArray();
    const found = raw === undefined ? null : checkRow(raw);
    if (found === null || found.record.kind !== 'ad' || found.row.token_hash === null)
      return { result: 'not_found' };
    if (!sameHexDigest(found.row.token_hash, tokenHash)) return { result: 'forbidden' };
    return { result: 'ok', record: found.record };
  }

  ownerGet(id: string, tokenHash: string): OwnerResult {
    return this.owned(id, tokenHash);
  }

  /**
   * Applies an owner's edit. An edited ad goes back to moderation (no bait-and-switch after
   * approval); an ad on hold stays on hold. Its expiry does not change.
   */
  async ownerUpdate(
    id: string,
    tokenHash: string,
    patch: AdPatch,
    now: number,
  ): Promise<OwnerResult> {
    const found = this.owned(id, tokenHash);
    if (found.result !== 'ok') return found;
    const content: StoredAd = { ...found.record.content };
    for (const [field, value] of Object.entries(patch))
      if (value !== undefined) Object.assign(content, { [field]: value });
    const status: Status = found.record.status === 'held' ? 'held' : 'pending';
    this.sql.exec(
      'UPDATE submission_v1 SET content = ?, category = ?, lang = ?, status = ?, updated_at = ? WHERE id = ?',
      JSON.stringify(content),
      content.category,
      content.lang,
      status,
      now,
      id,
    );
    await this.changed({ kind: 'ad', id }, now);
    return this.owned(id, tokenHash);
  }

  async ownerDelete(id: string, tokenHash: string, now: number): Promise<OwnerResult> {
    const found = this.owned(id, tokenHash);
    if (found.result !== 'ok') return found;
    this.ctx.storage.transactionSync(() => {
      this.sql.exec('DELETE FROM report_v1 WHERE ad_id = ?', id);
      this.sql.exec('DELETE FROM submission_v1 WHERE id = ?', id);
    });
    await this.changed({ kind: 'ad', id }, now);
    return found;
  }

  /** Extends the expiry to now + the ad's category period (never shortens it). */
  async ownerRenew(id: string, tokenHash: string, now: number): Promise<OwnerResult> {
    const found = this.owned(id, tokenHash);
    if (found.result !== 'ok') return found;
    this.sql.exec(
      'UPDATE submission_v1 SET expires_at = MAX(expires_at, ?), updated_at = ? WHERE id = ?',
      expiresAt(found.record.content.category, now),
      now,
      id,
    );
    await this.changed({ kind: 'ad', id }, now);
    return this.owned(id, tokenHash);
  }

  // ---- reports and moderation ------------------------------------------------------------

  /** Records one reporter's report (once per reporter); enough distinct ones hold the ad. */
  async report(
    id: string,
    reporter: string,
    input: ReportInput,
    now: number,
  ): Promise<ReportResult> {
    const record = this.get(id);
    if (record === null || record.kind !== 'ad' || !isLive(record, now))
      return { result: 'not_found' };
    this.sql.exec(
      'INSERT OR IGNORE INTO report_v1 (ad_id, reporter, reason, comment, created_at) VALUES (?, ?, ?, ?, ?)',
      id,
      reporter,
      input.reason,
      input.comment ?? null,
      now,
    );
    // A reporter whose report a moderator overruled keeps that row (INSERT OR IGNORE above
    // leaves it dismissed): only reporters the moderator has not heard yet count.
    const count = v.parse(
      v.number(),
      this.sql
        .exec('SELECT COUNT(*) AS n FROM report_v1 WHERE ad_id = ? AND dismissed_at IS NULL', id)
        .one().n,
    );
    if (count < REPORT_HOLD_THRESHOLD) return { result: 'ok', held: false };
    this.sql.exec("UPDATE submission_v1 SET status = 'held', updated_at = ? WHERE id = ?", now, id);
    await this.changed({ kind: 'ad', id }, now);
    return { result: 'ok', held: true };
  }

  /**
   * Approves or rejects. Approving a held ad restores it and dismisses its reports; the first
   * approval stamps `approved_at` (news: its publication time; ads: list order).
   */
  async moderate(
    id: string,
    action: 'approve' | 'reject',
    now: number,
  ): Promise<SubmissionRecord | null> {
    const record = this.get(id);
    if (record === null) return null;
    this.ctx.storage.transactionSync(() => {
      if (action === 'approve') {
        this.sql.exec(
          "UPDATE submission_v1 SET status = 'approved', approved_at = COALESCE(approved_at, ?), updated_at = ? WHERE id = ?",
          now,
          now,
          id,
        );
        // An ad runs its category's full period from approval (moderation time is not taken
        // out of it); reader news stays in the live list for its retention period after approval.
        const expiry =
          record.kind === 'ad' ? expiresAt(record.content.category, now) : newsExpiresAt(now);
        this.sql.exec(
          'UPDATE submission_v1 SET expires_at = MAX(expires_at, ?) WHERE id = ?',
          expiry,
          id,
        );
        // The approval overrules the reports so far: they stop counting, and their
        // reporters cannot count again by reporting once more.
        this.sql.exec(
          'UPDATE report_v1 SET dismissed_at = ? WHERE ad_id = ? AND dismissed_at IS NULL',
          now,
          id,
        );
      } else {
        this.sql.exec(
          "UPDATE submission_v1 SET status = 'rejected', updated_at = ? WHERE id = ?",
          now,
          id,
        );
      }
    });
    const after = this.get(id);
    await this.changed(projectionsOf(after ?? record), now);
    return after;
  }

  // ---- API keys of apps ----------------------------------------------------------------------

  /** Stores a new key by its SHA-256 (the key itself is shown once, by the caller). */
  issueApiKey(id: string, name: string, hash: string, now: number): ApiKeyRow {
    this.sql.exec(
      'INSERT INTO api_key_v1 (id, name, hash, created_at, revoked_at) VALUES (?, ?, ?, ?, NULL)',
      id,
      name,
      hash,
      now,
    );
    return { id, name, created_at: now, revoked_at: null };
  }

  listApiKeys(): ApiKeyRow[] {
    return v.parse(
      v.array(ApiKeyRow),
      this.sql
        .exec('SELECT id, name, created_at, revoked_at FROM api_key_v1 ORDER BY created_at, id')
        .toArray(),
    );
  }

  /** Revokes a key for good (its row stays, so the list shows when); null for an unknown id. */
  revokeApiKey(id: string, now: number): ApiKeyRow | null {
    this.sql.exec(
      'UPDATE api_key_v1 SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?',
      now,
      id,
    );
    return this.listApiKeys().find((k) => k.id === id) ?? null;
  }

  /** The id of the live (unrevoked) key with this SHA-256, or null. */
  apiKeyId(hash: string): string | null {
    const [row] = this.sql
      .exec('SELECT id FROM api_key_v1 WHERE hash = ? AND revoked_at IS NULL', hash)
      .toArray();
    return row === undefined ? null : v.parse(v.string(), row.id);
  }

  // ---- admin guessing ----------------------------------------------------------------------

  /**
   * Judges one admin attempt from a client (a keyed hash of its network). While the client
   * has ADMIN_GUESSES.limit failures inside the window, every attempt is refused, the right
   * token too, so a refusal says nothing about the token; only failures count. The Workers
   * rate limiter cannot do this: it cannot be asked "over the limit?" without counting.
   */
  adminAttempt(client: string, ok: boolean, now: number): AdminGate {
    const since = now - ADMIN_GUESSES.windowMs;
    this.sql.exec('DELETE FROM admin_failure_v1 WHERE at <= ?', since);
    const failures = v.parse(
      v.array(v.number()),
      this.sql
        .exec('SELECT at FROM admin_failure_v1 WHERE client = ? ORDER BY at', client)
        .toArray()
        .map((r) => r.at),
    );
    if (failures.length >= ADMIN_GUESSES.limit) {
      const oldest = failures[failures.length - ADMIN_GUESSES.limit] ?? now;
      return { result: 'locked', retry_after_ms: oldest + ADMIN_GUESSES.windowMs - now };
    }
    if (ok) return { result: 'ok' };
    this.sql.exec('INSERT INTO admin_failure_v1 (client, at) VALUES (?, ?)', client, now);
    return { result: 'denied', remaining: ADMIN_GUESSES.limit - failures.length - 1 };
  }

  // ---- KV projections ----------------------------------------------------------------------

  /**
   * After a committed change: the ad search index follows at once, and the projections it
   * touched are rewritten from SQLite, with the ads' change time after any ad's.
   */
  private changed(touched: Projection | Projection[], now: number): Promise<void> {
    const projections = [touched].flat();
    if (projections.some((p) => p.kind === 'ad')) projections.push({ kind: 'ads-changed' });
    if (this.ads !== null) {
      for (const p of projections) {
        if (p.kind !== 'ad') continue;
        const record = this.get(p.id);
        this.ads.sync(p.id, record?.kind === 'ad' ? record : null, now);
      }
    }
    return this.projections.update(projections, now);
  }

  /** Retries queued projection writes (projections.ts). */
  override async alarm(): Promise<void> {
    await this.projections.retryQueued();
  }
}
