/**
 * What the submission routes share on the HTTP side: body limit and content type, the
 * per-client rate limit of the routes that are not submissions, and `answerSubmission`,
 * which turns the outcome of `submit` (storage/submissions/submit.ts, the one path of every
 * submission) into a 201 or a problem.
 */
import type { Context, MiddlewareHandler, TypedResponse } from 'hono';
import { resolver } from '../http/openapi.ts';
import * as v from 'valibot';
import type { AppEnv } from '../env.ts';
import { newsArticleId } from '../core/submissions/news.ts';
import {
  type AdCreated,
  type Kind,
  LIMITS,
  type NewsCreated,
} from '../core/submissions/schemas.ts';
import { ApiError, problemDoc } from '../http/problem.ts';
import { validationError } from '../http/validate.ts';
import { APP_POLICY, SUBMIT_POLICY, withinLimit } from '../storage/submissions/limits.ts';
import { type Secrets, secretsOf } from '../storage/submissions/secrets.ts';
import type { SubmitClient, SubmitOutcome } from '../storage/submissions/submit.ts';

type Ctx = Context<AppEnv>;

export const json = (schema: v.GenericSchema) => ({
  'application/json': { schema: resolver(schema) },
});
/** What a route with a JSON body may answer about it. */
export const bodyErrors = {
  400: problemDoc('Malformed JSON, or a field is invalid (each one named in `errors`)'),
  413: problemDoc(`Body over ${LIMITS.bodyBytes} bytes`),
  415: problemDoc('Content-Type is not application/json'),
  422: problemDoc('Idempotency-Key reused with another body, or the submission was refused'),
};
/** A rate-limited submission route: its body's errors and the limit's 429. */
export const submitErrors = {
  ...bodyErrors,
  429: problemDoc('Too many submissions from this client; see Retry-After'),
};

/** What every `/v1/admin/*` route may answer: the admin guard's (src/routes/admin.ts, checkAdmin). */
export const adminErrors = {
  401: problemDoc('Missing or wrong admin token'),
  429: problemDoc('Too many failed admin attempts from this client; see Retry-After'),
};

/** What a submission route may also answer an app that sends its API key. */
export const apiKeyErrors = {
  401: problemDoc('An API key that is unknown or revoked (browsers send no Authorization)'),
};

export const IDEMPOTENCY_PARAMETER = {
  name: 'Idempotency-Key',
  in: 'header' as const,
  required: false,
  description:
    'Same key and body within 24 h: the same answer and one submission; same key, other body: 422',
  schema: { type: 'string' as const, minLength: 1, maxLength: 255 },
};

/** The client as Cloudflare sees it (set by the edge, not spoofable by the client there). */
export const clientIp = (c: Ctx) => c.req.header('cf-connecting-ip') ?? 'unknown';

/** A limit as the headers name it: its name, its quota and its window in seconds. */
export interface Policy {
  name: string;
  limit: number;
  windowSeconds: number;
}

/**
 * Rate-limit headers: the IETF pair (draft-ietf-httpapi-ratelimit-headers-09, `RateLimit-Policy`
 * always, `RateLimit` when the state is known) and the older `RateLimit-Limit`, `-Remaining`
 * and `-Reset` triple that many clients read.
 */
export function rateLimitHeaders(
  policy: Policy,
  state?: { remaining: number; resetSeconds: number },
): Record<string, string> {
  const headers: Record<string, string> = {
    'RateLimit-Policy': `"${policy.name}";q=${policy.limit};w=${policy.windowSeconds}`,
  };
  if (state === undefined) return headers;
  return {
    ...headers,
    RateLimit: `"${policy.name}";r=${state.remaining};t=${state.resetSeconds}`,
    'RateLimit-Limit': String(policy.limit),
    'RateLimit-Remaining': String(state.remaining),
    'RateLimit-Reset': String(state.resetSeconds),
  };
}

/** A 429 with Retry-After and the rate-limit headers. */
export const rateLimited = (policy: Policy, detail: string, resetSeconds = policy.windowSeconds) =>
  new ApiError('rate_limited', detail, {
    headers: {
      'Retry-After': String(resetSeconds),
      ...rateLimitHeaders(policy, { remaining: 0, resetSeconds }),
    },
  });

// The binding does not say when its window reopens; its period is the bound.
const tooMany = (policy: Policy) =>
  rateLimited(
    policy,
    policy === APP_POLICY
      ? 'Too many submissions with this API key. Please wait a minute and try again.'
      : 'Too many submissions from this client. Please wait a minute and try again.',
  );

/** Sends the policy of a limited route on every answer, refusals included. */
export function announcePolicy(policyOf: (c: Ctx) => Policy): MiddlewareHandler<AppEnv> {
  return async function announce(c, next) {
    await next();
    const [name, value] = Object.entries(rateLimitHeaders(policyOf(c)))[0] ?? [];
    if (name !== undefined && value !== undefined && !c.res.headers.has(name))
      c.res.headers.set(name, value);
  };
}

/** A submission's bucket: the app's when it sends an API key, else the client's. */
export const submitPolicy = (c: Ctx): Policy =>
  c.req.header('authorization') === undefined ? SUBMIT_POLICY : APP_POLICY;

/** Per-client limit (an IPv4 address or an IPv6 /64) through the Workers rate-limiting binding. */
export function rateLimit(scope: string): MiddlewareHandler<AppEnv> {
  return async function limitClient(c, next) {
    if (!(await withinLimit(c.env, scope, clientIp(c)))) throw tooMany(SUBMIT_POLICY);
    await next();
  };
}

/** 415 for anything but JSON, 413 above the body limit; malformed JSON is the validator's 400. */
export const jsonBody: MiddlewareHandler<AppEnv> = async function jsonBody(c, next) {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/(?:[a-z0-9.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
    throw new ApiError(
      'unsupported_media_type',
      `Content-Type must be application/json, not ${JSON.stringify(type || '(none)')}.`,
    );
  }
  const body = c.req.raw.body;
  if (body === null) return next();
  const declared = c.req.header('content-length');
  if (declared !== undefined && c.req.header('transfer-encoding') === undefined) {
    if (Number(declared) > LIMITS.bodyBytes) throw tooLarge();
    return next();
  }
  // No length given (chunked): the size is only known by reading. hono's bodyLimit stops
  // reading at the limit and leaves the stream locked and unread, and so does cancelling
  // it: `wrangler dev` then left the next request, from another client, hanging until "Your
  // worker restarted mid-request" (test/node/body-limit.test.ts, both tried). Reading the
  // rest to its end, up to DRAIN_BYTES, leaves the connection clean.
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > LIMITS.bodyBytes) {
      await drain(reader, size);
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  c.req.raw = new Request(c.req.raw, { body: bytes });
  return next();
};

/**
 * Bytes of an over-long body read and dropped before the 413: a careless client's body ends
 * well within it. A body longer still is cancelled (the platform bounds it anyway:
 * https://developers.cloudflare.com/workers/platform/limits/#request-limits).
 */
const DRAIN_BYTES = 1024 * 1024;

async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, read: number) {
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    read += value.byteLength;
    if (read > DRAIN_BYTES) return reader.cancel();
  }
}

const tooLarge = () =>
  new ApiError('payload_too_large', `The request body is larger than ${LIMITS.bodyBytes} bytes.`);

/** The derived submission secrets; 503 when ADMIN_TOKEN is not configured. */
export function requireSecrets(env: Env): Promise<Secrets> {
  const secrets = secretsOf(env);
  if (secrets === null) throw notConfigured();
  return secrets;
}

const notConfigured = () =>
  new ApiError('unavailable', 'Submissions are not configured on this server.');

/** The JSON body (after `jsonBody` checked its type and size); 400 when it is malformed. */
export async function readJson(c: Ctx): Promise<unknown> {
  try {
    return await c.req.json<unknown>();
  } catch (error) {
    if (error instanceof SyntaxError)
      throw new ApiError('bad_request', 'Malformed JSON in request body.');
    throw error;
  }
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * The client of a submission as the JSON API sees it. An app sends its API key as
 * `Authorization: Bearer <key>`; any other Authorization value is a key that matches nothing.
 */
export function submitClient(c: Ctx): SubmitClient {
  const authorization = c.req.header('authorization');
  return {
    ip: clientIp(c),
    idempotencyKey: c.req.header('idempotency-key'),
    apiKey:
      authorization === undefined ? undefined : (BEARER.exec(authorization)?.[1] ?? authorization),
  };
}

const idempotencyMismatch = () =>
  new ApiError(
    'idempotency_mismatch',
    'This Idempotency-Key was already used with a different request body.',
    { errors: [{ field: 'Idempotency-Key', message: 'was used with a different body' }] },
  );

/** Where an accepted submission can be read (its owner view for an ad, the article for news). */
const locationOf = (kind: Kind, id: string) =>
  kind === 'ad' ? `/v1/ads/${id}` : `/v1/news/${newsArticleId(id)}`;

type Created<Body> = Response & TypedResponse<Body, 201, 'json'>;

/**
 * The HTTP answer to a submission's outcome: 201 with its body, or the problem it is. The
 * routes name their kind, so that the typed client (src/client.ts) knows the 201 body.
 */
export function answerSubmission(c: Ctx, outcome: SubmitOutcome, kind: 'ad'): Created<AdCreated>;
export function answerSubmission(
  c: Ctx,
  outcome: SubmitOutcome,
  kind: 'news',
): Created<NewsCreated>;
export function answerSubmission(c: Ctx, outcome: SubmitOutcome): Response;
export function answerSubmission(c: Ctx, outcome: SubmitOutcome, kind?: Kind): Response {
  if (kind !== undefined && outcome.result === 'accepted' && outcome.kind !== kind)
    throw new Error(`a ${outcome.kind} submission answered as ${kind}`);
  switch (outcome.result) {
    case 'accepted': {
      c.header('Location', locationOf(outcome.kind, outcome.id));
      c.header('Cache-Control', 'no-store');
      if (outcome.replayed) c.header('Idempotent-Replayed', 'true');
      if (outcome.manage_token === null) {
        const news: NewsCreated = { id: outcome.id, status: 'pending' };
        return c.json(news, 201);
      }
      const ad: AdCreated = {
        id: outcome.id,
        status: 'pending',
        expires_at: new Date(outcome.expires_at).toISOString(),
        manage_token: outcome.manage_token,
      };
      return c.json(ad, 201);
    }
    case 'rate_limited':
      throw tooMany(outcome.policy);
    case 'invalid_api_key':
      throw new ApiError(
        'unauthorized',
        'This API key is unknown or revoked. Browsers send no Authorization header.',
        { headers: { 'WWW-Authenticate': 'Bearer realm="apps"' } },
      );
    case 'invalid':
      throw validationError('json', outcome.issues);
    case 'invalid_idempotency_key':
      throw new ApiError(
        'bad_request',
        'Idempotency-Key must be 1 to 255 visible ASCII characters.',
        {
          errors: [
            { field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' },
          ],
        },
      );
    case 'idempotency_mismatch':
      throw idempotencyMismatch();
    case 'refused':
      throw new ApiError(
        'submission_rejected',
        'We could not accept this submission. Please reload the form, take a moment to check it, and send it again.',
      );
    case 'verification_missing':
      throw new ApiError(
        'verification_failed',
        'Please complete the human verification and send the form again.',
        { errors: [{ field: 'turnstile_token', message: 'is required' }] },
      );
    case 'verification_failed':
      throw new ApiError(
        'verification_failed',
        'Human verification failed. Please complete it again.',
        {
          errors: [{ field: 'turnstile_token', message: 'was not accepted' }],
        },
      );
    case 'verification_unavailable':
      throw new ApiError(
        'unavailable',
        'Human verification is unavailable right now. Please try again shortly.',
        { headers: { 'Retry-After': '30' } },
      );
    case 'unconfigured':
      throw notConfigured();
  }
}
