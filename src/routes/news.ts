/**
 * Reader news: `POST /v1/news` stores a submission for moderation; once approved it is
 * merged into the feeds and search at read time (storage/submissions.ts listApprovedNews)
 * and folded into the next snapshot under the same id.
 */
import { Hono } from 'hono';
import { etag } from 'hono/etag';
import { describeRoute, resolver } from 'hono-openapi';
import * as v from 'valibot';
import type { AppEnv } from '../env.ts';
import { Article } from '../core/content/article.ts';
import { newsExpiresAt } from '../core/submissions/categories.ts';
import { newsArticleId, newsToArticle } from '../core/submissions/news.ts';
import { isLive } from '../core/submissions/records.ts';
import { NewsCreated, NewsInput } from '../core/submissions/schemas.ts';
import { newId } from '../core/submissions/tokens.ts';
import { cacheMaxAge } from '../http/cache.ts';
import { ApiError, problemDoc } from '../http/problem.ts';
import { validate } from '../http/validate.ts';
import { submissionsStore } from '../storage/submissions.ts';
import {
  acceptOnce,
  IDEMPOTENCY_PARAMETER,
  jsonBody,
  rateLimit,
  submitErrors,
} from './submission-guards.ts';

export const newsRoutes = new Hono<AppEnv>();
// Conditional GET for the live listings: an ETag from the body, 304 on If-None-Match.
newsRoutes.use(etag());

newsRoutes.post(
  '/v1/news',
  describeRoute({
    tags: ['submissions'],
    summary: 'Submit reader news; once approved it appears in the feeds and search',
    parameters: [IDEMPOTENCY_PARAMETER],
    responses: {
      201: {
        description: 'Stored, pending moderation',
        content: { 'application/json': { schema: resolver(NewsCreated) } },
      },
      ...submitErrors,
    },
  }),
  rateLimit('submit'),
  jsonBody,
  validate('json', NewsInput),
  async (c) => {
    const input = c.req.valid('json');
    const { website: _w, form_token: _f, turnstile_token: _t, ...content } = input;
    return acceptOnce(c, input, 'news', {
      create: (idempotency, { now }) =>
        submissionsStore(c.env.SUBMISSIONS).create(
          { kind: 'news', id: newId(), content, expires_at: newsExpiresAt(now), token_hash: null },
          idempotency,
          now,
        ),
      answer: (accepted, replayed) => {
        c.header('Location', `/v1/news/${newsArticleId(accepted.id)}`);
        c.header('Cache-Control', 'no-store');
        if (replayed) c.header('Idempotent-Replayed', 'true');
        const body: NewsCreated = { id: accepted.id, status: 'pending' };
        return c.json(body, 201);
      },
    });
  },
);

newsRoutes.get(
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
