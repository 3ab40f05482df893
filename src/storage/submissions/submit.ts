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
import { withinLimit } from './limits.ts';
import { type Secrets, secretsOf } from './secrets.ts';
import type { Accepted, NewSubmission } from './store.ts';

type Issues = readonly StandardSchemaV1.Issue[];

/** Who sends a submission, as the door saw it. */
export interface SubmitClient {
  /** The client's address (`CF-Connecting-IP`). */
  ip: string;
  /** The `Idempotency-Key` as sent, if any. */
  idempotencyKey?: string | undefined;
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
  | { result: 'rate_limited' }
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
  form_token: string;
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

/** The request schema of the kind, through Standard Schema, whose issues every door can name. */
async function parse(kind: Kind, input: unknown): Promise<Parsed | { issues: Issues }> {
  if (kind === 'ad') {
    const ad = await AdInput['~standard'].validate(input);
    return ad.issues ? { issues: ad.issues } : { kind, ...splitAbuse(ad.value) };
  }
  const news = await NewsInput['~standard'].validate(input);
  return news.issues ? { issues: news.issues } : { kind, ...splitAbuse(news.value) };
}

export async function submit(
  env: Env,
  kind: Kind,
  input: unknown,
  client: SubmitClient,
): Promise<SubmitOutcome> {
  const now = Date.now();
  if (!(await withinLimit(env, 'submit', client.ip))) return { result: 'rate_limited' };
  const parsed = await parse(kind, input);
  if ('issues' in parsed) return { result: 'invalid', issues: parsed.issues };
  const key = client.idempotencyKey;
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) return { result: 'invalid_idempotency_key' };
  const secrets = await secretsOf(env);
  if (secrets === null) return { result: 'unconfigured' };

  // The content only: a retry from a reloaded form carries a new form token (and Turnstile
  // token), and is still the same submission.
  const bodyHash = await sha256Hex(canonicalJson(parsed.content));
  // With an Idempotency-Key an ad's manage token is derived, so a replay hands out the same one.
  const token =
    parsed.kind === 'news'
      ? null
      : key === undefined
        ? newManageToken()
        : await derivedManageToken(secrets.manage, key, bodyHash);
  const accepted = (a: Accepted, replayed: boolean): SubmitOutcome => ({
    result: 'accepted',
    replayed,
    ...a,
    manage_token: token,
  });
  const store = submissionsStore(env.SUBMISSIONS);
  const idempotency = key === undefined ? null : { scopedKey: `${kind}:${key}`, bodyHash };
  if (idempotency !== null) {
    const seen = await store.lookupIdempotency(idempotency.scopedKey, bodyHash, now);
    if (seen.state === 'mismatch') return { result: 'idempotency_mismatch' };
    if (seen.state === 'replay') return accepted(seen.accepted, true);
  }

  const refusal = await checkAbuse(env, secrets, parsed.abuse, client.ip, now);
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

const TURNSTILE_VERIFY = 'https://challenges.cloudflare.com/turnstile/v0/siteverify';
const SiteverifyAnswer = v.object({ success: v.boolean() });

/** Honeypot, fill time, then Turnstile when a secret is configured; null when all pass. */
async function checkAbuse(
  env: Env,
  secrets: Secrets,
  abuse: AbuseFields,
  ip: string,
  now: number,
): Promise<SubmitOutcome | null> {
  const form = await checkFormToken(secrets.form, abuse.form_token, now);
  const reason =
    abuse.website.trim() !== '' ? 'honeypot' : form !== 'ok' ? `form token ${form}` : null;
  if (reason !== null) {
    console.warn('submission refused:', reason);
    return { result: 'refused' };
  }
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
