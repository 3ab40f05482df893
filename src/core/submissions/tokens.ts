/**
 * Ids, manage tokens, hashes and signed form tokens. Web Crypto only (global `crypto` in
 * both workerd and Node 22), so the same code runs in the Worker and in Node tests.
 */
import { base64url } from '../lib/opaque.ts';

const encoder = new TextEncoder();
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** 20 characters of lowercase base32: 100 random bits, URL- and KV-key-safe. */
export function newId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  let id = '';
  for (const b of bytes) id += BASE32[b & 31];
  return id;
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** An app's API key: `enk_` + 32 random bytes, base64url. Shown once; only its SHA-256 is stored. */
export function newApiKey(): string {
  return `enk_${base64url(crypto.getRandomValues(new Uint8Array(32)))}`;
}

/** 32 random bytes, base64url: the manage token handed to an ad's owner once. */
export function newManageToken(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

export async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

export const sha256Hex = async (text: string) => hex(await sha256(text));

/** Compares equal-length byte strings in time independent of where they differ. */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/**
 * Constant-time secret check: compares SHA-256 digests, so neither the length nor the
 * content of the expected secret leaks through timing. An empty expected secret never matches.
 */
export async function sameSecret(presented: string, expected: string): Promise<boolean> {
  if (expected === '') return false;
  const [a, b] = await Promise.all([sha256(presented), sha256(expected)]);
  return timingSafeEqual(a, b);
}

/** Constant-time comparison of two hex digests (stored token hash vs presented one). */
export function sameHexDigest(a: string, b: string): boolean {
  return timingSafeEqual(encoder.encode(a), encoder.encode(b));
}

export async function hmac(secret: string, message: string): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(message)));
}

/**
 * The manage token of a submission sent with an Idempotency-Key: derived (HMAC with the
 * server secret) from the key and the body hash, so a replay can answer with the same
 * token although only its SHA-256 is stored. Without the server secret it is as
 * unguessable as a random token; with the key and the body anyone could replay the request
 * and read the answer anyway, which is what idempotent replay means.
 */
export async function derivedManageToken(
  secret: string,
  idempotencyKey: string,
  bodyHash: string,
): Promise<string> {
  return base64url(await hmac(secret, `manage:v1:${idempotencyKey}:${bodyHash}`));
}

// ---- form tokens: proof that a form was fetched, and when -------------------------

export const FORM_TOKEN = {
  /** People need a few seconds to fill an ad form; scripts post at once. */
  minFillMs: 3_000,
  /** After two hours the form must be reloaded. */
  maxAgeMs: 2 * 3_600_000,
} as const;

const FORM_PREFIX = 'ft1';

export async function issueFormToken(secret: string, issuedAt: number): Promise<string> {
  const sig = base64url(await hmac(secret, `form:v1:${issuedAt}`));
  return `${FORM_PREFIX}.${issuedAt}.${sig}`;
}

export type FormTokenCheck = 'ok' | 'invalid' | 'too_fast' | 'expired';

export async function checkFormToken(
  secret: string,
  token: string,
  now: number,
): Promise<FormTokenCheck> {
  const [prefix, issued, sig, ...rest] = token.split('.');
  if (
    prefix !== FORM_PREFIX ||
    issued === undefined ||
    sig === undefined ||
    rest.length > 0 ||
    !/^\d{1,15}$/.test(issued)
  )
    return 'invalid';
  const expected = encoder.encode(base64url(await hmac(secret, `form:v1:${issued}`)));
  if (!timingSafeEqual(expected, encoder.encode(sig))) return 'invalid';
  const age = now - Number(issued);
  if (age < FORM_TOKEN.minFillMs) return 'too_fast';
  if (age > FORM_TOKEN.maxAgeMs) return 'expired';
  return 'ok';
}

/**
 * Keys for the purposes above, derived from the one configured secret (ADMIN_TOKEN) with
 * a label each, so a form token can never be replayed as anything else and no extra
 * secret needs provisioning. Rotating ADMIN_TOKEN invalidates open forms and makes
 * idempotent replays of older requests answer with a different manage token.
 */
export const deriveSecret = async (root: string, label: 'form' | 'manage' | 'reporter') =>
  base64url(await hmac(root, `edge-news:${label}`));

/** JSON with object keys sorted at every level: equal values hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
