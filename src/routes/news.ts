/**
 * Reader news: `POST /v1/news` stores a submission for moderation; once approved it is
 * merged into the feeds and search at read time (storage/submissions.ts listApprovedNews)
 * and folded into the next snapshot under the same id.
 */
import { Hono } from 'hono';
import type { ExtractSchema } from 'hono/types';
import { etag } from 'hono/etag';
import { describeRoute, jsonInput, resolver } from '../http/openapi.ts';
import * as v from 'valibot';
import type { AppEnv } from '../env.ts';
import { Article } from '../core/content/article.ts';
import { newsToArticle } from '../core/submissions/news.ts';
import { isLive } from '../core/submissions/records.ts';
import { NewsCreated, NewsInput } from '../core/submissions/schemas.ts';
import { cacheMaxAge } from '../http/cache.ts';
import { ApiError, problemDoc } from '../http/problem.ts';
import { validate } from '../http/validate.ts';
import { submissionsStore } from '../storage/submissions.ts';
import { submit } from '../storage/submissions/submit.ts';
import {
  announcePolicy,
  apiKeyErrors,
  answerSubmission,
  IDEMPOTENCY_PARAMETER,
  json,
  jsonBody,
  readJson,
  submitClient,
  submitErrors,
  submitPolicy,
} from './submission-guards.ts';

export const newsRoutes = new Hono<AppEnv>();
// Conditional GET for the live listings: an ETag from the body, 304 on If-None-Match.
newsRoutes.use(etag());

const _postNews = newsRoutes.post(
  '/v1/news',
  describeRoute({
    tags: ['submissions'],
    summary: 'Submit reader news; once approved it appears in the feeds and search',
    parameters: [IDEMPOTENCY_PARAMETER],
    requestBody: { required: true, content: json(NewsInput) },
    responses: {
      201: { description: 'Stored, pending moderation', content: json(NewsCreated) },
      ...submitErrors,
      ...apiKeyErrors,
    },
  }),
  announcePolicy(submitPolicy),
  jsonBody,
  jsonInput(NewsInput),
  async (c) =>
    answerSubmission(c, await submit(c.env, 'news', await readJson(c), submitClient(c)), 'news'),
);

const _getNewsId = newsRoutes.get(
  '/v1/news/:id',
  describeRoute({
    tags: ['submissions'],
    summary: 'One approved piece of reader news, as an article',
    responses: {
      200: {
        description: 'The article',
        content: { 'application/json': { schema: resolver(Article) } },
      },
      404: problemDoc('Not approved, or no such news'),
    },
  }),
  validate(
    'param',
    v.object({
      id: v.pipe(v.string(), v.regex(/^n-[a-z2-7]{20}$/, 'must be a reader news id (n-...)')),
    }),
  ),
  async (c) => {
    const id = c.req.valid('param').id.slice(2);
    const record = await submissionsStore(c.env.SUBMISSIONS).get(id);
    if (record?.kind !== 'news' || !isLive(record, Date.now()))
      throw new ApiError('not_found', 'No such approved news.');
    c.header('Cache-Control', `public, max-age=${cacheMaxAge(c.env)}`);
    return c.json(
      newsToArticle(record.id, record.content, record.approved_at ?? record.created_at),
    );
  },
);

/**
 * The routes above as one type, for the typed client (src/client.ts): each statement added
 * one route to `newsRoutes` (its value, named `_…`, is kept for its type only), and `.route()`
 * in src/routes/api.ts carries this type as a chain would have.
 */
export type NewsSchema = ExtractSchema<typeof _postNews | typeof _getNewsId>;
