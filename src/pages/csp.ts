/**
 * The pages' Content-Security-Policy and headers. The one stylesheet and the one script are
 * inline and allowed by their SHA-256 hashes (CSP Level 3 hash-source), not by a nonce: a
 * page is cached at the edge and served to many readers, and a nonce repeated to all of
 * them would protect nothing. Nothing else may run, load, frame the page or post elsewhere.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';
import { CLIENT_SCRIPT } from './client.ts';
import { STYLE } from './style.ts';

async function sha256Source(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return `'sha256-${btoa(String.fromCharCode(...new Uint8Array(digest)))}'`;
}

let policy: string | undefined;

/**
 * Computed once per isolate: both inputs are constants of this build. The policy is kept, not
 * the promise of it: a request never waits on another request's promise
 * (src/core/lib/part-cache.ts says why).
 */
export async function contentSecurityPolicy(): Promise<string> {
  if (policy !== undefined) return policy;
  const [script, style] = await Promise.all([sha256Source(CLIENT_SCRIPT), sha256Source(STYLE)]);
  policy = [
    "default-src 'none'",
    `script-src ${script}`,
    `style-src ${style}`,
    // Article and ad images come from the sources' own hosts.
    'img-src https: data:',
    // The script asks /v1/suggest and /v1/search of this origin only.
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return policy;
}

/**
 * On every page response: the policy, and `Vary: Accept-Language`, since a page without
 * `?hl=` is in the language the header asked for (the edge cache keys it the same way).
 */
export const pageHeaders: MiddlewareHandler<AppEnv> = async function pageHeaders(c, next) {
  await next();
  c.res.headers.set('Content-Security-Policy', await contentSecurityPolicy());
  c.res.headers.append('Vary', 'Accept-Language');
};
