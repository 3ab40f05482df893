/**
 * The feed API for apps: latest news per section, language and source, the sections,
 * one article, and the health of the live snapshot.
 */
import { Hono } from 'hono';
import { describeRoute, resolver } from '../http/openapi.ts';
import * as v from 'valibot';
import type { AppEnv } from '../env.ts';
import { Article, ArticleSummary } from '../core/content/article.ts';
import { decodeCursor, type FeedResult, pageFeed } from '../core/feed/paging.ts';
import { Counts, type Pointer, Sections } from '../core/snapshot/format.ts';
import { edgeCache, queryParams, setLastModified } from '../http/cache.ts';
import { ApiError, invalidCursor, problemDoc } from '../http/problem.ts';
import { cursorParam, langParam, limitParam, sectionParam, sourceParam } from '../http/schemas.ts';
import { validate } from '../http/validate.ts';
import { liveArticles, liveSummaries, snapshotFeedSource } from '../storage/feed.ts';
import { requirePointer, snapshotUnavailable } from '../http/pointer.ts';
import { readArticle, readSections } from '../storage/snapshots.ts';

export const FeedQuery = v.object({
  section: sectionParam,
  lang: langParam,
  source: sourceParam,
  limit: limitParam(100, 20),
  cursor: cursorParam,
});
export type FeedQuery = v.InferOutput<typeof FeedQuery>;

export const ArticleIdParam = v.object({
  id: v.pipe(
    v.string(),
    v.regex(/^[a-z0-9-]{1,64}$/, 'must be an article id (lowercase letters, digits, dashes)'),
  ),
});

export const FeedResponse = v.object({
  items: v.array(ArticleSummary),
  next_cursor: v.nullable(v.string()),
  total: v.number(),
});

const problem = problemDoc();

/** Shared by the JSON feed API and the reader feeds (feed.json, RSS, Atom). */
export async function loadFeed(
  env: Env,
  query: FeedQuery,
  known?: Pointer,
): Promise<{ result: FeedResult; builtAt: string }> {
  const cursor = query.cursor === undefined ? null : decodeCursor(query.cursor);
  if (query.cursor !== undefined && cursor === null) {
    throw invalidCursor(
      'The cursor is not valid: pass back the next_cursor of a previous page unchanged.',
      'is not a cursor this API issued',
    );
  }
  const pointer = await requirePointer(env.NEWS, known);
  const result = await pageFeed(snapshotFeedSource(env.NEWS, pointer), {
    filter: { section: query.section, lang: query.lang, source: query.source },
    limit: query.limit,
    cursor,
    live: await liveSummaries(env.NEWS, pointer),
  });
  return { result, builtAt: pointer.built_at };
}

/** One article from the live snapshot, or approved reader news not folded in yet; 404 otherwise. */
export async function loadArticle(
  env: Env,
  id: string,
  known?: Pointer,
): Promise<{ article: Article; builtAt: string }> {
  const pointer = await requirePointer(env.NEWS, known);
  const article =
    (await readArticle(env.NEWS, pointer, id)) ??
    (await liveArticles(env.NEWS, pointer)).find((a) => a.id === id);
  if (!article) throw new ApiError('not_found', `No article has the id "${id}".`);
  return { article, builtAt: pointer.built_at };
}

export const feedRoutes = new Hono<AppEnv>()
  .use('/v1/feed', edgeCache({ params: queryParams(FeedQuery) }))
  .use('/v1/sections', edgeCache({ params: [] }))
  .use('/v1/articles/*', edgeCache({ params: [] }))
  .use('/v1/health', edgeCache({ params: [] }))
  .get(
    '/v1/feed',
    describeRoute({
      summary: 'Latest news, newest first',
      description:
        'Filter by section, language and source; page with the opaque `next_cursor`, which stays valid across snapshots.',
      responses: {
        200: {
          description: 'A page of the feed',
          content: { 'application/json': { schema: resolver(FeedResponse) } },
        },
        400: problem,
      },
    }),
    validate('query', FeedQuery),
    async (c) => {
      const { result, builtAt } = await loadFeed(c.env, c.req.valid('query'), c.get('pointer'));
      setLastModified(c, builtAt);
      return c.json(result);
    },
  )
  .get(
    '/v1/sections',
    describeRoute({
      summary: 'Sections with item counts and latest publish time, per language',
      responses: {
        200: {
          description: 'Sections',
          content: { 'application/json': { schema: resolver(Sections) } },
        },
      },
    }),
    async (c) => {
      const pointer = await requirePointer(c.env.NEWS, c.get('pointer'));
      const sections = await readSections(c.env.NEWS, pointer);
      setLastModified(c, pointer.built_at);
      return c.json(sections ?? { sections: [] });
    },
  )
  .get(
    '/v1/articles/:id',
    describeRoute({
      summary: 'One article, in full',
      responses: {
        200: {
          description: 'The article',
          content: { 'application/json': { schema: resolver(Article) } },
        },
        400: problem,
        404: problem,
      },
    }),
    validate('param', ArticleIdParam),
    async (c) => {
      const { article, builtAt } = await loadArticle(
        c.env,
        c.req.valid('param').id,
        c.get('pointer'),
      );
      setLastModified(c, builtAt);
      return c.json(article);
    },
  )
  .get(
    '/v1/health',
    describeRoute({
      summary: 'The live snapshot: version, build time, counts',
      responses: {
        200: {
          description: 'Health',
          content: {
            'application/json': {
              schema: resolver(
                v.object({
                  status: v.literal('ok'),
                  snapshot: v.string(),
                  built_at: v.string(),
                  published_at: v.string(),
                  counts: Counts,
                }),
              ),
            },
          },
        },
        503: problem,
      },
    }),
    async (c) => {
      const pointer = await requirePointer(c.env.NEWS, c.get('pointer'));
      // The pointer alone is not health: its snapshot's values must still be there (a
      // pointer left on a pruned snapshot would serve empty feeds). One small value says so.
      const sections = await readSections(c.env.NEWS, pointer).catch((error: unknown) => {
        console.error(`health: sections of ${pointer.snapshot} unreadable: ${String(error)}`);
        return null;
      });
      if (!sections)
        throw snapshotUnavailable(
          `The live snapshot ${pointer.snapshot} has lost its values (pruned or damaged).`,
        );
      setLastModified(c, pointer.built_at);
      return c.json({
        status: 'ok' as const,
        snapshot: pointer.snapshot,
        built_at: pointer.built_at,
        published_at: pointer.published_at,
        counts: pointer.counts,
      });
    },
  );
