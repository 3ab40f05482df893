/**
 * Classified ads: submit, list, read, edit/delete/renew by the owner, report. The guards
 * every submission route shares are in ./submission-guards.ts.
 */
import { nextLinkDoc, setNextLink } from '../http/link.ts';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { ExtractSchema } from 'hono/types';
import { etag } from 'hono/etag';
import { describeRoute, jsonInput } from '../http/openapi.ts';
import * as v from 'valibot';
import type { AppEnv } from '../env.ts';
import { reporterNetwork } from '../core/submissions/client.ts';
import { decodeCursor, encodeCursor, type Position } from '../core/submissions/cursor.ts';
import {
  adDetail,
  adListItem,
  type AdRecord,
  isLive,
  ownerView,
  type SubmissionRecord,
} from '../core/submissions/records.ts';
import {
  AdCreated,
  AdDetail,
  AdInput,
  AdList,
  AdPatch,
  AdsQuery,
  IdParam,
  OwnerView,
  ReportInput,
} from '../core/submissions/schemas.ts';
import { FORM_TOKEN, hex, hmac, issueFormToken, sha256Hex } from '../core/submissions/tokens.ts';
import { cacheMaxAge, queryParams } from '../http/cache.ts';
import { ApiError, invalidCursor, problemDoc } from '../http/problem.ts';
import { validate } from '../http/validate.ts';
import { readAdDetail, submissionsStore } from '../storage/submissions.ts';
import type { OwnerResult } from '../storage/submissions/store.ts';
import { submit } from '../storage/submissions/submit.ts';
import { SUBMIT_POLICY } from '../storage/submissions/limits.ts';
import {
  announcePolicy,
  bodyErrors,
  apiKeyErrors,
  answerSubmission,
  clientIp,
  IDEMPOTENCY_PARAMETER,
  json,
  jsonBody,
  rateLimit,
  readJson,
  requireSecrets,
  submitClient,
  submitErrors,
  submitPolicy,
} from './submission-guards.ts';

type Ctx = Context<AppEnv>;

/** The scheme is case-insensitive (RFC 9110 §11.1). */
const MANAGE_BEARER = /^Bearer\s+([A-Za-z0-9_-]{20,100})\s*$/i;

/** 401 before anything else (body validation included) when no manage token is sent. */
const requireManageToken: MiddlewareHandler<AppEnv> = async function requireManageToken(c, next) {
  if (!MANAGE_BEARER.test(c.req.header('authorization') ?? '')) {
    throw new ApiError(
      'unauthorized',
      'Send the manage token as "Authorization: Bearer <manage_token>".',
      {
        headers: { 'WWW-Authenticate': 'Bearer realm="ads"' },
      },
    );
  }
  await next();
};

/** The owner's manage token (checked present by `requireManageToken`), as its SHA-256 hex digest. */
const ownerTokenHash = (c: Ctx) =>
  sha256Hex(MANAGE_BEARER.exec(c.req.header('authorization') ?? '')?.[1] ?? '');

/** The owner's ad, or the 404 / 403 the store's answer means. */
function ownedAd(outcome: OwnerResult): AdRecord {
  if (outcome.result === 'not_found') throw new ApiError('not_found', 'No such ad.');
  if (outcome.result === 'forbidden')
    throw new ApiError('forbidden', 'The manage token does not match this ad.');
  return outcome.record;
}

const noStore = (c: Ctx) => c.header('Cache-Control', 'no-store');

// ---- routes ----------------------------------------------------------------------------

export const adsRoutes = new Hono<AppEnv>();
// Conditional GET for the live listings: an ETag from the body, 304 on If-None-Match.
adsRoutes.use(etag());

const _getFormToken = adsRoutes.get(
  '/v1/form-token',
  describeRoute({
    tags: ['submissions'],
    summary: 'A signed form token; submissions must carry one at least a few seconds old',
    responses: {
      200: {
        description: 'Token',
        content: json(
          v.object({
            form_token: v.string(),
            min_fill_seconds: v.number(),
            expires_at: v.string(),
          }),
        ),
      },
    },
  }),
  async (c) => {
    const now = Date.now();
    noStore(c);
    return c.json({
      form_token: await issueFormToken((await requireSecrets(c.env)).form, now),
      min_fill_seconds: FORM_TOKEN.minFillMs / 1000,
      expires_at: new Date(now + FORM_TOKEN.maxAgeMs).toISOString(),
    });
  },
);

const _postAds = adsRoutes.post(
  '/v1/ads',
  describeRoute({
    tags: ['submissions'],
    summary: 'Submit an ad; it waits for moderation',
    description:
      "`expires_at` is provisional: approval moves it to at least the approval time plus the category's period.",
    parameters: [IDEMPOTENCY_PARAMETER],
    requestBody: { required: true, content: json(AdInput) },
    responses: {
      201: { description: 'Stored, pending moderation', content: json(AdCreated) },
      ...submitErrors,
      ...apiKeyErrors,
    },
  }),
  announcePolicy(submitPolicy),
  jsonBody,
  jsonInput(AdInput),
  async (c) =>
    answerSubmission(c, await submit(c.env, 'ad', await readJson(c), submitClient(c)), 'ad'),
);

/**
 * A page of approved, unexpired ads: the one listing of the API's `/v1/ads` and the ads
 * pages. With `q` or `location`, best match first from the ads index, paged by position
 * ([offset, last id]); otherwise the newest approvals from SQLite, paged by key
 * ([approved_at, id]). Category, language, age and price bound both.
 */
export async function listAds(env: Env, q: AdsQuery): Promise<AdList> {
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
  if (after === null)
    throw invalidCursor('The cursor is not valid.', 'is not a cursor from this list');
  if (q.price_min !== undefined && q.price_max !== undefined && q.price_min > q.price_max) {
    throw new ApiError(
      'invalid_query',
      'The request query is invalid: price_max: is below price_min',
      {
        errors: [{ field: 'price_max', message: 'must not be below price_min' }],
      },
    );
  }
  const store = submissionsStore(env.SUBMISSIONS);
  const now = Date.now();
  const searching = q.q !== undefined || q.location !== undefined;
  const offset = after?.[0] ?? 0;
  const page = searching
    ? await store.searchAds(q, { offset, limit: q.limit }, now)
    : await store.publicAds({ ...q, after }, now);
  const items = page.records.flatMap((r) => (r.kind === 'ad' ? [adListItem(r)] : []));
  const last = page.records.at(-1);
  const position = (r: SubmissionRecord): Position =>
    searching ? [offset + q.limit, r.id] : [r.approved_at ?? r.created_at, r.id];
  return { items, next_cursor: page.more && last ? encodeCursor(position(last)) : null };
}

/** One live ad with its contact details; 404 when it is not approved or has expired. */
export async function loadAd(env: Env, id: string): Promise<AdDetail> {
  const now = Date.now();
  // The KV projection first (cheap, global); the store on a miss, since KV may not yet
  // show an ad approved seconds ago in this location.
  let detail = await readAdDetail(env.NEWS, id);
  if (detail === null) {
    const record = await submissionsStore(env.SUBMISSIONS).get(id);
    if (record?.kind === 'ad' && isLive(record, now)) detail = adDetail(record);
  }
  if (detail === null || Date.parse(detail.expires_at) <= now)
    throw new ApiError('not_found', 'No such ad, or it has expired.');
  return detail;
}

const _getAds = adsRoutes.get(
  '/v1/ads',
  describeRoute({
    tags: ['submissions'],
    summary:
      'Approved, unexpired ads (no contact details): newest first, or best match first with q or location',
    description:
      '`q` searches title, text and location with the analysis of article search (stems, a prefix for the last word, typos); `location` searches the location only; `price_min` and `price_max` bound the amount (ads without a price are left out).',
    responses: {
      200: { description: 'A page of ads', content: json(AdList), headers: nextLinkDoc },
      400: problemDoc('Bad query or cursor'),
    },
  }),
  validate('query', AdsQuery),
  async (c) => {
    const list = await listAds(c.env, c.req.valid('query'));
    c.header('Cache-Control', `public, max-age=${cacheMaxAge(c.env)}`);
    setNextLink(c, list.next_cursor, queryParams(AdsQuery));
    return c.json(list);
  },
);

const _getAdsId = adsRoutes.get(
  '/v1/ads/:id',
  describeRoute({
    tags: ['submissions'],
    summary: 'One approved, unexpired ad, with contact details',
    responses: {
      200: { description: 'The ad', content: json(AdDetail) },
      404: problemDoc('No such live ad'),
    },
  }),
  validate('param', IdParam),
  async (c) => {
    const detail = await loadAd(c.env, c.req.valid('param').id);
    c.header('Cache-Control', `public, max-age=${cacheMaxAge(c.env)}`);
    return c.json(detail);
  },
);

const ownerResponses = {
  200: { description: 'The ad as stored, with its status', content: json(OwnerView) },
  401: problemDoc('No manage token'),
  403: problemDoc('Wrong manage token'),
  404: problemDoc('No such ad'),
};

const _getAdsIdManage = adsRoutes.get(
  '/v1/ads/:id/manage',
  describeRoute({
    tags: ['submissions'],
    summary: "The owner's view: status, expiry and content",
    responses: ownerResponses,
  }),
  validate('param', IdParam),
  requireManageToken,
  async (c) => {
    const { id } = c.req.valid('param');
    const ad = ownedAd(
      await submissionsStore(c.env.SUBMISSIONS).ownerGet(id, await ownerTokenHash(c)),
    );
    noStore(c);
    return c.json(ownerView(ad));
  },
);

const _patchAdsId = adsRoutes.patch(
  '/v1/ads/:id',
  describeRoute({
    tags: ['submissions'],
    summary: 'Edit an ad (owner); it goes back to moderation',
    // No rate limit: the manage token is the gate.
    responses: { ...ownerResponses, ...bodyErrors },
  }),
  validate('param', IdParam),
  requireManageToken,
  jsonBody,
  validate('json', AdPatch),
  async (c) => {
    const { id } = c.req.valid('param');
    const hash = await ownerTokenHash(c);
    const ad = ownedAd(
      await submissionsStore(c.env.SUBMISSIONS).ownerUpdate(
        id,
        hash,
        c.req.valid('json'),
        Date.now(),
      ),
    );
    noStore(c);
    return c.json(ownerView(ad));
  },
);

const _deleteAdsId = adsRoutes.delete(
  '/v1/ads/:id',
  describeRoute({
    tags: ['submissions'],
    summary: 'Delete an ad (owner)',
    responses: { 204: { description: 'Deleted' }, ...ownerResponses },
  }),
  validate('param', IdParam),
  requireManageToken,
  async (c) => {
    const { id } = c.req.valid('param');
    ownedAd(
      await submissionsStore(c.env.SUBMISSIONS).ownerDelete(
        id,
        await ownerTokenHash(c),
        Date.now(),
      ),
    );
    return c.body(null, 204);
  },
);

const _postAdsIdRenew = adsRoutes.post(
  '/v1/ads/:id/renew',
  describeRoute({
    tags: ['submissions'],
    summary: "Extend an ad's expiry by its category's period from now (owner)",
    responses: ownerResponses,
  }),
  validate('param', IdParam),
  requireManageToken,
  async (c) => {
    const { id } = c.req.valid('param');
    const ad = ownedAd(
      await submissionsStore(c.env.SUBMISSIONS).ownerRenew(id, await ownerTokenHash(c), Date.now()),
    );
    noStore(c);
    return c.json(ownerView(ad));
  },
);

const _postAdsIdReports = adsRoutes.post(
  '/v1/ads/:id/reports',
  describeRoute({
    tags: ['submissions'],
    summary: 'Report an ad; enough distinct reporters put it on hold for a moderator',
    responses: {
      202: {
        description: 'Report received',
        content: json(v.object({ status: v.literal('received') })),
      },
      404: problemDoc('No such live ad'),
      ...submitErrors,
    },
  }),
  announcePolicy(() => SUBMIT_POLICY),
  rateLimit('report'),
  validate('param', IdParam),
  jsonBody,
  validate('json', ReportInput),
  async (c) => {
    const { id } = c.req.valid('param');
    // Reporters are told apart by a keyed hash of their network (IPv4 /24, IPv6 /48);
    // the address is not stored.
    const reporter = hex(
      await hmac((await requireSecrets(c.env)).reporter, reporterNetwork(clientIp(c))),
    );
    const outcome = await submissionsStore(c.env.SUBMISSIONS).report(
      id,
      reporter,
      c.req.valid('json'),
      Date.now(),
    );
    if (outcome.result === 'not_found')
      throw new ApiError('not_found', 'No such ad, or it has expired.');
    return c.json({ status: 'received' as const }, 202);
  },
);

/**
 * The routes above as one type, for the typed client (src/client.ts): each statement added
 * one route to `adsRoutes` (its value, named `_…`, is kept for its type only), and `.route()`
 * in src/routes/api.ts carries this type as a chain would have.
 */
export type AdsSchema = ExtractSchema<
  | typeof _getFormToken
  | typeof _postAds
  | typeof _getAds
  | typeof _getAdsId
  | typeof _getAdsIdManage
  | typeof _patchAdsId
  | typeof _deleteAdsId
  | typeof _postAdsIdRenew
  | typeof _postAdsIdReports
>;
