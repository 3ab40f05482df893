/**
 * What the OpenAPI document names beyond the routes: the component schemas (each one the
 * very valibot object the routes validate or answer with), an example of the main ones,
 * the tags and the security schemes. scripts/openapi/document.ts does the building.
 */
import type * as v from 'valibot';
import { Article, ArticleSummary, DuplicateRef } from '../../src/core/content/article.ts';
import { Sections } from '../../src/core/snapshot/format.ts';
import {
  AdCreated,
  AdDetail,
  AdInput,
  AdList,
  AdListItem,
  AdminItem,
  AdminList,
  AdPatch,
  ApiKeyInfo,
  ApiKeyInput,
  ApiKeyIssued,
  ApiKeyList,
  NewsCreated,
  NewsInput,
  OwnerView,
  ReportInput,
} from '../../src/core/submissions/schemas.ts';
import { FieldError, type Problem as ProblemBody, Problem } from '../../src/http/problem.ts';
import {
  ArticlesResponse,
  FeedResponse,
  TrimmedArticle,
  TrimmedArticlesResponse,
  TrimmedArticleSummary,
  TrimmedFeedResponse,
} from '../../src/routes/feeds.ts';
import {
  SearchItem,
  SearchResponse,
  SuggestResponse,
  TrimmedSearchItem,
  TrimmedSearchResponse,
} from '../../src/routes/search.ts';
import type { Contract, OperationExample } from './document.ts';
import operationExamples from './examples.json' with { type: 'json' };

const SCHEMAS = {
  Article,
  ArticleSummary,
  DuplicateRef,
  FeedPage: FeedResponse,
  ArticleList: ArticlesResponse,
  // What `fields=` answers: each one the schema above it with every property optional but `id`.
  TrimmedArticle,
  TrimmedArticleSummary,
  TrimmedFeedPage: TrimmedFeedResponse,
  TrimmedArticleList: TrimmedArticlesResponse,
  Sections,
  SearchResult: SearchResponse,
  SearchHit: SearchItem,
  TrimmedSearchResult: TrimmedSearchResponse,
  TrimmedSearchHit: TrimmedSearchItem,
  Suggestions: SuggestResponse,
  Ad: AdDetail,
  AdSummary: AdListItem,
  AdPage: AdList,
  AdInput,
  AdPatch,
  AdCreated,
  OwnerView,
  NewsInput,
  NewsCreated,
  ReportInput,
  Submission: AdminItem,
  SubmissionPage: AdminList,
  ApiKeyInput,
  ApiKey: ApiKeyInfo,
  ApiKeyIssued,
  ApiKeyList,
  Problem,
  FieldError,
} satisfies Record<string, v.GenericSchema>;

type Out<Name extends keyof typeof SCHEMAS> = v.InferOutput<(typeof SCHEMAS)[Name]>;

const summary: Out<'ArticleSummary'> = {
  id: 'c3f1d6a09b2e4f71',
  title: 'City council approves the new tram line',
  summary: 'The line links the station with the university campus and opens in 2026.',
  url: 'https://news.example/city/tram-line',
  source: 'City Wire',
  section: 'city',
  tags: ['transport'],
  authors: ['Olena Kovalenko'],
  lang: 'en',
  published: '2024-11-20T09:30:00.000Z',
  image: 'https://img.news.example/tram.jpg',
  image_credit: 'Photo: City Wire',
  duplicate_count: 1,
};
const article: Out<'Article'> = {
  ...summary,
  summary_from_source: true,
  body: 'The city council approved the new tram line on Wednesday. The line links the station with the university campus.',
  duplicates: [
    {
      id: '9a0b7c4e1d2f3a55',
      source: 'Metro Daily',
      url: 'https://metro.example/tram',
      title: 'Council says yes to tram line',
    },
  ],
};
const problem: ProblemBody = {
  type: 'https://edge-news.dev/problems/invalid-query',
  title: 'Bad Request',
  status: 400,
  detail: 'The request query is invalid: limit: must be a whole number from 1 to 100',
  code: 'invalid_query',
  instance: '/v1/feed',
  errors: [{ field: 'limit', message: 'must be a whole number from 1 to 100' }],
};
const EXAMPLES: { [Name in keyof typeof SCHEMAS]?: Out<Name> } = {
  ArticleSummary: summary,
  Article: article,
  FeedPage: { items: [summary], next_cursor: 'eyJ2IjoyLCJrIjpbIjIwMjQtMTEtMjAiXX0', total: 1 },
  SearchResult: {
    query: 'tram line',
    total: 1,
    total_exact: true,
    match: 'all',
    corrections: [],
    items: [
      {
        id: summary.id,
        title: summary.title,
        snippet: 'The city council approved the new tram line on Wednesday.',
        section: summary.section,
        lang: summary.lang,
        source: summary.source,
        published: summary.published,
        url: summary.url,
        image: summary.image,
        score: 7.412,
        highlights: { title: [[29, 33]], snippet: [[33, 37]] },
      },
    ],
    next_cursor: null,
  },
  Ad: {
    id: 'k7q2m4x9b3c5d6e2f2g4',
    title: 'Red city bicycle',
    text: 'A red city bicycle in good condition, with lights and a rack.',
    category: 'other',
    price: { amount: 120, currency: 'EUR' },
    contact: { name: 'Anna', email: 'anna@example.com', phone: null },
    location: 'Kyiv',
    lang: 'en',
    images: ['https://img.example.com/bicycle.jpg'],
    published: '2024-11-20T10:00:00.000Z',
    expires_at: '2024-12-20T10:00:00.000Z',
  },
  AdCreated: {
    id: 'k7q2m4x9b3c5d6e2f2g4',
    status: 'pending',
    expires_at: '2024-12-20T10:00:00.000Z',
    manage_token: 'mT0k3n-shown-once-keep-it-secret',
  },
  NewsInput: {
    title: 'Footbridge closed after the flood warning',
    text: 'The footbridge over the river was closed this morning after the flood warning; it reopens once the water is down.',
    url: 'https://example.org/footbridge',
    section: 'local',
    lang: 'en',
    source: 'Reader',
    website: '',
    form_token: 'form-token-from-GET-/v1/form-token',
  },
  Problem: problem,
};

type Security = Record<string, string[]>[];
const ADMIN: Security = [{ adminToken: [] }];
const OWNER: Security = [{ manageToken: [] }];
/** Browsers send none (`{}`: the form token path); an app may send its key. */
const APP: Security = [{}, { apiKey: [] }];
/** Which token each operation takes (test/node/openapi.test.ts: exactly those that answer 401). */
const SECURITY: Record<string, Security> = {
  'GET /v1/admin/submissions': ADMIN,
  'POST /v1/admin/submissions/{id}/{action}': ADMIN,
  'GET /v1/admin/api-keys': ADMIN,
  'POST /v1/admin/api-keys': ADMIN,
  'DELETE /v1/admin/api-keys/{id}': ADMIN,
  'POST /v1/admin/publish-lease/acquire': ADMIN,
  'POST /v1/admin/publish-lease/release': ADMIN,
  'POST /v1/admin/publish-lease/renew': ADMIN,
  'GET /v1/ads/{id}/manage': OWNER,
  'PATCH /v1/ads/{id}': OWNER,
  'DELETE /v1/ads/{id}': OWNER,
  'POST /v1/ads/{id}/renew': OWNER,
  'POST /v1/ads': APP,
  'POST /v1/news': APP,
};

export const CONTRACT: Contract = {
  info: {
    title: 'Edge News',
    version: '1.0.0',
    description:
      'Feeds, search and submissions for news aggregators, served from Cloudflare Workers and KV. ' +
      'Every error is an RFC 9457 `application/problem+json` body (the Problem schema); its `code` says what went wrong, ' +
      'and the Problem schema lists every code with its status and meaning. ' +
      'A typed client for TypeScript is `edge-news/client` (README, "Typed client").',
  },
  tags: [
    { name: 'feeds', description: 'The live snapshot for apps: feed pages, sections, articles.' },
    { name: 'reader feeds', description: 'JSON Feed 1.1, RSS 2.0 and Atom 1.0 for feed readers.' },
    { name: 'search', description: 'Full-text search and completions (docs/search.md).' },
    { name: 'submissions', description: 'Classified ads and reader news (docs/submissions.md).' },
    { name: 'admin', description: 'Moderation and API keys, behind the admin token.' },
  ],
  schemas: SCHEMAS,
  examples: EXAMPLES,
  securitySchemes: {
    adminToken: {
      type: 'http',
      scheme: 'bearer',
      description: 'The ADMIN_TOKEN secret (`wrangler secret put ADMIN_TOKEN`): moderation.',
    },
    manageToken: {
      type: 'http',
      scheme: 'bearer',
      description: 'The `manage_token` that `POST /v1/ads` answered: its owner routes.',
    },
    apiKey: {
      type: 'http',
      scheme: 'bearer',
      description:
        "An app's API key (issued by the admin, `POST /v1/admin/api-keys`): submissions without a form token, with a rate limit of their own.",
    },
  },
  security: (operation) => SECURITY[operation],
  tagOf: (path) =>
    path.startsWith('/v1/search') || path.startsWith('/v1/suggest')
      ? 'search'
      : path.startsWith('/v1/')
        ? 'feeds'
        : 'reader feeds',
  problem: 'Problem',
  // The GET answers are the Worker's own on the sample (scripts/sample/news-page.jsonl);
  // test/worker/contract.test.ts asks the Worker each request and compares, and produces
  // every 429 example by using up its limit.
  operationExamples: operationExamples as Record<string, Record<string, OperationExample>>,
  // What src/routes/submission-guards.ts (rateLimited, rateLimitHeaders) sends with a 429.
  rateLimitHeaders: {
    'Retry-After': {
      description: 'Seconds until a request may succeed again (RFC 9110, section 10.2.3)',
      schema: { type: 'integer', minimum: 1 },
    },
    RateLimit: {
      description:
        'The limit\'s state (draft-ietf-httpapi-ratelimit-headers-09): `"<policy>";r=<requests left>;t=<seconds until the window resets>`',
      schema: { type: 'string' },
    },
    'RateLimit-Policy': {
      description: 'The limit (same draft): `"<policy>";q=<requests>;w=<window in seconds>`',
      schema: { type: 'string' },
    },
    'RateLimit-Limit': {
      description: 'Requests allowed in a window (the older triple)',
      schema: { type: 'integer', minimum: 1 },
    },
    'RateLimit-Remaining': {
      description: 'Requests left in this window',
      schema: { type: 'integer', minimum: 0 },
    },
    'RateLimit-Reset': {
      description: 'Seconds until the window resets',
      schema: { type: 'integer', minimum: 0 },
    },
  },
};
