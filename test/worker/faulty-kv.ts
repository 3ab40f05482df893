/**
 * A thin fault-injecting wrapper over the real KV binding, for the faults that real values
 * cannot produce: a read that throws, and a read that stalls. Every other call, and every
 * read of a key the fault does not match, goes to the real local KV unchanged. The Worker is
 * then run with it as its NEWS binding (`runWorker`).
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import worker from '../../src/index.ts';

export type FaultMode = 'throw' | 'stall';

export interface FaultyKv {
  kv: KVNamespace;
  /** Keys whose reads the fault hit, in order. */
  hits: string[];
  /** Lets every stalled read go on to the real KV (so no promise is left pending). */
  release(): void;
}

/** Reads of any key that `matches` throw or stall; everything else is the real binding. */
export function faultyKv(
  real: KVNamespace,
  mode: FaultMode,
  matches: (key: string) => boolean,
): FaultyKv {
  const hits: string[] = [];
  let stalled: (() => void)[] = [];
  const read =
    (method: 'get' | 'getWithMetadata') =>
    (key: string | string[], options?: unknown): Promise<unknown> => {
      const forward = () =>
        (real[method] as (k: unknown, o?: unknown) => Promise<unknown>).call(real, key, options);
      const hit = (Array.isArray(key) ? key : [key]).filter(matches);
      if (hit.length === 0) return forward();
      hits.push(...hit);
      if (mode === 'throw')
        return Promise.reject(new Error(`injected KV failure reading ${hit.join(', ')}`));
      return new Promise((resolve) => stalled.push(() => resolve(forward())));
    };
  const kv = new Proxy(real, {
    get(target, prop) {
      if (prop === 'get' || prop === 'getWithMetadata') return read(prop);
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
  return {
    kv,
    hits,
    release() {
      const waiting = stalled;
      stalled = [];
      for (const go of waiting) go();
    },
  };
}

/** One request through the Worker's own fetch handler, with `kv` as its NEWS binding. */
export async function runWorker(kv: KVNamespace, url: string): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(url), { ...env, NEWS: kv }, ctx);
  // The body first: a stalled read the response waits on must not hold the context open.
  const body = await res.arrayBuffer();
  await waitOnExecutionContext(ctx);
  return new Response(body, res);
}
