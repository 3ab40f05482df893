/**
 * The typed client (`edge-news/client`): `npm run typecheck` checks the types below (the
 * `expectTypeOf` lines are compile-time assertions), and vitest checks the requests hc
 * builds for every call of test/client-calls.ts. test/worker/client.test.ts sends the
 * same calls to the real Worker.
 */
import { readFileSync } from 'node:fs';
import type { JSONParsed } from 'hono/utils/types';
import * as v from 'valibot';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  edgeNewsClient,
  type ArticleList,
  type FeedPage,
  type InferRequestType,
  type InferResponseType,
  type Problem,
  type SearchResult,
  type TrimmedArticle,
  type TrimmedArticleList,
  type TrimmedFeedPage,
  type TrimmedSearchResult,
} from 'edge-news/client';
import type { Article, ArticleSummary } from '../../src/core/content/article.ts';
import type { AdList, AdminItem, NewsCreated } from '../../src/core/submissions/schemas.ts';
import type { SearchResponse } from '../../src/routes/search.ts';
import { CALLS, type CallIds, type Route, type Schema } from '../client-calls.ts';

type IsAny<T> = 0 extends 1 & T ? true : false;
type Deeper = [never, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
/** true when `any` hides anywhere inside T, up to ten levels down (the types are not recursive). */
type HasAny<T, Depth extends number = 10> = [Depth] extends [never]
  ? false
  : IsAny<T> extends true
    ? true
    : T extends object
      ? true extends { [K in keyof T]-?: HasAny<T[K], Deeper[Depth]> }[keyof T]
        ? true
        : false
      : false;

describe('the types of the client', () => {
  it('have no any in any route: inputs, outputs, status', () => {
    // The OpenAPI document is typed by openapi-types (recursive): its own routes are checked
    // for `any` at the top only.
    type Api = Omit<Schema, '/openapi.json'>;
    type Endpoints = { [P in keyof Api]: Api[P][keyof Api[P]] }[keyof Api];
    expectTypeOf<IsAny<Endpoints>>().toEqualTypeOf<false>();
    expectTypeOf<HasAny<Endpoints>>().toEqualTypeOf<false>();
    expectTypeOf<IsAny<Schema['/openapi.json']['$get']['output']>>().toEqualTypeOf<false>();
    // The check itself can fail: it sees an `any` nested three levels down.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the `any` the check must find
    expectTypeOf<HasAny<{ a: { b: [{ c: any }] } }>>().toEqualTypeOf<true>();
  });

  /** An item trimmed by `fields=`: `id` always, every other field maybe. */
  type Trimmed<T> = {
    [K in keyof (Partial<T> & { id: string })]: (Partial<T> & { id: string })[K];
  };

  it('type the answers of the main routes exactly', () => {
    const api = edgeNewsClient('http://edge.test');
    type Feed = InferResponseType<typeof api.v1.feed.$get, 200>;
    // Whole without `fields=`, trimmed with it (all but `id` optional), as the document says.
    expectTypeOf<Feed>().toEqualTypeOf<
      | { items: ArticleSummary[]; next_cursor: string | null; total: number }
      | { items: Trimmed<ArticleSummary>[]; next_cursor: string | null; total: number }
    >();
    // The client's names for them are the document's.
    expectTypeOf<Feed>().toEqualTypeOf<FeedPage | TrimmedFeedPage>();
    expectTypeOf<TrimmedFeedPage['items'][number]>().toEqualTypeOf<Trimmed<ArticleSummary>>();
    expectTypeOf<InferResponseType<(typeof api.v1.articles)[':id']['$get'], 200>>().toEqualTypeOf<
      Article | Trimmed<Article>
    >();
    expectTypeOf<InferResponseType<(typeof api.v1.articles)['$get'], 200>>().toEqualTypeOf<
      ArticleList | TrimmedArticleList
    >();
    expectTypeOf<TrimmedArticle>().toEqualTypeOf<Trimmed<Article>>();
    // `fields=` trims search hits as it trims feed items.
    type Search = v.InferOutput<typeof SearchResponse>;
    expectTypeOf<InferResponseType<typeof api.v1.search.$get, 200>>().toEqualTypeOf<
      | Search
      | {
          [K in keyof Search]: K extends 'items' ? Trimmed<Search['items'][number]>[] : Search[K];
        }
    >();
    expectTypeOf<InferResponseType<typeof api.v1.search.$get, 200>>().toEqualTypeOf<
      SearchResult | TrimmedSearchResult
    >();
    expectTypeOf<InferResponseType<typeof api.v1.ads.$get, 200>>().toEqualTypeOf<AdList>();
    expectTypeOf<InferResponseType<typeof api.v1.news.$post, 201>>().toEqualTypeOf<NewsCreated>();
    expectTypeOf<
      InferResponseType<(typeof api.v1.admin.submissions)[':id'][':action']['$post'], 200>
      // JSON-parsed: `content` is a record of JSON values.
    >().toEqualTypeOf<JSONParsed<AdminItem>>();
    expect(api.v1.articles[':id'].$url({ param: { id: 'a-1' }, query: {} }).href).toBe(
      'http://edge.test/v1/articles/a-1',
    );
  });

  it('type the inputs: query strings, path parameters, JSON bodies', () => {
    const api = edgeNewsClient('http://edge.test');
    expectTypeOf<InferRequestType<typeof api.v1.feed.$get>['query']>().toEqualTypeOf<{
      section?: string | undefined;
      lang?: string | undefined;
      source?: string | undefined;
      limit?: string | undefined;
      cursor?: string | undefined;
      fields?: string | undefined;
      since?: string | undefined;
      until?: string | undefined;
    }>();
    expectTypeOf<InferRequestType<typeof api.v1.search.$get>['query']>().toEqualTypeOf<{
      q: string;
      in?: 'all' | 'title' | undefined;
      section?: string | undefined;
      lang?: string | undefined;
      source?: string | undefined;
      from?: string | undefined;
      to?: string | undefined;
      sort?: 'relevance' | 'newest' | undefined;
      limit?: string | undefined;
      cursor?: string | undefined;
      fields?: string | undefined;
    }>();
    expectTypeOf<
      InferRequestType<(typeof api.v1.articles)[':id']['$get']>['param']
    >().toEqualTypeOf<{
      id: string;
    }>();
    expectTypeOf<
      InferRequestType<(typeof api.v1.admin.submissions)[':id'][':action']['$post']>['param']
    >().toEqualTypeOf<{ id: string; action: 'approve' | 'reject' }>();
    expectTypeOf<
      InferRequestType<typeof api.v1.news.$post>['json']['text']
    >().toEqualTypeOf<string>();
    // A wrong input is a compile error.
    // Never called: only compiled.
    const wrong = () => [
      // @ts-expect-error `limit` is a query string, not a number
      api.v1.feed.$get({ query: { limit: 5 } }),
      // @ts-expect-error there is no such route
      api.v1.nope,
    ];
    expect(typeof wrong).toBe('function');
    expectTypeOf<Problem['code']>().toEqualTypeOf<import('edge-news/client').ErrorCode>();
  });
});

const IDS: CallIds = {
  article: 'a-1',
  section: 'sport',
  ad: 'abcdefghijklmnopqrst',
  news: 'n-abcdefghijklmnopqrst',
  manageToken: 'm'.repeat(32),
  adminToken: 'admin',
  formToken: 'form',
  apiKey: 'k'.repeat(20),
};

describe('the README example', () => {
  it('is test/readme-client.ts, which the type check compiles', () => {
    const readme = readFileSync('README.md', 'utf8');
    const from = readme.indexOf('### Typed client');
    const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(from))?.[1];
    const file = readFileSync('test/readme-client.ts', 'utf8')
      .split('\n')
      .filter((line) => !line.startsWith('//'))
      .join('\n');
    expect(from).toBeGreaterThan(0);
    expect(block).toBe(file);
  });
});

describe('every call of the client', () => {
  it('sends its route’s method and path, with the ids filled in', async () => {
    const sent: Request[] = [];
    const api = edgeNewsClient('http://edge.test', {
      fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
        sent.push(new Request(input, init));
        return Response.json({});
      },
    });
    const routes = Object.keys(CALLS) as Route[];
    for (const route of routes) await CALLS[route](api, IDS);
    const filled = (path: string) =>
      path
        .replace(':id/:action', `${IDS.ad}/approve`)
        .replace(':section', IDS.section)
        .replace(':id', route(path));
    function route(path: string) {
      if (path.startsWith('/v1/articles')) return IDS.article;
      if (path.startsWith('/v1/admin/api-keys')) return IDS.apiKey;
      if (path.startsWith('/v1/news')) return IDS.news;
      return IDS.ad;
    }
    expect(sent.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual(
      routes.map((r) => {
        const [method, path] = r.split(' ') as [string, string];
        return `${method} ${filled(path)}`;
      }),
    );
    const byRoute = new Map(routes.map((r, i) => [r, sent[i]!]));
    expect(new URL(byRoute.get('GET /v1/feed')!.url).search).toBe('?lang=en&limit=5');
    expect(byRoute.get('GET /v1/ads/:id/manage')!.headers.get('authorization')).toBe(
      `Bearer ${IDS.manageToken}`,
    );
    expect(await byRoute.get('PATCH /v1/ads/:id')!.json()).toEqual({ location: 'Lviv' });
  });
});
