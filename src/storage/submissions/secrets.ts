/**
 * The keys the submissions derive from the one configured secret, ADMIN_TOKEN (one label
 * each, core/submissions/tokens.ts deriveSecret), once per isolate and token value.
 */
import { deriveSecret } from '../../core/submissions/tokens.ts';

export interface Secrets {
  /** Signs form tokens. */
  form: string;
  /** Derives the manage token of a submission sent with an Idempotency-Key. */
  manage: string;
  /** Keys the hash that tells reporters apart. */
  reporter: string;
}

/** The keys kept, not the promise of them: a request never waits on another request's promise (src/core/lib/part-cache.ts). */
let derived: { root: string; secrets: Secrets } | undefined;

/** The derived keys, or null when ADMIN_TOKEN is not configured (submissions are off). */
export function secretsOf(env: Env): Promise<Secrets> | null {
  const root = env.ADMIN_TOKEN;
  if (!root) return null;
  if (derived?.root === root) return Promise.resolve(derived.secrets);
  return Promise.all([
    deriveSecret(root, 'form'),
    deriveSecret(root, 'manage'),
    deriveSecret(root, 'reporter'),
  ]).then(([form, manage, reporter]) => {
    const secrets = { form, manage, reporter };
    derived = { root, secrets };
    return secrets;
  });
}
