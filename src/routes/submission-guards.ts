/**
 * The guards every public submission route shares (body limit, content type, rate limit,
 * honeypot, fill time, Turnstile, Idempotency-Key) and the one path a submission takes
 * from a validated body to a durable 201 (`acceptOnce`).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { resolver } from 'hono-openapi';
import * as v from 'valibot';
import type { AppEnv } from '../env.ts';
import { clientNetwork } from '../core/submissions/client.ts';
import { LIMITS } from '../core/submissions/schemas.ts';
import {
  canonicalJson,
  checkFormToken,
  deriveSecret,
  sha256Hex,
} from '../core/submissions/tokens.ts';
import { ApiError, problemDoc } from '../http/problem.ts';
import { submissionsStore } from '../storage/submissions.ts';
import type { Accepted, CreateOutcome } from '../storage/submissions/store.ts';

type Ctx = Context<AppEnv>;

export const json = (schema: v.GenericSchema) => ({
  'application/json': { schema: resolver(schema) },
});
export const submitErrors = {
  400: problemDoc('Malformed JSON, or a field is invalid (each one named in `errors`)'),
  413: problemDoc(`Body over ${LIMITS.bodyBytes} bytes`),
  415: problemDoc('Content-Type is not application/json'),
  422: problemDoc('Idempotency-Key reused with another body, or the submission was refused'),
  429: problemDoc('Too many submissions from this client; see Retry-After'),
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

/** Per-client limit (an IPv4 address or an IPv6 /64) through the Workers rate-limiting binding (5 per 60 s, wrangler.toml). */
export function rateLimit(scope: string): MiddlewareHandler<AppEnv> {
  return async function limitClient(c, next) {
    const { success } = await c.env.SUBMIT_LIMITER.limit({
      key: `${scope}:${clientNetwork(clientIp(c))}`,
    });
    if (!success) {
      // The binding does not say when the window reopens; its period (60 s) is the bound.
      throw new ApiError(
        'rate_limited',
        'Too many submissions from this client. Please wait a minute and try again.',
        {
          headers: { 'Retry-After': '60' },
        },
      );
    }
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
  return bodyLimit({
    maxSize: LIMITS.bodyBytes,
    onError: () => {
      throw new ApiError(
        'payload_too_large',
        `The request body is larger than ${LIMITS.bodyBytes} bytes.`,
      );
    },
  })(c, next);
};

/** Secrets derived from ADMIN_TOKEN, once per isolate and token value. */
let derived:
  | { root: string; secrets: Promise<{ form: string; manage: string; reporter: string }> }
  | undefined;
export function secretsOf(env: Env) {
  const root = env.ADMIN_TOKEN;
  if (!root) throw new ApiError('unavailable', 'Submissions are not configured on this server.');
  if (derived?.root !== root) {
    derived = {
      root,
      secrets: Promise.all([
        deriveSecret(root, 'form'),
        deriveSecret(root, 'manage'),
        deriveSecret(root, 'reporter'),
      ]).then(([form, manage, reporter]) => ({ form, manage, reporter })),
    };
  }
  return derived.secrets;
}

/** `Idempotency-Key` (draft-ietf-httpapi-idempotency-key-header): 1-255 visible ASCII characters. */
export function idempotencyKey(c: Ctx): string | null {
  const key = c.req.header('idempotency-key');
  if (key === undefined) return null;
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new ApiError(
      'bad_request',
      'Idempotency-Key must be 1 to 255 visible ASCII characters.',
      {
        errors: [
          { field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' },
        ],
      },
    );
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
  const reason =
    input.website.trim() !== '' ? 'honeypot' : form !== 'ok' ? `form token ${form}` : null;
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
    throw new ApiError(
      'verification_failed',
      'Please complete the human verification and send the form again.',
      {
        errors: [{ field: 'turnstile_token', message: 'is required' }],
      },
    );
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
    throw new ApiError(
      'unavailable',
      'Human verification is unavailable right now. Please try again shortly.',
      {
        headers: { 'Retry-After': '30' },
      },
    );
  }
  if (outcome.success !== true) {
    throw new ApiError(
      'verification_failed',
      'Human verification failed. Please complete it again.',
      {
        errors: [{ field: 'turnstile_token', message: 'was not accepted' }],
      },
    );
  }
}

const idempotencyMismatch = () =>
  new ApiError(
    'idempotency_mismatch',
    'This Idempotency-Key was already used with a different request body.',
    {
      errors: [{ field: 'Idempotency-Key', message: 'was used with a different body' }],
    },
  );

/** What `acceptOnce` knows about a request before the route decides how to store it. */
export interface SubmissionRequest {
  now: number;
  /** The Idempotency-Key header, or null. */
  key: string | null;
  /** SHA-256 of the canonical JSON body: the same body under the same key is a replay. */
  bodyHash: string;
}

/**
 * The one path of every submission: an Idempotency-Key seen before answers the same again
 * (or 422 for another body) without the abuse checks; otherwise the checks run and the
 * Durable Object stores it, answering only once the write is durable.
 */
export async function acceptOnce<
  Input extends { website: string; form_token: string; turnstile_token?: string | undefined },
>(
  c: Ctx,
  input: Input,
  scope: 'ad' | 'news',
  route: {
    /** Runs first, with the request's key and body hash (an ad derives its manage token here). */
    prepare?: (request: SubmissionRequest) => Promise<void>;
    create: (
      idempotency: { scopedKey: string; bodyHash: string } | null,
      request: SubmissionRequest,
    ) => Promise<CreateOutcome>;
    answer: (accepted: Accepted, replayed: boolean) => Response;
  },
): Promise<Response> {
  const request: SubmissionRequest = {
    now: Date.now(),
    key: idempotencyKey(c),
    bodyHash: await sha256Hex(canonicalJson(input)),
  };
  await route.prepare?.(request);
  const idempotency =
    request.key === null
      ? null
      : { scopedKey: `${scope}:${request.key}`, bodyHash: request.bodyHash };
  if (idempotency !== null) {
    const seen = await submissionsStore(c.env.SUBMISSIONS).lookupIdempotency(
      idempotency.scopedKey,
      idempotency.bodyHash,
      request.now,
    );
    if (seen.state === 'mismatch') throw idempotencyMismatch();
    if (seen.state === 'replay') return route.answer(seen.accepted, true);
  }
  await checkAbuse(c, input, request.now);
  const outcome = await route.create(idempotency, request);
  if (outcome.outcome === 'mismatch') throw idempotencyMismatch();
  return route.answer(outcome.accepted, outcome.outcome === 'replayed');
}
