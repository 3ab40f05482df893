/**
 * The typed client for apps, published as `edge-news/client` (package.json `exports`):
 * Hono's RPC client (hono.dev/docs/guides/rpc) typed with every route of the app: paths,
 * path parameters, query parameters, JSON bodies and JSON answers. Errors are RFC 9457
 * problem+json bodies of type `Problem` on any status of 400 and above.
 *
 *   const api = edgeNewsClient('https://news.example');
 *   const res = await api.v1.feed.$get({ query: { section: 'sport', limit: '10' } });
 *   if (res.ok) for (const item of (await res.json()).items) console.log(item.title);
 *   else console.error(((await res.json()) as Problem).code);
 *
 * Only types come from the app: a bundler keeps nothing of the Worker but `hc` itself.
 */
import { type ClientRequestOptions, hc } from 'hono/client';
import type { AppType } from './app.ts';

export type { AppType } from './app.ts';
export type { ErrorCode, FieldError, Problem } from './http/problem.ts';
export type { ClientRequestOptions, InferRequestType, InferResponseType } from 'hono/client';

/**
 * Computed once here, so a compiler reuses it instead of re-deriving it from AppType at every
 * call site (hono.dev/docs/guides/rpc, "Compile your code before using it").
 */
export type EdgeNewsClient = ReturnType<typeof hc<AppType>>;

/** A client for the Edge News Worker at `baseUrl`; `options.fetch` replaces the global fetch. */
export function edgeNewsClient(baseUrl: string, options?: ClientRequestOptions): EdgeNewsClient {
  return hc<AppType>(baseUrl, options);
}
