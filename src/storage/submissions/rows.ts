/**
 * Reading `submission_v1` rows back as records. Every row is checked against the storage
 * schemas of core/submissions/stored.ts (structure only, no input transforms), and a row
 * that does not match is logged and left out: one bad row never fails a page, and the
 * rest of the queue stays reachable for the moderator.
 */
import * as v from 'valibot';
import type { SubmissionRecord } from '../../core/submissions/records.ts';
import { KINDS, STATUSES } from '../../core/submissions/schemas.ts';
import { StoredAd, StoredNews } from '../../core/submissions/stored.ts';

export const SELECT = `SELECT s.id, s.kind, s.status, s.created_at, s.updated_at, s.approved_at, s.expires_at, s.token_hash, s.content,
  (SELECT COUNT(*) FROM report_v1 r WHERE r.ad_id = s.id AND r.dismissed_at IS NULL) AS reports FROM submission_v1 s`;

const Row = v.object({
  id: v.string(),
  kind: v.picklist(KINDS),
  status: v.picklist(STATUSES),
  created_at: v.number(),
  updated_at: v.number(),
  approved_at: v.nullable(v.number()),
  expires_at: v.number(),
  token_hash: v.nullable(v.string()),
  content: v.string(),
  reports: v.number(),
});
export type Row = v.InferOutput<typeof Row>;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The content checked against the storage schema of its kind. */
const Content = v.variant('kind', [
  v.object({ kind: v.literal('ad'), content: StoredAd }),
  v.object({ kind: v.literal('news'), content: StoredNews }),
]);

/** A checked row, or null (logged with its id) when it is not a valid stored submission. */
export function checkRow(raw: unknown): { row: Row; record: SubmissionRecord } | null {
  const row = v.safeParse(Row, raw);
  if (!row.success) {
    console.error('submissions: unreadable row', v.summarize(row.issues));
    return null;
  }
  const { content: text, token_hash: _t, kind, ...base } = row.output;
  const content = v.safeParse(Content, { kind, content: parseJson(text) });
  if (!content.success) {
    console.error('submissions: unreadable content', base.id, v.summarize(content.issues));
    return null;
  }
  return { row: row.output, record: { ...base, ...content.output } };
}

/** Records of the rows a query returns, bad rows left out. */
export function readRecords(
  sql: SqlStorage,
  query: string,
  ...args: (string | number)[]
): SubmissionRecord[] {
  return sql
    .exec(query, ...args)
    .toArray()
    .flatMap((raw) => checkRow(raw)?.record ?? []);
}
