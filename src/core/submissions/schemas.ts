/**
 * valibot schemas of everything a submitter, an owner, a reporter or a moderator sends,
 * and of what the API answers. Pure: the Worker validates with them, the OpenAPI document
 * is generated from them, and Node property tests exercise them directly.
 */
import * as v from 'valibot';
import { limitParam } from '../lib/params.ts';
import { CATEGORIES } from './categories.ts';
import { ISO_4217 } from './currencies.ts';
import { LangTag, plainText, Slug, urlWith } from './text.ts';

export const LIMITS = {
  adTitle: [3, 120],
  adText: [10, 5000],
  location: [2, 120],
  contactName: [1, 80],
  images: 5,
  newsTitle: [10, 200],
  newsText: [50, 20_000],
  source: [2, 80],
  reportComment: 500,
  /** Request bodies above this are refused with 413 before parsing. */
  bodyBytes: 32 * 1024,
} as const;

const Price = v.object({
  amount: v.pipe(
    v.number('must be a number'),
    v.finite('must be a finite number'),
    v.minValue(0, 'must not be negative'),
    v.maxValue(1e12, 'must be at most 1e12'),
    v.check(
      (n) => Math.abs(Math.round(n * 100) - n * 100) < 1e-6,
      'must have at most two decimals',
    ),
  ),
  currency: v.pipe(
    v.string('must be a string'),
    v.check((s) => ISO_4217.has(s), 'must be an ISO 4217 currency code such as "EUR"'),
  ),
});

// Digits with optional leading +, spaces, dots, hyphens and parentheses (E.164 allows 15
// digits; national formats add a few separators).
const PHONE = /^\+?[0-9][0-9 ().-]{4,22}[0-9]$/;

const Contact = v.pipe(
  v.object({
    name: plainText(...LIMITS.contactName),
    email: v.optional(
      v.pipe(
        v.string('must be a string'),
        v.trim(),
        v.maxLength(254, 'must be at most 254 characters'),
        v.email('must be an email address'),
      ),
    ),
    phone: v.optional(
      v.pipe(
        v.string('must be a string'),
        v.trim(),
        v.regex(PHONE, 'must be a phone number such as "+7 495 123-45-67"'),
        v.check(
          (s) => s.replace(/\D/g, '').length >= 6 && s.replace(/\D/g, '').length <= 15,
          'must have 6 to 15 digits',
        ),
      ),
    ),
  }),
  v.check(
    (c) => c.email !== undefined || c.phone !== undefined,
    'must have an email or a phone (or both)',
  ),
);

/** The content of an ad: what the owner may later change. */
const adContent = {
  title: plainText(...LIMITS.adTitle),
  text: plainText(...LIMITS.adText, true),
  category: v.picklist(CATEGORIES, `must be one of: ${CATEGORIES.join(', ')}`),
  price: v.optional(v.nullable(Price)),
  contact: Contact,
  location: plainText(...LIMITS.location),
  lang: LangTag,
  images: v.optional(
    v.pipe(
      v.array(urlWith(['https:']), 'must be an array'),
      v.maxLength(LIMITS.images, `must have at most ${LIMITS.images} images`),
    ),
    [],
  ),
};

/**
 * Anti-abuse fields every public submission carries (see docs/submissions.md):
 * `website` is a honeypot that people never see and must stay empty; `form_token` comes
 * from GET /v1/form-token and proves the form was open long enough; `turnstile_token` is
 * checked only when a Turnstile secret is configured.
 */
const abuseFields = {
  website: v.optional(v.string('must be a string'), ''),
  // Required of browsers; an app sending its API key needs none (storage/submissions/submit.ts).
  form_token: v.optional(
    v.pipe(
      v.string('must be a string'),
      v.minLength(1, 'is required (GET /v1/form-token)'),
      v.maxLength(200, 'is not a form token'),
    ),
  ),
  turnstile_token: v.optional(
    v.pipe(v.string('must be a string'), v.maxLength(2048, 'is too long')),
  ),
};

export const AdContent = v.object(adContent);
export type AdContent = v.InferOutput<typeof AdContent>;

export const AdInput = v.object({ ...adContent, ...abuseFields });
export type AdInput = v.InferOutput<typeof AdInput>;

export const AdPatch = v.pipe(
  v.partial(v.object(adContent)),
  v.check((p) => Object.values(p).some((x) => x !== undefined), 'must change at least one field'),
);
export type AdPatch = v.InferOutput<typeof AdPatch>;

const newsContent = {
  title: plainText(...LIMITS.newsTitle),
  text: plainText(...LIMITS.newsText, true),
  url: v.optional(v.nullable(urlWith(['https:', 'http:'])), null),
  section: Slug,
  lang: LangTag,
  source: v.optional(plainText(...LIMITS.source), 'Reader'),
};
export const NewsContent = v.object(newsContent);
export type NewsContent = v.InferOutput<typeof NewsContent>;

export const NewsInput = v.object({ ...newsContent, ...abuseFields });
export type NewsInput = v.InferOutput<typeof NewsInput>;

export const REPORT_REASONS = [
  'spam',
  'scam',
  'offensive',
  'illegal',
  'wrong_category',
  'duplicate',
  'other',
] as const;
export const ReportInput = v.object({
  reason: v.picklist(REPORT_REASONS, `must be one of: ${REPORT_REASONS.join(', ')}`),
  comment: v.optional(plainText(0, LIMITS.reportComment, true)),
});
export type ReportInput = v.InferOutput<typeof ReportInput>;

// ---- identifiers and queries -------------------------------------------------------

/** Submission ids: 20 characters of lowercase base32 (100 random bits). */
export const SUBMISSION_ID = /^[a-z2-7]{20}$/;
export const IdParam = v.object({
  id: v.pipe(v.string(), v.regex(SUBMISSION_ID, 'must be a submission id')),
});

const isoDateTime = v.pipe(
  v.string(),
  v.check(
    (s) =>
      /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(s) && !Number.isNaN(Date.parse(s)),
    'must be an ISO 8601 date-time',
  ),
  v.transform((s) => Date.parse(s)),
);

/** A price bound in a query: a non-negative amount with at most two decimals. */
const priceParam = v.optional(
  v.pipe(
    v.string(),
    v.regex(/^\d{1,12}(\.\d{1,2})?$/, 'must be an amount such as 2500 or 19.99'),
    // What the pattern allows, for the OpenAPI document (built from the input side).
    v.metadata({ type: 'number', minimum: 0 }),
    v.transform(Number),
  ),
);

/** Words to search for: 1 to 200 characters (a search box, not a document). */
const searchText = (max: number) =>
  v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.minLength(1, 'must not be empty'),
      v.maxLength(max, `must be at most ${max} characters`),
    ),
  );

export const AdsQuery = v.object({
  q: searchText(200),
  location: searchText(LIMITS.location[1]),
  price_min: priceParam,
  price_max: priceParam,
  category: v.optional(v.picklist(CATEGORIES, `must be one of: ${CATEGORIES.join(', ')}`)),
  lang: v.optional(LangTag),
  since: v.optional(isoDateTime),
  limit: limitParam(50, 20),
  cursor: v.optional(v.pipe(v.string(), v.maxLength(200, 'is not a cursor'))),
});
export type AdsQuery = v.InferOutput<typeof AdsQuery>;

export const STATUSES = ['pending', 'approved', 'rejected', 'held'] as const;
export type Status = (typeof STATUSES)[number];
export const KINDS = ['ad', 'news'] as const;
export type Kind = (typeof KINDS)[number];

export const AdminQuery = v.object({
  status: v.optional(v.picklist(STATUSES, `must be one of: ${STATUSES.join(', ')}`), 'pending'),
  kind: v.optional(v.picklist(KINDS, `must be one of: ${KINDS.join(', ')}`)),
  limit: limitParam(100, 50),
  cursor: v.optional(v.pipe(v.string(), v.maxLength(200, 'is not a cursor'))),
});
export type AdminQuery = v.InferOutput<typeof AdminQuery>;

export const ModerationAction = v.object({
  id: IdParam.entries.id,
  action: v.picklist(['approve', 'reject'], 'must be approve or reject'),
});

/** What the admin names an app's API key by. */
export const ApiKeyInput = v.object({ name: plainText(1, 80) });

// ---- responses (OpenAPI and test types) ---------------------------------------------

export const ApiKeyInfo = v.object({
  id: v.string(),
  name: v.string(),
  created_at: v.string(),
  revoked_at: v.nullable(v.string()),
});
export type ApiKeyInfo = v.InferOutput<typeof ApiKeyInfo>;
/** The answer to issuing a key: the only time the key itself is shown. */
export const ApiKeyIssued = v.object({ ...ApiKeyInfo.entries, key: v.string() });
export type ApiKeyIssued = v.InferOutput<typeof ApiKeyIssued>;
export const ApiKeyList = v.object({ items: v.array(ApiKeyInfo) });

const PriceOut = v.nullable(v.object({ amount: v.number(), currency: v.string() }));

export const AdCreated = v.object({
  id: v.string(),
  status: v.literal('pending'),
  expires_at: v.string(),
  manage_token: v.string(),
});
export type AdCreated = v.InferOutput<typeof AdCreated>;

export const NewsCreated = v.object({ id: v.string(), status: v.literal('pending') });
export type NewsCreated = v.InferOutput<typeof NewsCreated>;

/** An ad in a public list: never the contact details. */
export const AdListItem = v.object({
  id: v.string(),
  title: v.string(),
  excerpt: v.string(),
  category: v.string(),
  price: PriceOut,
  location: v.string(),
  lang: v.string(),
  image: v.nullable(v.string()),
  published: v.string(),
  expires_at: v.string(),
});
export type AdListItem = v.InferOutput<typeof AdListItem>;

export const AdList = v.object({ items: v.array(AdListItem), next_cursor: v.nullable(v.string()) });
export type AdList = v.InferOutput<typeof AdList>;

export const AdDetail = v.object({
  id: v.string(),
  title: v.string(),
  text: v.string(),
  category: v.string(),
  price: PriceOut,
  contact: v.object({
    name: v.string(),
    email: v.nullable(v.string()),
    phone: v.nullable(v.string()),
  }),
  location: v.string(),
  lang: v.string(),
  images: v.array(v.string()),
  published: v.string(),
  expires_at: v.string(),
});
export type AdDetail = v.InferOutput<typeof AdDetail>;

/** What the owner sees after PATCH or renew: the ad as stored, with its status. */
export const OwnerView = v.object({
  id: v.string(),
  status: v.picklist(STATUSES),
  expires_at: v.string(),
  ad: v.record(v.string(), v.unknown()),
});
export type OwnerView = v.InferOutput<typeof OwnerView>;

export const AdminItem = v.object({
  id: v.string(),
  kind: v.picklist(KINDS),
  status: v.picklist(STATUSES),
  created_at: v.string(),
  updated_at: v.string(),
  approved_at: v.nullable(v.string()),
  expires_at: v.string(),
  reports: v.number(),
  content: v.record(v.string(), v.unknown()),
});
export type AdminItem = v.InferOutput<typeof AdminItem>;

export const AdminList = v.object({
  items: v.array(AdminItem),
  next_cursor: v.nullable(v.string()),
});
export type AdminList = v.InferOutput<typeof AdminList>;
