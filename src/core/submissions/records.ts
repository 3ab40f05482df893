/**
 * A stored submission and the views cut from it: the public list item (no contact), the
 * public detail, the owner's and the moderator's view. Pure: the Durable Object builds
 * records, the routes shape answers with these functions.
 */
import { summarize } from '../content/text.ts';
import type { AdDetail, AdListItem, AdminItem, OwnerView, Status } from './schemas.ts';
import type { StoredAd, StoredNews } from './stored.ts';

interface Base {
  id: string;
  status: Status;
  created_at: number;
  updated_at: number;
  approved_at: number | null;
  expires_at: number;
  /** Distinct reporters so far. */
  reports: number;
}
export type AdRecord = Base & { kind: 'ad'; content: StoredAd };
export type NewsRecord = Base & { kind: 'news'; content: StoredNews };
export type SubmissionRecord = AdRecord | NewsRecord;

/** Distinct reporters that put an approved ad on hold until a moderator looks at it. */
export const REPORT_HOLD_THRESHOLD = 3;

const iso = (ms: number) => new Date(ms).toISOString();

export function isLive(record: Base, now: number): boolean {
  return record.status === 'approved' && record.expires_at > now;
}

export function adListItem(r: AdRecord): AdListItem {
  const c = r.content;
  return {
    id: r.id,
    title: c.title,
    excerpt: summarize(c.text),
    category: c.category,
    price: c.price ?? null,
    location: c.location,
    lang: c.lang,
    image: c.images[0] ?? null,
    published: iso(r.approved_at ?? r.created_at),
    expires_at: iso(r.expires_at),
  };
}

export function adDetail(r: AdRecord): AdDetail {
  const c = r.content;
  return {
    id: r.id,
    title: c.title,
    text: c.text,
    category: c.category,
    price: c.price ?? null,
    contact: {
      name: c.contact.name,
      email: c.contact.email ?? null,
      phone: c.contact.phone ?? null,
    },
    location: c.location,
    lang: c.lang,
    images: c.images,
    published: iso(r.approved_at ?? r.created_at),
    expires_at: iso(r.expires_at),
  };
}

export function ownerView(r: AdRecord): OwnerView {
  return { id: r.id, status: r.status, expires_at: iso(r.expires_at), ad: { ...r.content } };
}

export function adminItem(r: SubmissionRecord): AdminItem {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
    approved_at: r.approved_at === null ? null : iso(r.approved_at),
    expires_at: iso(r.expires_at),
    reports: r.reports,
    content: { ...r.content },
  };
}
