/**
 * Per-client limits through the Workers rate-limiting binding. A client is its network
 * (core/submissions/client.ts): an IPv4 address, or an IPv6 /64.
 */
import { clientNetwork } from '../../core/submissions/client.ts';

/**
 * The policy of `SUBMIT_LIMITER`, as configured in wrangler.toml
 * (`[[ratelimits]] simple = { limit = 5, period = 60 }`). The binding answers only
 * "over or not", so the period is also the bound on when its window reopens.
 */
export const SUBMIT_POLICY = { name: 'client', limit: 5, windowSeconds: 60 } as const;

/** The policy of `APP_LIMITER` (wrangler.toml: `simple = { limit = 60, period = 60 }`), per API key. */
export const APP_POLICY = { name: 'app', limit: 60, windowSeconds: 60 } as const;

export type LimitPolicy = typeof SUBMIT_POLICY | typeof APP_POLICY;

/** Takes one submission from an app's own bucket (its API key's id); false when it is empty. */
export async function appWithinLimit(env: Env, keyId: string): Promise<boolean> {
  const { success } = await env.APP_LIMITER.limit({ key: `app:${keyId}` });
  return success;
}

/** Takes one request from the client's bucket of `scope`; false when the bucket is empty. */
export async function withinLimit(env: Env, scope: string, ip: string): Promise<boolean> {
  const { success } = await env.SUBMIT_LIMITER.limit({ key: `${scope}:${clientNetwork(ip)}` });
  return success;
}

/**
 * Failed admin authentications a client may make in a window, counted in the Durable Object
 * (store.ts adminAttempt); then every attempt is refused until the window frees a slot.
 */
export const ADMIN_GUESSES = { name: 'admin-failures', limit: 5, windowMs: 60_000 } as const;
