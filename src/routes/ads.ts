/**
 * Classified ads: submit, list, read, edit/delete/renew by the owner, report. Also the
 * guards every public submission route shares (body limit, content type, rate limit,
 * honeypot, fill time, Turnstile, Idempotency-Key), exported for routes/news.ts.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { describeRoute, resolver } from 'hono-openapi';
import * as v from 'valibot';
import type { AppEnv } from '../app.ts';
import { adKey } from '../core/keys.ts';
import { expiresAt } from '../core/submissions/categories.ts';
import { clientNetwork } from '../core/submissions/client.ts';
import { decodeCursor, encodeCursor } from '../core/submissions/cursor.ts';
import { adDetail, adListItem, isLive, ownerView } from '../core/submissions/records.ts';
import { AdCreated, AdDetail, AdInput, AdList, AdPatch, AdsQuery, IdParam, LIMITS, OwnerView, ReportInput } from '../core/submissions/schemas.ts';
import {
  canonicalJson, checkFormToken, deriveSecret, derivedManageToken, FORM_TOKEN, hex, hmac, issueFormToken, newId, newManageToken, sha256Hex,
} from '../core/submissions/tokens.ts';
import { ApiError } from '../http/problem.ts';
import { validate } from '../http/validate.ts';
import { submissionsStore } from '../storage/submissions.ts';

type Ctx = Context<AppEnv>;

// ---- shared guards -------------------------------------------------------------------

const json = (schema: v.GenericSchema) => ({ 'application/json': { schema: resolver(schema) } });
const problem = (description: string) => ({ description, content: { 'application/problem+json': {} } });
export const submitErrors = {
  400: problem('Malformed JSON, or a field is invalid (each one named in `errors`)'),
  413: problem(`Body over ${LIMITS.bodyBytes} bytes`),
  415: problem('Content-Type is not application/json'),
  422: problem('Idempotency-Key reused with another body, or the submission was refused'),
  429: problem('Too many submissions from this client; see Retry-After'),
};

export const IDEMPOTENCY_PARAMETER = {
  name: 'Idempotency-Key',
  in: 'header' as const,
  required: false,
  description: 'Same key and body within 24 h: the same answer and one submission; same key, other body: 422',
  schema: { type: 'string' as const, minLength: 1, maxLength: 255 },
};

/** The client as Cloudflare sees it (set by the edge, not spoofable by the client there). */
export const clientIp = (c: Ctx) => c.req.header('cf-connecting-ip') ?? 'unknown';

/** Per-client limit (an IPv4 address or an IPv6 /64) through the Workers rate-limiting binding (5 per 60 s, wrangler.toml). */
export function rateLimit(scope: string): MiddlewareHandler<AppEnv> {
  return async function limitClient(c, next) {
    const { success } = await c.env.SUBMIT_LIMITER.limit({ key: `${scope}:${clientNetwork(clientIp(c))}` });
    if (!success) {
      // The binding does not say when the window reopens; its period (60 s) is the bound.
      throw new ApiError('rate_limited', 'Too many submissions from this client. Please wait a minute and try again.', {
        headers: { 'Retry-After': '60' },
      });
    }
    await next();
  };
}

/** 415 for anything but JSON, 413 above the body limit; malformed JSON is the validator's 400. */
export const jsonBody: MiddlewareHandler<AppEnv> = async function jsonBody(c, next) {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/(?:[a-z0-9.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
    throw new ApiError('unsupported_media_type', `Content-Type must be application/json, not ${JSON.stringify(type || '(none)')}.`);
  }
  return bodyLimit({
    maxSize: LIMITS.bodyBytes,
    onError: () => {
      throw new ApiError('payload_too_large', `The request body is larger than ${LIMITS.bodyBytes} bytes.`);
    },
  })(c, next);
};

/** Secrets derived from ADMIN_TOKEN, once per isolate and token value. */
let derived: { root: string; secrets: Promise<{ form: string; manage: string; reporter: string }> } | undefined;
export function secretsOf(env: Env) {
  const root = env.ADMIN_TOKEN;
  if (!root) throw new ApiError('unavailable', 'Submissions are not configured on this server.');
  if (derived?.root !== root) {
    derived = {
      root,
      secrets: Promise.all([deriveSecret(root, 'form'), deriveSecret(root, 'manage'), deriveSecret(root, 'reporter')]).then(
        ([form, manage, reporter]) => ({ form, manage, reporter }),
      ),
    };
  }
  return derived.secrets;
}

/** `Idempotency-Key` (draft-ietf-httpapi-idempotency-key-header): 1-255 visible ASCII characters. */
export function idempotencyKey(c: Ctx): string | null {
  const key = c.req.header('idempotency-key');
  if (key === undefined) return null;
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new ApiError('bad_request', 'Idempotency-Key must be 1 to 255 visible ASCII characters.', {
      errors: [{ field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' }],
    });
  }
  return key;
}

const TURNSTILE_VERIFY = 'https://challenges.cloudflare.com/turnstile/v0/siteverify';

/**
 * The anti-abuse checks, after validation. Honeypot and form-token failures get one polite
 * answer that does not say which check failed (docs/submissions.md); the reason is logged.
 */
export async function checkAbuse(
  c: Ctx,
  input: { website: string; form_token: string; turnstile_token?: string | undefined },
  now: number,
): Promise<void> {
  const secrets = await secretsOf(c.env);
  const form = await checkFormToken(secrets.form, input.form_token, now);
  const reason = input.website.trim() !== '' ? 'honeypot' : form !== 'ok' ? `form token ${form}` : null;
  if (reason !== null) {
    console.warn('submission refused:', reason);
    throw new ApiError(
      'submission_rejected',
      'We could not accept this submission. Please reload the form, take a moment to check it, and send it again.',
    );
  }
  const secret = c.env.TURNSTILE_SECRET;
  if (!secret) return;
  if (!input.turnstile_token) {
    throw new ApiError('verification_failed', 'Please complete the human verification and send the form again.', {
      errors: [{ field: 'turnstile_token', message: 'is required' }],
    });
  }
  let outcome: { success?: unknown };
  try {
    const res = await fetch(TURNSTILE_VERIFY, {
      method: 'POST',
      body: new URLSearchParams({ secret, response: input.turnstile_token, remoteip: clientIp(c) }),
    });
    if (!res.ok) throw new Error(`siteverify answered ${res.status}`);
    outcome = await res.json();
  } catch (error) {
    console.error('turnstile verification unavailable', error);
    throw new ApiError('unavailable', 'Human verification is unavailable right now. Please try again shortly.', {
      headers: { 'Retry-After': '30' },
    });
  }
  if (outcome.success !== true) {
    throw new ApiError('verification_failed', 'Human verification failed. Please complete it again.', {
      errors: [{ field: 'turnstile_token', message: 'was not accepted' }],
    });
  }
}

const MANAGE_BEARER = /^Bearer\s+([A-Za-z0-9_-]{20,100})\s*$/;

/** 401 before anything else (body validation included) when no manage token is sent. */
const requireManageToken: MiddlewareHandler<AppEnv> = async function requireManageToken(c, next) {
  if (!MANAGE_BEARER.test(c.req.header('authorization') ?? '')) {
    throw new ApiError('unauthorized', 'Send the manage token as "Authorization: Bearer <manage_token>".', {
      headers: { 'WWW-Authenticate': 'Bearer realm="ads"' },
    });
  }
  await next();
};

/** The owner's manage token (checked present by `requireManageToken`), as its SHA-256 hex digest. */
const ownerTokenHash = (c: Ctx) => sha256Hex(MANAGE_BEARER.exec(c.req.header('authorization') ?? '')?.[1] ?? '');

function ownerOutcome<T extends { result: string }>(outcome: T): Extract<T, { result: 'ok' }> {
  if (outcome.result === 'not_found') throw new ApiError('not_found', 'No such ad.');
  if (outcome.result === 'forbidden') throw new ApiError('forbidden', 'The manage token does not match this ad.');
  return outcome as Extract<T, { result: 'ok' }>;
}

const noStore = (c: Ctx) => c.header('Cache-Control', 'no-store');

// ---- routes ----------------------------------------------------------------------------

export const adsRoutes = new Hono<AppEnv>();

adsRoutes.get(
  '/v1/form-token',
  describeRoute({
    tags: ['submissions'],
    summary: 'A signed form token; submissions must carry one at least a few seconds old',
    responses: { 200: { description: 'Token', content: json(v.object({ form_token: v.string(), min_fill_seconds: v.number(), expires_at: v.string() })) } },
  }),
  async (c) => {
    const now = Date.now();
    noStore(c);
    return c.json({
      form_token: await issueFormToken((await secretsOf(c.env)).form, now),
      min_fill_seconds: FORM_TOKEN.minFillMs / 1000,
      expires_at: new Date(now + FORM_TOKEN.maxAgeMs).toISOString(),
    });
  },
);

adsRoutes.post(
  '/v1/ads',
  describeRoute({
    tags: ['submissions'],
    summary: 'Submit an ad; it waits for moderation',
    parameters: [IDEMPOTENCY_PARAMETER],
    responses: { 201: { description: 'Stored, pending moderation', content: json(AdCreated) }, ...submitErrors },
  }),
  rateLimit('submit'),
  jsonBody,
  validate('json', AdInput),
  async (c) => {
    const input = c.req.valid('json');
    const now = Date.now();
    const key = idempotencyKey(c);
    const { website: _w, form_token: _f, turnstile_token: _t, ...content } = input;
    const store = submissionsStore(c.env.SUBMISSIONS);
    const bodyHash = await sha256Hex(canonicalJson(input));
    const idem = key === null ? null : { scopedKey: `ad:${key}`, bodyHash };

    const answer = (accepted: { id: string; expires_at: number }, token: string, replayed: boolean) => {
      c.header('Location', `/v1/ads/${accepted.id}`);
      if (replayed) c.header('Idempotent-Replayed', 'true');
      noStore(c);
      const body: AdCreated = { id: accepted.id, status: 'pending', expires_at: new Date(accepted.expires_at).toISOString(), manage_token: token };
      return c.json(body, 201);
    };
    const mismatch = () =>
      new ApiError('idempotency_mismatch', 'This Idempotency-Key was already used with a different request body.', {
        errors: [{ field: 'Idempotency-Key', message: 'was used with a different body' }],
      });

    // With an Idempotency-Key the token is derived, so a replay can hand out the same one.
    const token = key === null ? newManageToken() : await derivedManageToken((await secretsOf(c.env)).manage, key, bodyHash);
    if (idem !== null) {
      const seen = await store.lookupIdempotency(idem.scopedKey, bodyHash, now);
      if (seen.state === 'mismatch') throw mismatch();
      if (seen.state === 'replay') return answer(seen.accepted, token, true);
    }
    await checkAbuse(c, input, now);
    const outcome = await store.create(
      { kind: 'ad', id: newId(), content, expires_at: expiresAt(content.category, now), token_hash: await sha256Hex(token) },
      idem,
      now,
    );
    if (outcome.outcome === 'mismatch') throw mismatch();
    return answer(outcome.accepted, token, outcome.outcome === 'replayed');
  },
);

adsRoutes.get(
  '/v1/ads',
  describeRoute({
    tags: ['submissions'],
    summary: 'Approved, unexpired ads, newest first (no contact details)',
    responses: { 200: { description: 'A page of ads', content: json(AdList) }, 400: problem('Bad query or cursor') },
  }),
  validate('query', AdsQuery),
  async (c) => {
    const q = c.req.valid('query');
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    if (after === null) throw new ApiError('invalid_cursor', 'The cursor is not valid.', { errors: [{ field: 'cursor', message: 'is not a cursor from this list' }] });
    const page = await submissionsStore(c.env.SUBMISSIONS).publicAds(
      { category: q.category, lang: q.lang, since: q.since, after, limit: q.limit },
      Date.now(),
    );
    const items = page.records.flatMap((r) => (r.kind === 'ad' ? [adListItem(r)] : []));
    const last = page.records.at(-1);
    c.header('Cache-Control', `public, max-age=${c.env.CACHE_MAX_AGE}`);
    return c.json({ items, next_cursor: page.more && last ? encodeCursor([last.approved_at ?? last.created_at, last.id]) : null });
  },
);

adsRoutes.get(
  '/v1/ads/:id',
  describeRoute({
    tags: ['submissions'],
    summary: 'One approved, unexpired ad, with contact details',
    responses: { 200: { description: 'The ad', content: json(AdDetail) }, 404: problem('No such live ad') },
  }),
  validate('param', IdParam),
  async (c) => {
    const { id } = c.req.valid('param');
    const now = Date.now();
    // The KV projection first (cheap, global); the store on a miss, since KV may not yet
    // show an ad approved seconds ago in this location.
    const cached = v.safeParse(AdDetail, await c.env.NEWS.get(adKey(id), 'json'));
    let detail = cached.success ? cached.output : null;
    if (detail === null) {
      const record = await submissionsStore(c.env.SUBMISSIONS).get(id);
      if (record?.kind === 'ad' && isLive(record, now)) detail = adDetail(record);
    }
    if (detail === null || Date.parse(detail.expires_at) <= now) throw new ApiError('not_found', 'No such ad, or it has expired.');
    c.header('Cache-Control', `public, max-age=${c.env.CACHE_MAX_AGE}`);
    return c.json(detail);
  },
);

const ownerResponses = {
  200: { description: 'The ad as stored, with its status', content: json(OwnerView) },
  401: problem('No manage token'),
  403: problem('Wrong manage token'),
  404: problem('No such ad'),
};

adsRoutes.get(
  '/v1/ads/:id/manage',
  describeRoute({ tags: ['submissions'], summary: "The owner's view: status, expiry and content", responses: ownerResponses }),
  validate('param', IdParam),
  requireManageToken,
  async (c) => {
    const { id } = c.req.valid('param');
    const found = ownerOutcome(await submissionsStore(c.env.SUBMISSIONS).ownerGet(id, await ownerTokenHash(c)));
    noStore(c);
    return c.json(ownerView(found.record));
  },
);

adsRoutes.patch(
  '/v1/ads/:id',
  describeRoute({ tags: ['submissions'], summary: 'Edit an ad (owner); it goes back to moderation', responses: { ...ownerResponses, ...submitErrors } }),
  validate('param', IdParam),
  requireManageToken,
  jsonBody,
  validate('json', AdPatch),
  async (c) => {
    const { id } = c.req.valid('param');
    const hash = await ownerTokenHash(c);
    const found = ownerOutcome(await submissionsStore(c.env.SUBMISSIONS).ownerUpdate(id, hash, c.req.valid('json'), Date.now()));
    noStore(c);
    return c.json(ownerView(found.record));
  },
);

adsRoutes.delete(
  '/v1/ads/:id',
  describeRoute({ tags: ['submissions'], summary: 'Delete an ad (owner)', responses: { 204: { description: 'Deleted' }, ...ownerResponses } }),
  validate('param', IdParam),
  requireManageToken,
  async (c) => {
    const { id } = c.req.valid('param');
    ownerOutcome(await submissionsStore(c.env.SUBMISSIONS).ownerDelete(id, await ownerTokenHash(c), Date.now()));
    return c.body(null, 204);
  },
);

adsRoutes.post(
  '/v1/ads/:id/renew',
  describeRoute({ tags: ['submissions'], summary: "Extend an ad's expiry by its category's period from now (owner)", responses: ownerResponses }),
  validate('param', IdParam),
  requireManageToken,
  async (c) => {
    const { id } = c.req.valid('param');
    const hash = await ownerTokenHash(c);
    const store = submissionsStore(c.env.SUBMISSIONS);
    const now = Date.now();
    const current = ownerOutcome(await store.ownerGet(id, hash));
    const renewed = ownerOutcome(await store.ownerRenew(id, hash, expiresAt(current.record.content.category, now), now));
    noStore(c);
    return c.json(ownerView(renewed.record));
  },
);

adsRoutes.post(
  '/v1/ads/:id/reports',
  describeRoute({
    tags: ['submissions'],
    summary: 'Report an ad; enough distinct reporters put it on hold for a moderator',
    responses: { 202: { description: 'Report received', content: json(v.object({ status: v.literal('received') })) }, 404: problem('No such live ad'), ...submitErrors },
  }),
  rateLimit('report'),
  validate('param', IdParam),
  jsonBody,
  validate('json', ReportInput),
  async (c) => {
    const { id } = c.req.valid('param');
    // Reporters are told apart by a keyed hash of their network (IPv4 address or IPv6 /64);
    // the address is not stored.
    const reporter = hex(await hmac((await secretsOf(c.env)).reporter, clientNetwork(clientIp(c))));
    const outcome = await submissionsStore(c.env.SUBMISSIONS).report(id, reporter, c.req.valid('json'), Date.now());
    if (outcome.result === 'not_found') throw new ApiError('not_found', 'No such ad, or it has expired.');
    return c.json({ status: 'received' as const }, 202);
  },
);
