/**
 * The typed client for apps, published as `edge-news/client` (package.json `exports`):
 * Hono's RPC client (hono.dev/docs/guides/rpc) typed with every route of the app: paths,
 * path parameters, query parameters, JSON bodies and JSON answers. Errors are RFC 9457
 * problem+json bodies of type `Problem` on any status of 400 and above.
 *
 *   const api = edgeNewsClient('https://news.example');
 *   const res = await api.v1.feed.$get({ query: { section: 'sport', limit: '10' } });
 *   if (res.ok) for (const item of (await res.json()).items) console.log(item.title);
 *   else console.error((await readProblem(res)).code);
 *
 * Only types come from the app: a bundler keeps nothing of the Worker but `hc` itself.
 */
import { type ClientRequestOptions, hc } from 'hono/client';
import type { InferOutput } from 'valibot';
import type { AppType } from './app.ts';
import type {
  ArticlesResponse,
  FeedResponse,
  TrimmedArticle as TrimmedArticleSchema,
  TrimmedArticlesResponse,
  TrimmedFeedResponse,
} from './routes/feeds.ts';
import type { SearchResponse, TrimmedSearchResponse } from './routes/search.ts';

export type { AppType } from './app.ts';
import type { Problem } from './http/problem.ts';

export type { ErrorCode, FieldError, Problem } from './http/problem.ts';
export type { ClientRequestOptions, InferRequestType, InferResponseType } from 'hono/client';
export type { Article, ArticleSummary } from './core/content/article.ts';
export type { Trimmed } from './http/schemas.ts';

/*
 * The answers by the names the OpenAPI document gives them. A route that takes `fields=`
 * answers the whole one without it and the Trimmed one with it (`id`, and the fields named),
 * so its answer is typed as either: narrow with a cast to the whole type when no `fields`
 * was sent.
 */
export type FeedPage = InferOutput<typeof FeedResponse>;
export type TrimmedFeedPage = InferOutput<typeof TrimmedFeedResponse>;
export type ArticleList = InferOutput<typeof ArticlesResponse>;
export type TrimmedArticleList = InferOutput<typeof TrimmedArticlesResponse>;
export type TrimmedArticle = InferOutput<typeof TrimmedArticleSchema>;
export type SearchResult = InferOutput<typeof SearchResponse>;
export type TrimmedSearchResult = InferOutput<typeof TrimmedSearchResponse>;

/**
 * Computed once here, so a compiler reuses it instead of re-deriving it from AppType at every
 * call site (hono.dev/docs/guides/rpc, "Compile your code before using it").
 */
export type EdgeNewsClient = ReturnType<typeof hc<AppType>>;

/**
 * The RFC 9457 body of an answer that is not ok. The client types only the success bodies
 * (errors are thrown inside the routes), so this says what the others hold.
 */
export async function readProblem(res: { json(): Promise<unknown> }): Promise<Problem> {
  return (await res.json()) as Problem;
}

/** A client for the Edge News Worker at `baseUrl`; `options.fetch` replaces the global fetch. */
export function edgeNewsClient(baseUrl: string, options?: ClientRequestOptions): EdgeNewsClient {
  return hc<AppType>(baseUrl, options);
}
