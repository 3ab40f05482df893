/**
 * Feed files as pipeline input: RSS 2.0, Atom 1.0, RDF (RSS 1.0) or JSON Feed in, records
 * shaped like `RawArticle` (src/core/content/article.ts) out. The pipeline validates and normalises
 * them like any JSON Lines record, so this module only maps fields; HTML stays in `body`
 * and `summary` (the normaliser strips it).
 *
 * Parsing is feedsmith's `parseFeed`, which detects the format; it is plain JavaScript, so the
 * build (scripts/lib/feed-input.ts), `npm run ingest` and the Worker's scheduled poll
 * (src/scheduled.ts) share this module. Bytes are decoded first (`parseFeedBytes`, ./charset.ts).
 *
 * Field mapping, first present wins:
 *   source     options.source, channel/feed title
 *   lang       item language (JSON Feed), feed language (RSS <language>, Atom xml:lang,
 *              JSON Feed language, RDF dc:language), options.lang; primary subtag, lower case
 *              ("en-GB" -> "en"), as the rest of the project keys languages by "ru"/"en"/"uk"
 *   section    options.section, first category (RSS <category>, Atom term, JSON Feed tag),
 *              lower case; else null (the normaliser's default section)
 *   tags       all categories (Atom: label, else term)
 *   published  RSS pubDate / dc:date, Atom published / updated, JSON date_published /
 *              date_modified; converted to ISO 8601 UTC; absent -> null
 *   body       content:encoded / Atom content / content_html / content_text, else the
 *              description or summary
 *   summary    the description or summary, when the body came from full content
 *   image      image enclosure, media:content / media:thumbnail, Atom rel="enclosure"
 *              image link, JSON Feed image / banner_image
 *   image_credit  media:credit of the image's media:content, else of the item (Media RSS 2.0,
 *              https://www.rssboard.org/media-rss#media-credit); JSON Feed has none
 *   authors    RSS author / dc:creator, Atom author names (else the feed's), JSON Feed authors
 */
import { parseFeed, type AnyFeed } from 'feedsmith';
import { decodeFeed } from './charset.ts';

export interface FeedInputOptions {
  /** Section for every record of this feed (wins over categories). */
  section?: string;
  /** Language when the feed does not declare one. */
  lang?: string;
  /** Outlet name when the feed has no title. */
  source?: string;
}

/** A record in the `RawArticle` input shape. */
export interface FeedRecord {
  id: string | null;
  source: string;
  section: string | null;
  lang: string;
  published: string | null;
  title: string;
  body: string;
  url: string | null;
  summary: string | null;
  image: string | null;
  image_credit: string | null;
  tags: string[];
  authors: string[];
}

type Parsed = AnyFeed<string>;

/** What every format is reduced to before the shared checks. */
interface Entry {
  id?: string | undefined;
  title?: string | undefined;
  url?: string | undefined;
  date?: string | undefined;
  content?: string | undefined;
  description?: string | undefined;
  image?: string | undefined;
  imageCredit?: string | undefined;
  /** Machine-readable first: the first one is the section hint. */
  categories: string[];
  /** Display names of the categories, when they differ from `categories` (Atom labels). */
  tags?: string[];
  authors: string[];
  lang?: string | undefined;
}

interface Channel {
  title?: string | undefined;
  lang?: string | undefined;
  entries: Entry[];
}

export function parseFeedFile(
  text: string,
  fileName: string,
  options: FeedInputOptions = {},
): { records: FeedRecord[] } {
  let parsed: Parsed;
  try {
    parsed = parseFeed<string>(text);
  } catch (err) {
    throw new Error(`${fileName}: not a readable RSS, Atom, RDF or JSON feed: ${describe(err)}`, {
      cause: err,
    });
  }
  const channel = toChannel(parsed);
  const source = clean(options.source) ?? clean(channel.title);
  if (!source)
    throw new Error(`${fileName}: the feed has no title to use as source; pass options.source`);
  const records = channel.entries.map((entry, index) => {
    const where = `${fileName}: item ${index + 1}${entry.id ? ` (${entry.id})` : ''}`;
    const title = clean(entry.title);
    if (!title) throw new Error(`${where} has no title`);
    const lang = primaryLanguage(entry.lang ?? channel.lang ?? options.lang);
    if (!lang)
      throw new Error(`${where} has no language: the feed declares none; pass options.lang`);
    const content = clean(entry.content);
    const description = clean(entry.description);
    return {
      id: clean(entry.id) ?? null,
      source,
      section: clean(options.section) ?? clean(entry.categories[0])?.toLowerCase() ?? null,
      lang,
      published: isoDate(entry.date, where),
      title,
      body: content ?? description ?? '',
      url: clean(entry.url) ?? null,
      summary: content ? (description ?? null) : null,
      image: clean(entry.image) ?? null,
      image_credit: clean(entry.imageCredit) ?? null,
      tags: unique(entry.tags ?? entry.categories),
      authors: unique(entry.authors),
    };
  });
  return { records };
}

/**
 * A feed's bytes (a file or an HTTP body): decoded with the override, the Content-Type's charset,
 * the XML declaration or detection (./charset.ts), then parsed.
 */
export function parseFeedBytes(
  bytes: Uint8Array,
  fileName: string,
  options: FeedInputOptions & { charset?: string | null; contentType?: string | null } = {},
): { records: FeedRecord[]; charset: string } {
  const { charset, contentType, ...rest } = options;
  let decoded;
  try {
    decoded = decodeFeed(bytes, { override: charset ?? null, contentType: contentType ?? null });
  } catch (err) {
    throw new Error(`${fileName}: ${describe(err)}`, { cause: err });
  }
  return { ...parseFeedFile(decoded.text, fileName, rest), charset: decoded.charset };
}

function toChannel(parsed: Parsed): Channel {
  switch (parsed.format) {
    case 'rss': {
      const feed = parsed.feed;
      return {
        title: feed.title,
        lang: feed.language ?? feed.dc?.languages?.[0],
        entries: (feed.items ?? []).map((item) => ({
          id: item.guid?.value,
          title: item.title,
          url: item.link ?? (item.guid?.isPermaLink === false ? undefined : item.guid?.value),
          date: item.pubDate ?? item.dc?.dates?.[0],
          content: item.content?.encoded,
          description: item.description,
          image:
            item.enclosures?.find((e) => e.type?.startsWith('image/'))?.url ??
            mediaImage(item.media) ??
            undefined,
          imageCredit: mediaCredit(item.media),
          categories: (item.categories ?? []).map((c) => c.name).filter(isString),
          authors: [
            ...(item.authors ?? []).map((a) => a.name ?? a.email),
            ...(item.dc?.creators ?? []),
          ].filter(isString),
        })),
      };
    }
    case 'atom': {
      const feed = parsed.feed;
      const feedAuthors = (feed.authors ?? []).map((a) => a.name);
      return {
        title: feed.title?.value,
        lang: feed.xml?.lang,
        entries: (feed.entries ?? []).map((entry) => {
          const links = entry.links ?? [];
          return {
            id: entry.id,
            title: entry.title?.value,
            url: (links.find((l) => !l.rel || l.rel === 'alternate') ?? links[0])?.href,
            date: entry.published ?? entry.updated,
            content: entry.content?.value,
            description: entry.summary?.value,
            image:
              links.find((l) => l.rel === 'enclosure' && l.type?.startsWith('image/'))?.href ??
              mediaImage(entry.media),
            imageCredit: mediaCredit(entry.media),
            categories: (entry.categories ?? []).map((c) => c.term).filter(isString),
            tags: (entry.categories ?? []).map((c) => c.label ?? c.term).filter(isString),
            authors: (entry.authors?.length
              ? entry.authors.map((a) => a.name)
              : feedAuthors
            ).filter(isString),
            lang: entry.xml?.lang,
          };
        }),
      };
    }
    case 'rdf': {
      const feed = parsed.feed;
      return {
        title: feed.title,
        lang: feed.dc?.languages?.[0],
        entries: (feed.items ?? []).map((item) => ({
          id: item.rdf?.about ?? item.link,
          title: item.title,
          url: item.link,
          date: item.dc?.dates?.[0],
          content: item.content?.encoded,
          description: item.description,
          image: mediaImage(item.media),
          imageCredit: mediaCredit(item.media),
          categories: item.dc?.subjects ?? [],
          authors: item.dc?.creators ?? [],
        })),
      };
    }
    case 'json': {
      const feed = parsed.feed;
      const feedAuthors = (feed.authors ?? []).map((a) => a.name).filter(isString);
      return {
        title: feed.title,
        lang: feed.language,
        entries: (feed.items ?? []).map((item) => ({
          id: item.id,
          title: item.title,
          url: item.url ?? item.external_url,
          date: item.date_published ?? item.date_modified,
          content: item.content_html ?? item.content_text,
          description: item.summary,
          image: item.image ?? item.banner_image,
          categories: item.tags ?? [],
          authors: item.authors?.length
            ? item.authors.map((a) => a.name).filter(isString)
            : feedAuthors,
          lang: item.language,
        })),
      };
    }
  }
}

interface Credited {
  credits?: Array<{ value?: string }>;
}

interface MediaLike extends Credited {
  contents?: Array<{ url?: string; type?: string; medium?: string } & Credited>;
  thumbnails?: Array<{ url?: string }>;
}

const imageContent = (media: MediaLike | undefined) =>
  media?.contents?.find((c) => c.medium === 'image' || c.type?.startsWith('image/'));

function mediaImage(media: MediaLike | undefined): string | undefined {
  return imageContent(media)?.url ?? media?.thumbnails?.[0]?.url;
}

/** The image's own media:credit first, then the item-level one (Media RSS lets both carry it). */
function mediaCredit(media: MediaLike | undefined): string | undefined {
  const credits = [...(imageContent(media)?.credits ?? []), ...(media?.credits ?? [])];
  return credits.map((c) => clean(c.value)).find(isString);
}

function isoDate(raw: string | undefined, where: string): string | null {
  const value = clean(raw);
  if (!value) return null;
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new Error(`${where} has an unreadable date "${value}"`);
  return new Date(time).toISOString();
}

function primaryLanguage(tag: string | undefined): string | undefined {
  return clean(tag)?.split(/[-_]/)[0]?.toLowerCase() || undefined;
}

function clean(value: string | undefined | null): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values.map((v) => v.trim()).filter((v) => v.length > 0))];
}

function isString(value: string | undefined): value is string {
  return typeof value === 'string';
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
  return `${err.message}${cause}`;
}
