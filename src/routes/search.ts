/**
 * Search and suggest over the live snapshot's index (src/core/search), with approved
 * reader news that came after the snapshot merged in. docs/search.md has the design.
 */
import { type Context, Hono } from 'hono';
import { describeRoute, resolver } from '../http/openapi.ts';
import * as v from 'valibot';
import type { AppEnv } from '../env.ts';
import {
  decodeSearchCursor,
  encodeSearchCursor,
  MAX_OFFSET,
  queryDigest,
} from '../core/search/cursor.ts';
import type { Pointer } from '../core/snapshot/format.ts';
import type { SegmentSet } from '../core/search/segments.ts';
import {
  type Hit,
  parseQuery,
  SearchEngine,
  type SearchParams,
  type SearchResult,
  withArticleSnippets,
} from '../core/search/query.ts';
import { articleText } from '../core/search/highlight.ts';
import type { Article } from '../core/content/article.ts';
import { invalidCursor, problemDoc } from '../http/problem.ts';
import {
  cursorParam,
  fieldsAnswer,
  fieldsParam,
  langParam,
  limitParam,
  pickItemFields,
  sectionParam,
  sourceParam,
  trimmedPage,
  trimmedSchema,
} from '../http/schemas.ts';
import { parseSearchQuery, QuerySyntaxError } from '../core/search/syntax.ts';
import type { ParsedQuery } from '../core/search/understand.ts';
import { readArticles as readMany } from '../storage/articles.ts';
import { validate } from '../http/validate.ts';
import { nextLinkDoc, setNextLink } from '../http/link.ts';
import { liveArticles } from '../storage/feed.ts';
import { readArticles } from '../storage/snapshots.ts';
import { requirePointer } from '../http/pointer.ts';
import { liveIndex, searchHead, searchSegmentIds, snapshotIndex } from '../storage/search-index.ts';
import { edgeCache, queryParams } from '../http/cache.ts';
import type { KeepAlive } from '../core/lib/part-cache.ts';

/** Longest query accepted: a headline pasted whole fits; anything longer is not a search. */
export const MAX_QUERY_CHARS = 200;

/**
 * The query text, tokenized here once per request: the prefetch and the search use the
 * parsed words. A blank or over-long q stops at its own message (valibot skips the
 * transformation after an issue).
 */
const queryText = (parse: (q: string) => ParsedQuery) =>
  v.pipe(
    v.string('is required'),
    v.check((s) => s.trim().length > 0, 'must not be empty'),
    v.maxLength(MAX_QUERY_CHARS, `must be at most ${MAX_QUERY_CHARS} characters`),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      try {
        return parse(dataset.value);
      } catch (error) {
        if (!(error instanceof QuerySyntaxError)) throw error;
        addIssue({ message: error.message });
        return NEVER;
      }
    }),
    v.check((q) => q.words.length > 0, 'must contain at least one word'),
  );

const Range = v.tuple([v.number(), v.number()]);
export const SearchItem = v.object({
  id: v.string(),
  title: v.string(),
  snippet: v.string(),
  section: v.string(),
  lang: v.string(),
  source: v.string(),
  published: v.string(),
  url: v.nullable(v.string()),
  image: v.nullable(v.string()),
  score: v.number(),
  highlights: v.object({ title: v.array(Range), snippet: v.array(Range) }),
});
const DATE_MESSAGE = 'must be a date (2024-11-20) or an ISO 8601 date-time (2024-11-20T10:00:00Z)';
const DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;
/** A date alone means the whole day: as `from` its first millisecond, as `to` its last. */
const dateParam = (endOfDay: boolean) =>
  v.optional(
    v.pipe(
      v.string(),
      v.regex(DATE, DATE_MESSAGE),
      v.check((s) => !Number.isNaN(Date.parse(s)), DATE_MESSAGE),
      v.transform((s) => Date.parse(s) + (endOfDay && s.length === 10 ? 86_399_999 : 0)),
    ),
  );

export const SearchQuery = v.pipe(
  v.object({
    q: queryText(parseSearchQuery),
    in: v.optional(v.picklist(['all', 'title'], 'must be "all" or "title"'), 'all'),
    section: sectionParam,
    lang: langParam,
    source: sourceParam,
    from: dateParam(false),
    to: dateParam(true),
    sort: v.optional(
      v.picklist(['relevance', 'newest'], 'must be "relevance" or "newest"'),
      'relevance',
    ),
    limit: limitParam(50, 10),
    cursor: cursorParam,
    fields: fieldsParam(Object.keys(SearchItem.entries)),
  }),
  v.forward(
    v.check(
      (q) => q.from === undefined || q.to === undefined || q.from <= q.to,
      'must not be before `from`',
    ),
    ['to'],
  ),
);

export const SearchResponse = v.object({
  query: v.string(),
  total: v.number(),
  total_exact: v.boolean(),
  match: v.picklist(['all', 'any']),
  corrections: v.array(
    v.object({
      from: v.string(),
      to: v.string(),
      kind: v.picklist(['layout', 'transliteration', 'typo']),
    }),
  ),
  items: v.array(SearchItem),
  next_cursor: v.nullable(v.string()),
});
type SearchItem = v.InferOutput<typeof SearchItem>;
/** What `fields=` answers: the same, each hit trimmed (src/http/schemas.ts, trimmedSchema). */
export const TrimmedSearchItem = trimmedSchema(SearchItem);
export const TrimmedSearchResponse = trimmedPage({
  ...SearchResponse.entries,
  items: v.array(TrimmedSearchItem),
});

export const SuggestQuery = v.object({ q: queryText(parseQuery), limit: limitParam(20, 8) });
export const SuggestResponse = v.object({
  query: v.string(),
  suggestions: v.array(v.object({ word: v.string(), count: v.number() })),
});

const problem = problemDoc();

function toItem(hit: Hit): SearchItem {
  const { id, title, section, lang, source, published, url, image } = hit.record;
  const ranges = (list: readonly { start: number; end: number }[]) =>
    list.map((r): [number, number] => [r.start, r.end]);
  return {
    id,
    title,
    snippet: hit.snippet,
    section,
    lang,
    source,
    published,
    url,
    image,
    score: Math.round(hit.score * 1000) / 1000,
    highlights: { title: ranges(hit.highlights.title), snippet: ranges(hit.highlights.snippet) },
  };
}

/** Snapshot results and live ones, merged into one ranking. */
function merge(a: SearchResult, b: SearchResult, sort: SearchParams['sort']): SearchResult {
  const hits = [...a.hits, ...b.hits].sort((x, y) =>
    sort === 'newest'
      ? y.record.published < x.record.published
        ? -1
        : y.record.published > x.record.published
          ? 1
          : 0
      : y.score - x.score,
  );
  return {
    total: a.total + b.total,
    total_exact: a.total_exact && b.total_exact,
    match: a.match === 'all' || b.match === 'all' ? 'all' : 'any',
    corrections: a.corrections.length > 0 ? a.corrections : b.corrections,
    hits,
    ...(a.checked || b.checked
      ? {
          checked: {
            examined: (a.checked?.examined ?? 0) + (b.checked?.examined ?? 0),
            texts: (a.checked?.texts ?? 0) + (b.checked?.texts ?? 0),
          },
        }
      : {}),
  };
}

const ms = (n: number) => n.toFixed(1);

/** What cutting the snippets from whole articles cost a request (Server-Timing `snippets`). */
export interface SnippetCost {
  ms: number;
  reads: number;
  bytes: number;
}

/**
 * The whole text of each hit's article, so a snippet shows the match wherever it is in the
 * article (core/search/highlight.ts): approved reader news from the list in memory, the rest in
 * one bulk read. An article that cannot be read keeps its stored snippet (and is logged):
 * the results matter more than their windows.
 */
async function articleTexts(
  env: Env,
  pointer: Pointer,
  hits: readonly Hit[],
  live: readonly Article[],
): Promise<{ texts: Map<string, string>; cost: SnippetCost }> {
  const started = performance.now();
  const fresh = new Map(live.map((a) => [a.id, a]));
  const texts = new Map<string, string>();
  const wanted: string[] = [];
  for (const { record } of hits) {
    const article = fresh.get(record.id);
    if (article) texts.set(record.id, articleText(article));
    else wanted.push(record.id);
  }
  const counter = { reads: 0, bytes: 0 };
  const found = wanted.length > 0 ? await readArticles(env.NEWS, pointer, wanted, counter) : [];
  found.forEach((article, i) => {
    if (article.status === 'rejected')
      console.warn(`search: stored snippet kept for ${wanted[i]}: ${String(article.reason)}`);
    else if (article.value) texts.set(wanted[i]!, articleText(article.value));
  });
  return { texts, cost: { ms: performance.now() - started, ...counter } };
}

export type SearchQuery = v.InferOutput<typeof SearchQuery>;
const SEARCH_PARAMS = queryParams(SearchQuery);
export type SearchResponse = v.InferOutput<typeof SearchResponse>;

/**
 * What a search needs of its request: the bindings, and `waitUntil`, which keeps the index
 * loads it starts alive for the other requests that share them (see core/lib/part-cache.ts).
 */
export interface SearchScope {
  env: Env;
  keepAlive: KeepAlive;
}

export const searchScope = (c: Context<AppEnv>): SearchScope => ({
  env: c.env,
  keepAlive: (work) => c.executionCtx.waitUntil(work),
});

/**
 * One search as the API answers it, for the JSON route and the search page alike.
 * `known` is the pointer the edge cache keyed the response with; `prefetched` the reader a
 * prefetch started with. Returns the reader too, for the route's Server-Timing.
 */
export async function runSearch(
  { env, keepAlive }: SearchScope,
  query: SearchQuery,
  known?: Pointer,
  prefetched?: SegmentSet,
): Promise<{
  body: SearchResponse;
  reader: SegmentSet;
  pointerMs: number;
  snippets: SnippetCost;
  checked: SearchResult['checked'];
}> {
  const digest = queryDigest([
    query.q.text,
    query.in,
    query.section,
    query.lang,
    query.source,
    query.from,
    query.to,
    query.sort,
  ]);
  const offset = query.cursor === undefined ? 0 : decodeSearchCursor(query.cursor, digest);
  if (offset === null) {
    throw invalidCursor(
      'The cursor is not valid for this query: pass back the next_cursor of the previous page with the same parameters.',
      'is not a cursor this API issued for this query',
    );
  }

  const started = performance.now();
  const pointer = await requirePointer(env.NEWS, known);
  const pointerMs = performance.now() - started;
  const reader = prefetched ?? snapshotIndex(env.NEWS, searchSegmentIds(pointer), keepAlive);
  const params: SearchParams = { ...query, within: query.in, offset, limit: query.limit };
  const liveList = await liveArticles(env.NEWS, pointer);
  const live = liveIndex(liveList);
  // Article texts for phrases the records cannot decide: one bulk read per batch.
  const phraseTexts = async (ids: readonly string[]) => await readMany(env.NEWS, pointer, ids);
  let result: SearchResult;
  if (live === null) {
    result = await new SearchEngine(reader, { texts: phraseTexts }).search(params);
  } else {
    // Both rankings up to the end of this page, merged, then the page cut out of it.
    const upTo = { ...params, offset: 0, limit: offset + query.limit };
    const [own, fresh] = await Promise.all([
      new SearchEngine(reader, { texts: phraseTexts }).search(upTo),
      new SearchEngine(live, { statsFrom: reader, texts: phraseTexts }).search(upTo),
    ]);
    result = merge(own, fresh, query.sort);
    result.hits = result.hits.slice(offset, offset + query.limit);
  }
  const { texts, cost } = await articleTexts(env, pointer, result.hits, liveList);
  result.hits = withArticleSnippets(result.hits, texts);
  const next = offset + query.limit;
  const body: SearchResponse = {
    query: query.q.text,
    total: result.total,
    total_exact: result.total_exact,
    match: result.match,
    corrections: result.corrections,
    items: result.hits.map(toItem),
    next_cursor:
      next < result.total && next <= MAX_OFFSET ? encodeSearchCursor(next, digest) : null,
  };
  return { body, reader, pointerMs, snippets: cost, checked: result.checked };
}

/** Completions of the last word, snapshot and live reader news counted together. */
export async function runSuggest(
  { env, keepAlive }: SearchScope,
  query: v.InferOutput<typeof SuggestQuery>,
  known?: Pointer,
): Promise<v.InferOutput<typeof SuggestResponse>> {
  const pointer = await requirePointer(env.NEWS, known);
  const own = await new SearchEngine(
    snapshotIndex(env.NEWS, searchSegmentIds(pointer), keepAlive),
  ).suggest(query.q, query.limit);
  const live = liveIndex(await liveArticles(env.NEWS, pointer));
  const counts = new Map(own.completions.map((s) => [s.word, s.count]));
  if (live !== null) {
    for (const s of (await new SearchEngine(live).suggest(query.q, query.limit)).completions)
      counts.set(s.word, (counts.get(s.word) ?? 0) + s.count);
  }
  const suggestions = [...counts]
    .map(([word, count]) => ({ word, count }))
    .sort((a, b) => b.count - a.count || (a.word < b.word ? -1 : 1))
    .slice(0, query.limit);
  return { query: query.q.text, suggestions };
}

/**
 * Starts the first round of index reads of a validated search (see SearchEngine.prefetch)
 * while the edge cache is looked up.
 */
function prefetchSearch(c: Context<AppEnv>, pointer: Pointer, query: SearchQuery): void {
  const reader = snapshotIndex(c.env.NEWS, searchSegmentIds(pointer), searchScope(c).keepAlive);
  c.set('searchReader', reader);
  new SearchEngine(reader).prefetch({ ...query, offset: 0 });
}

export const searchRoutes = new Hono<AppEnv>()
  .get(
    '/v1/search',
    describeRoute({
      summary: 'Full-text search over headlines and articles',
      description:
        'Syntax in `q`: `"a phrase"` (its words consecutive, in one field), `-word` or `NOT word` (excluded), `a OR b`; `in=title` looks in titles only (docs/sync.md). ' +
        'Every word must match (falling back to any word when none match all, for a query without operators); the last word also matches as a prefix unless the query ends in a space; ' +
        'typos are tolerated from five letters (one edit; two from nine). Russian, Ukrainian and English words match their inflected forms. ' +
        'A query typed in the wrong keyboard layout or in Latin transliteration finds Cyrillic articles, and `corrections` says what was read instead. ' +
        '`total` is exact unless `total_exact` is false: a completion or typo look-up was capped, or a single very common word was counted over the newest part of its postings and extrapolated. Highlights are [start, end) UTF-16 offsets into the returned title and snippet.',
      responses: {
        200: {
          description: 'A page of results',
          content: {
            'application/json': {
              schema: resolver(fieldsAnswer(SearchResponse, TrimmedSearchResponse)),
            },
          },
          headers: nextLinkDoc,
        },
        400: problem,
        503: problem,
      },
    }),
    validate('query', SearchQuery),
    // After validation, so no index read starts for a request that is refused. Search reads
    // its index meta with a cold pointer (one KV round trip fewer in a fresh isolate) and
    // starts its first index reads while the edge cache is looked up.
    (c, next) =>
      edgeCache({
        companion: (env) => searchHead(env.NEWS),
        params: SEARCH_PARAMS,
        prefetch: (_, pointer) => prefetchSearch(c, pointer, c.req.valid('query')),
      })(c, next),
    async (c) => {
      const started = performance.now();
      const query = c.req.valid('query');
      const { body, reader, pointerMs, snippets, checked } = await runSearch(
        searchScope(c),
        query,
        c.get('pointer'),
        c.get('searchReader'),
      );
      const total = performance.now() - started;
      const check = checked
        ? `, check;desc="${checked.examined} candidates, ${checked.texts} article texts"`
        : '';
      c.header(
        'Server-Timing',
        `pointer;dur=${ms(pointerMs)}, kv;dur=${ms(reader.readMs)};desc="${reader.reads} reads, ${reader.partsRead} parts", parse;dur=${ms(reader.parseMs)}${check}, snippets;dur=${ms(snippets.ms)};desc="${snippets.reads} reads, ${snippets.bytes} bytes", total;dur=${ms(total)}`,
      );
      setNextLink(c, body.next_cursor, SEARCH_PARAMS);
      return c.json(pickItemFields(body, query.fields));
    },
  )
  .get(
    '/v1/suggest',
    describeRoute({
      summary: 'Completions of the last word of a query',
      description:
        'Words of the index that start with the last word typed, most articles first; `count` is how many articles hold the word.',
      responses: {
        200: {
          description: 'Completions',
          content: { 'application/json': { schema: resolver(SuggestResponse) } },
        },
        400: problem,
        503: problem,
      },
    }),
    validate('query', SuggestQuery),
    edgeCache({ companion: (env) => searchHead(env.NEWS), params: queryParams(SuggestQuery) }),
    async (c) => c.json(await runSuggest(searchScope(c), c.req.valid('query'), c.get('pointer'))),
  );
