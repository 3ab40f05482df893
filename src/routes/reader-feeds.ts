/**
 * Feeds for feed readers: JSON Feed 1.1, RSS 2.0 and Atom 1.0, for everything and per
 * section, each with `?lang=` and paging (JSON Feed `next_url`, RFC 5005 rel="next").
 */
import { type Context, Hono } from 'hono';
import type { ExtractSchema } from 'hono/types';
import { describeRoute } from '../http/openapi.ts';
import * as v from 'valibot';
import type { AppEnv } from '../env.ts';
import { type FeedMeta, renderAtom, renderJsonFeed, renderRss } from '../core/feed/formats.ts';
import { edgeCache, queryParams, setLastModified } from '../http/cache.ts';
import { cursorParam, langParam, limitParam, sectionSlug } from '../http/schemas.ts';
import { validate } from '../http/validate.ts';
import { nextLinkDoc } from '../http/link.ts';
import { absoluteUrl, publicOrigin } from '../http/public-url.ts';
import { inOrder, loadFeed, TimeRange, UNTIL_BEFORE_SINCE } from './feeds.ts';

const FORMATS = {
  json: {
    type: 'application/feed+json',
    render: (meta: FeedMeta, items: Parameters<typeof renderRss>[1]) =>
      JSON.stringify(renderJsonFeed(meta, items)),
  },
  xml: { type: 'application/rss+xml', render: renderRss },
  atom: { type: 'application/atom+xml', render: renderAtom },
} as const;
type Format = keyof typeof FORMATS;

const ReaderQuery = v.pipe(
  v.object({ lang: langParam, ...TimeRange, limit: limitParam(100, 50), cursor: cursorParam }),
  v.forward(
    v.check((q) => inOrder(q), UNTIL_BEFORE_SINCE),
    ['until'],
  ),
);
const READER_PARAMS = queryParams(ReaderQuery);
const SectionParam = v.object({ section: sectionSlug });

export const readerFeedRoutes = new Hono<AppEnv>()
  .use('/feed.*', edgeCache({ params: READER_PARAMS }))
  .use('/sections/*', edgeCache({ params: READER_PARAMS }));

const describeFeed = (ext: Format, perSection: boolean) =>
  describeRoute({
    summary: `${ext === 'json' ? 'JSON Feed 1.1' : ext === 'xml' ? 'RSS 2.0' : 'Atom 1.0'} of the latest news${perSection ? ' in one section' : ''}`,
    description:
      '`since` and `until` (ISO 8601 date-times with a time zone) keep the items published after `since` (exclusive) and up to `until` (inclusive), as on `/v1/feed`; the next page keeps the range.',
    responses: {
      200: {
        description: 'The feed',
        content: { [FORMATS[ext].type]: {} },
        headers: nextLinkDoc,
      },
      400: { description: 'Problem details (RFC 9457)' },
    },
  });

/** A page of the feed in `ext`, for everything or one section. */
async function answerFeed(
  c: Context<AppEnv>,
  ext: Format,
  query: v.InferOutput<typeof ReaderQuery>,
  section: string | undefined,
): Promise<Response> {
  const format = FORMATS[ext];
  const { result, builtAt } = await loadFeed(
    c.env,
    { ...query, section, source: undefined },
    c.get('pointer'),
  );
  const site = publicOrigin(c);
  /** This feed's URL at `cursor`; `range`: with since and until (not in the feed's id). */
  const pageUrl = (cursor?: string, range = true) => {
    const url = new URL(absoluteUrl(c, new URL(c.req.url).pathname));
    if (query.lang) url.searchParams.set('lang', query.lang);
    // A trimmed feed pages within its range: the next page keeps since and until.
    if (range && query.since) url.searchParams.set('since', query.since);
    if (range && query.until) url.searchParams.set('until', query.until);
    if (c.req.query('limit')) url.searchParams.set('limit', String(query.limit));
    if (cursor) url.searchParams.set('cursor', cursor);
    return url.toString();
  };
  const meta: FeedMeta = {
    title: `${c.env.SITE_TITLE}${section ? `: ${section}` : ''}${query.lang ? ` (${query.lang})` : ''}`,
    description: `Latest news${section ? ` in ${section}` : ''}${query.lang ? ` in ${query.lang}` : ''} from ${c.env.SITE_TITLE}.`,
    home_page_url: site,
    feed_url: pageUrl(query.cursor),
    id: pageUrl(undefined, false),
    next_url: result.next_cursor ? pageUrl(result.next_cursor) : null,
    updated: builtAt,
    ...(query.lang ? { language: query.lang } : {}),
  };
  setLastModified(c, builtAt);
  // The next page in a header too (RFC 8288), as on /v1/feed: no body parsing needed.
  if (meta.next_url) c.header('Link', `<${meta.next_url}>; rel="next"`);
  return c.body(format.render(meta, result.items), 200, {
    'content-type': `${format.type}; charset=utf-8`,
  });
}

/**
 * The feed of everything and of one section in `ext`. Functions of the format, rather than
 * a loop over paths, so that the routes keep their literal paths in their type
 * (`ReaderFeedSchema`, the typed client).
 */
const feed = <Ext extends Format>(ext: Ext) =>
  readerFeedRoutes.get(
    `/feed.${ext}`,
    describeFeed(ext, false),
    validate('query', ReaderQuery),
    async (c) => answerFeed(c, ext, c.req.valid('query'), undefined),
  );
const sectionFeed = <Ext extends Format>(ext: Ext) =>
  readerFeedRoutes.get(
    `/sections/:section/feed.${ext}`,
    describeFeed(ext, true),
    validate('param', SectionParam),
    validate('query', ReaderQuery),
    async (c) => answerFeed(c, ext, c.req.valid('query'), c.req.valid('param').section),
  );

for (const ext of ['json', 'xml', 'atom'] as const) {
  feed(ext);
  sectionFeed(ext);
}

/** The six feeds as one type, for the typed client (src/client.ts). */
export type ReaderFeedSchema = ExtractSchema<
  ReturnType<typeof feed<Format>> | ReturnType<typeof sectionFeed<Format>>
>;
