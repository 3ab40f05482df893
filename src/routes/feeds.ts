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
import {
  cursorParam,
  fieldsAnswer,
  fieldsParam,
  instantParam,
  langParam,
  limitParam,
  pickFields,
  pickItemFields,
  sectionParam,
  sourceParam,
  trimmedPage,
  trimmedSchema,
} from '../http/schemas.ts';
import { validate } from '../http/validate.ts';
import { nextLinkDoc, setNextLink } from '../http/link.ts';
import { liveArticles, liveSummaries, snapshotFeedSource } from '../storage/feed.ts';
import { requirePointer, snapshotUnavailable } from '../http/pointer.ts';
import { readArticle, readSections } from '../storage/snapshots.ts';
import { MAX_BULK_KEYS, readArticles } from '../storage/articles.ts';

/** The fields `fields=` may keep, straight from the response schemas. */
const SUMMARY_FIELDS = Object.keys(ArticleSummary.entries);
const ARTICLE_FIELDS = Object.keys(Article.entries);

/**
 * The published-time range of a feed (docs/sync.md): (since, until], `until` not before
 * `since` (`inOrder`, checked in the query's pipe). The reader feeds share both.
 */
export const TimeRange = {
  since: instantParam,
  until: instantParam,
};
export const inOrder = (q: { since?: string | undefined; until?: string | undefined }) =>
  !q.since || !q.until || q.since <= q.until;
export const UNTIL_BEFORE_SINCE = 'must not be before `since`';
export const FeedQuery = v.pipe(
  v.object({
    section: sectionParam,
    lang: langParam,
    source: sourceParam,
    ...TimeRange,
    limit: limitParam(100, 20),
    cursor: cursorParam,
    fields: fieldsParam(SUMMARY_FIELDS),
  }),
  v.forward(
    v.check((q) => inOrder(q), UNTIL_BEFORE_SINCE),
    ['until'],
  ),
);
export type FeedQuery = v.InferOutput<typeof FeedQuery>;
const FEED_PARAMS = queryParams(FeedQuery);

const articleId = v.pipe(
  v.string(),
  v.regex(/^[a-z0-9-]{1,64}$/, 'must be an article id (lowercase letters, digits, dashes)'),
);
export const ArticleIdParam = v.object({ id: articleId });
export const ArticleQuery = v.object({ fields: fieldsParam(ARTICLE_FIELDS) });

const IDS_MESSAGE = `must be 1 to ${MAX_BULK_KEYS} article ids separated by commas`;
/** `ids=a,b,c` (Feedbin's `ids=`): up to one KV bulk get of them, each once, in order. */
export const ArticlesQuery = v.object({
  ids: v.pipe(
    // Missing reads as empty: one message for both.
    v.optional(v.string(IDS_MESSAGE), ''),
    v.minLength(1, IDS_MESSAGE),
    v.maxLength(MAX_BULK_KEYS * 65, IDS_MESSAGE),
    v.transform((s) => [...new Set(s.split(',').map((id) => id.trim()))]),
    v.check((ids) => ids.length <= MAX_BULK_KEYS, IDS_MESSAGE),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const bad = dataset.value.filter((id) => !v.is(articleId, id));
      if (bad.length > 0)
        addIssue({
          message: `has ${bad.length === 1 ? 'a value that is not an article id' : 'values that are not article ids'} (lowercase letters, digits, dashes): ${bad
            .slice(0, 5)
            .map((id) => JSON.stringify(id))
            .join(', ')}`,
        });
    }),
  ),
  fields: fieldsParam(ARTICLE_FIELDS),
});

export const ArticlesResponse = v.object({
  items: v.array(Article),
  /** The ids asked for that neither the snapshot nor the approved reader news holds, in order. */
  missing: v.array(v.string()),
});

export const FeedResponse = v.object({
  items: v.array(ArticleSummary),
  next_cursor: v.nullable(v.string()),
  total: v.number(),
});

/** What `fields=` answers: the same, each item trimmed (src/http/schemas.ts, trimmedSchema). */
export const TrimmedArticle = trimmedSchema(Article);
export const TrimmedArticleSummary = trimmedSchema(ArticleSummary);
export const TrimmedArticlesResponse = trimmedPage({
  ...ArticlesResponse.entries,
  items: v.array(TrimmedArticle),
});
export const TrimmedFeedResponse = trimmedPage({
  ...FeedResponse.entries,
  items: v.array(TrimmedArticleSummary),
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
    since: query.since,
    until: query.until,
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
  .use('/v1/feed', edgeCache({ params: FEED_PARAMS }))
  .use('/v1/sections', edgeCache({ params: [] }))
  .use('/v1/articles/*', edgeCache({ params: queryParams(ArticlesQuery) }))
  .use('/v1/health', edgeCache({ params: [] }))
  .get(
    '/v1/feed',
    describeRoute({
      summary: 'Latest news, newest first',
      description:
        'Filter by section, language and source; page with the opaque `next_cursor`, which stays valid across snapshots. ' +
        '`since` and `until` keep the items published after `since` (exclusive) and up to `until` (inclusive), so consecutive ranges neither overlap nor leave a gap; `total` counts the range. ' +
        '`fields` trims each item to the fields named (and `id`).',
      responses: {
        200: {
          description: 'A page of the feed',
          content: {
            'application/json': {
              schema: resolver(fieldsAnswer(FeedResponse, TrimmedFeedResponse)),
            },
          },
          headers: nextLinkDoc,
        },
        400: problem,
      },
    }),
    validate('query', FeedQuery),
    async (c) => {
      const query = c.req.valid('query');
      const { result, builtAt } = await loadFeed(c.env, query, c.get('pointer'));
      setLastModified(c, builtAt);
      setNextLink(c, result.next_cursor, FEED_PARAMS);
      return c.json(pickItemFields(result, query.fields));
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
    '/v1/articles',
    describeRoute({
      summary: 'Many articles at once, in full',
      description: `Up to ${MAX_BULK_KEYS} ids, in one KV bulk read; the articles come in the order asked (each id once), and \`missing\` lists the ids nothing holds. \`fields\` trims each article to the fields named (and \`id\`).`,
      responses: {
        200: {
          description: 'The articles found, and the ids not found',
          content: {
            'application/json': {
              schema: resolver(fieldsAnswer(ArticlesResponse, TrimmedArticlesResponse)),
            },
          },
        },
        400: problem,
      },
    }),
    validate('query', ArticlesQuery),
    async (c) => {
      const { ids, fields } = c.req.valid('query');
      const pointer = await requirePointer(c.env.NEWS, c.get('pointer'));
      const found = await readArticles(c.env.NEWS, pointer, ids);
      setLastModified(c, pointer.built_at);
      const page = {
        items: found.filter((a) => a !== null),
        missing: ids.filter((_, i) => found[i] === null),
      };
      return c.json(pickItemFields(page, fields));
    },
  )
  .get(
    '/v1/articles/:id',
    describeRoute({
      summary: 'One article, in full',
      responses: {
        200: {
          description: 'The article',
          content: {
            'application/json': { schema: resolver(fieldsAnswer(Article, TrimmedArticle)) },
          },
        },
        400: problem,
        404: problem,
      },
    }),
    validate('param', ArticleIdParam),
    validate('query', ArticleQuery),
    async (c) => {
      const { article, builtAt } = await loadArticle(
        c.env,
        c.req.valid('param').id,
        c.get('pointer'),
      );
      setLastModified(c, builtAt);
      return c.json(pickFields(article, c.req.valid('query').fields));
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
