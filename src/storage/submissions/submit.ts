/**
 * The one path of a public submission, for every door it comes through (the JSON API and
 * the HTML forms): the client's rate limit, then the request schema, then the
 * Idempotency-Key, then the abuse checks, then one SQLite transaction in the Durable
 * Object. It answers with a typed outcome; each door turns that into its own response.
 *
 * An Idempotency-Key seen before is answered again before the abuse checks, so a retry
 * still succeeds after its form token aged or its Turnstile token was spent; it still
 * counts against the rate limit (docs/submissions.md).
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import * as v from 'valibot';
import { expiresAt, newsExpiresAt } from '../../core/submissions/categories.ts';
import {
  type AdContent,
  AdInput,
  type Kind,
  type NewsContent,
  NewsInput,
} from '../../core/submissions/schemas.ts';
import {
  canonicalJson,
  checkFormToken,
  derivedManageToken,
  newId,
  newManageToken,
  sha256Hex,
} from '../../core/submissions/tokens.ts';
import { submissionsStore } from '../submissions.ts';
import {
  APP_POLICY,
  appWithinLimit,
  type LimitPolicy,
  SUBMIT_POLICY,
  withinLimit,
} from './limits.ts';
import { type Secrets, secretsOf } from './secrets.ts';
import type { Accepted, NewSubmission } from './store.ts';

type Issues = readonly StandardSchemaV1.Issue[];

/** Who sends a submission, as the door saw it. */
export interface SubmitClient {
  /** The client's address (`CF-Connecting-IP`). */
  ip: string;
  /** The `Idempotency-Key` as sent, if any. */
  idempotencyKey?: string | undefined;
  /**
   * An app's API key, if it sent one: no form token is asked of it, it is limited in a bucket
   * of its own, and its Idempotency-Keys are its own. Browsers send none.
   */
  apiKey?: string | undefined;
}

export type SubmitOutcome =
  | {
      result: 'accepted';
      /** True when an earlier request with the same Idempotency-Key and body is answered again. */
      replayed: boolean;
      kind: Kind;
      id: string;
      expires_at: number;
      /** An ad's manage token (only its hash is stored); null for news. */
      manage_token: string | null;
    }
  | { result: 'rate_limited'; policy: LimitPolicy }
  /** An API key was sent but is unknown or revoked. */
  | { result: 'invalid_api_key' }
  /** The body does not match the request schema. */
  | { result: 'invalid'; issues: Issues }
  | { result: 'invalid_idempotency_key' }
  /** The Idempotency-Key was used before with another body. */
  | { result: 'idempotency_mismatch' }
  /** Honeypot or form token: one answer for all, so a bot learns nothing (reason logged). */
  | { result: 'refused' }
  | { result: 'verification_missing' }
  | { result: 'verification_failed' }
  | { result: 'verification_unavailable' }
  /** ADMIN_TOKEN is not configured: submissions are off. */
  | { result: 'unconfigured' };

/** `Idempotency-Key` (draft-ietf-httpapi-idempotency-key-header): 1-255 visible ASCII characters. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

interface AbuseFields {
  website: string;
  form_token?: string | undefined;
  turnstile_token?: string | undefined;
}
type Parsed =
  | { kind: 'ad'; abuse: AbuseFields; content: AdContent }
  | { kind: 'news'; abuse: AbuseFields; content: NewsContent };

function splitAbuse<T extends AbuseFields>({
  website,
  form_token,
  turnstile_token,
  ...content
}: T) {
  return { abuse: { website, form_token, turnstile_token }, content };
}

/** Browsers must send a form token; only an app with an API key may leave it out. */
const FORM_TOKEN_REQUIRED: StandardSchemaV1.Issue = {
  message: 'is required (GET /v1/form-token)',
  path: ['form_token'],
};

/** The request schema of the kind, through Standard Schema, whose issues every door can name. */
async function parse(
  kind: Kind,
  input: unknown,
  formTokenRequired: boolean,
): Promise<Parsed | { issues: Issues }> {
  const missing =
    formTokenRequired &&
    typeof input === 'object' &&
    input !== null &&
    (!('form_token' in input) || input.form_token === undefined)
      ? [FORM_TOKEN_REQUIRED]
      : [];
  if (kind === 'ad') {
    const ad = await AdInput['~standard'].validate(input);
    if (ad.issues || missing.length > 0) return { issues: [...(ad.issues ?? []), ...missing] };
    return { kind, ...splitAbuse(ad.value) };
  }
  const news = await NewsInput['~standard'].validate(input);
  if (news.issues || missing.length > 0) return { issues: [...(news.issues ?? []), ...missing] };
  return { kind, ...splitAbuse(news.value) };
}

export async function submit(
  env: Env,
  kind: Kind,
  input: unknown,
  client: SubmitClient,
): Promise<SubmitOutcome> {
  const now = Date.now();
  const store = submissionsStore(env.SUBMISSIONS);
  // An app is known by its key, and limited per key; a browser per network.
  let app: string | null = null;
  if (client.apiKey !== undefined) {
    app = await store.apiKeyId(await sha256Hex(client.apiKey));
    if (app === null) return { result: 'invalid_api_key' };
    if (!(await appWithinLimit(env, app))) return { result: 'rate_limited', policy: APP_POLICY };
  } else if (!(await withinLimit(env, 'submit', client.ip))) {
    return { result: 'rate_limited', policy: SUBMIT_POLICY };
  }
  const parsed = await parse(kind, input, app === null);
  if ('issues' in parsed) return { result: 'invalid', issues: parsed.issues };
  const key = client.idempotencyKey;
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) return { result: 'invalid_idempotency_key' };
  const secrets = await secretsOf(env);
  if (secrets === null) return { result: 'unconfigured' };

  // The content only: a retry from a reloaded form carries a new form token (and Turnstile
  // token), and is still the same submission.
  const bodyHash = await sha256Hex(canonicalJson(parsed.content));
  // Keys are scoped per kind, and an app's per API key too (as Stripe scopes them per key),
  // so two apps that pick the same key never collide; browsers share the web scope.
  const scopedKey =
    key === undefined ? null : app === null ? `${kind}:${key}` : `app:${app}:${kind}:${key}`;
  // With an Idempotency-Key an ad's manage token is derived, so a replay hands out the same one.
  const token =
    parsed.kind === 'news'
      ? null
      : scopedKey === null
        ? newManageToken()
        : await derivedManageToken(
            secrets.manage,
            app === null ? scopedKey.slice(kind.length + 1) : scopedKey,
            bodyHash,
          );
  const accepted = (a: Accepted, replayed: boolean): SubmitOutcome => ({
    result: 'accepted',
    replayed,
    ...a,
    manage_token: token,
  });
  const idempotency = scopedKey === null ? null : { scopedKey, bodyHash };
  if (idempotency !== null) {
    const seen = await store.lookupIdempotency(idempotency.scopedKey, bodyHash, now);
    if (seen.state === 'mismatch') return { result: 'idempotency_mismatch' };
    if (seen.state === 'replay') return accepted(seen.accepted, true);
  }

  const refusal = await checkAbuse(env, secrets, parsed.abuse, client.ip, now, app !== null);
  if (refusal !== null) return refusal;

  const sub: NewSubmission =
    parsed.kind === 'ad'
      ? {
          kind: 'ad',
          id: newId(),
          content: parsed.content,
          expires_at: expiresAt(parsed.content.category, now),
          token_hash: await sha256Hex(token ?? ''),
        }
      : {
          kind: 'news',
          id: newId(),
          content: parsed.content,
          expires_at: newsExpiresAt(now),
          token_hash: null,
        };
  const created = await store.create(sub, idempotency, now);
  if (created.outcome === 'mismatch') return { result: 'idempotency_mismatch' };
  return accepted(created.accepted, created.outcome === 'replayed');
}

function refused(reason: string): SubmitOutcome {
  console.warn('submission refused:', reason);
  return { result: 'refused' };
}

const TURNSTILE_VERIFY = 'https://challenges.cloudflare.com/turnstile/v0/siteverify';
const SiteverifyAnswer = v.object({ success: v.boolean() });

/** Honeypot, fill time, then Turnstile when a secret is configured; null when all pass. */
async function checkAbuse(
  env: Env,
  secrets: Secrets,
  abuse: AbuseFields,
  ip: string,
  now: number,
  fromApp: boolean,
): Promise<SubmitOutcome | null> {
  if (abuse.website.trim() !== '') return refused('honeypot');
  // An app is vouched for by its key: no fill time, no Turnstile (it shows no web form).
  if (fromApp) return null;
  const form = await checkFormToken(secrets.form, abuse.form_token ?? '', now);
  if (form !== 'ok') return refused(`form token ${form}`);
  const secret = env.TURNSTILE_SECRET;
  if (!secret) return null;
  if (!abuse.turnstile_token) return { result: 'verification_missing' };
  let answer: v.InferOutput<typeof SiteverifyAnswer>;
  try {
    const res = await fetch(TURNSTILE_VERIFY, {
      method: 'POST',
      body: new URLSearchParams({ secret, response: abuse.turnstile_token, remoteip: ip }),
    });
    if (!res.ok) throw new Error(`siteverify answered ${res.status}`);
    answer = v.parse(SiteverifyAnswer, await res.json());
  } catch (error) {
    console.error('turnstile verification unavailable', error);
    return { result: 'verification_unavailable' };
  }
  return answer.success ? null : { result: 'verification_failed' };
}
