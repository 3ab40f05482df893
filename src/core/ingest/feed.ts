/**
 * Feed files as pipeline input: RSS 2.0, Atom 1.0, RDF (RSS 1.0) or JSON Feed in, records
 * shaped like `RawArticle` (src/core/content/article.ts) out. The pipeline validates and normalises
 * them like any JSON Lines record, so this module only maps fields; HTML stays in `body`
 * and `summary` (the normaliser strips it).
 *
 * The format is told by the document: JSON Feed when it starts with "{", else the XML root
 * element (<rss>, <rdf:RDF>, <feed>), read by ./xml.ts on htmlparser2, the tokenizer the Worker
 * already carries for text cleaning (a general feed library with its own XML parser cost the
 * Worker 141 KiB minified; `npm run deploy:dry && npm run bundle:size`). It is plain
 * JavaScript, so the build (scripts/lib/feed-input.ts), `npm run ingest` and the Worker's
 * scheduled poll (src/scheduled.ts) share this module. Bytes are decoded first
 * (`parseFeedBytes`, ./charset.ts).
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
 *   image      image enclosure, media:content / media:thumbnail (also in media:group), Atom
 *              rel="enclosure" image link, JSON Feed image / banner_image
 *   image_credit  media:credit of the image's media:content, else of the item (Media RSS 2.0,
 *              https://www.rssboard.org/media-rss#media-credit); JSON Feed has none
 *   authors    RSS author (the name of "mail@host (Name)") / dc:creator, Atom author names
 *              (else the feed's), JSON Feed authors
 */
import * as v from 'valibot';
import { decodeFeed } from './charset.ts';
import {
  attr,
  child,
  children,
  innerXml,
  NS,
  parseXml,
  textContent,
  type XmlElement,
} from './xml.ts';

const XHTML = 'http://www.w3.org/1999/xhtml';

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
  let channel: Channel;
  try {
    const start = text.trimStart();
    if (start === '') throw new Error('the file is empty');
    channel = start.startsWith('{') ? jsonChannel(start) : xmlChannel(parseXml(text));
  } catch (err) {
    throw new Error(`${fileName}: not a readable RSS, Atom, RDF or JSON feed: ${describe(err)}`, {
      cause: err,
    });
  }
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

/** The channel of an XML feed, by its root element; throws when the root is none of the three. */
function xmlChannel(root: XmlElement): Channel {
  if (root.ns === '' && root.name === 'rss') return rssChannel(child(root, '', 'channel'));
  if (root.ns === NS.rdf && root.name === 'RDF') return rdfChannel(root);
  if ((root.ns === NS.atom || root.ns === '') && root.name === 'feed') return atomChannel(root);
  throw new Error(`the root element is <${root.qname}>, not <rss>, <rdf:RDF> or <feed>`);
}

/** RSS 2.0 (https://www.rssboard.org/rss-specification) with its usual modules. */
function rssChannel(channel: XmlElement | undefined): Channel {
  if (!channel) throw new Error('<rss> has no <channel>');
  const text = (el: XmlElement, name: string, ns = '') => textContent(child(el, ns, name));
  return {
    title: text(channel, 'title'),
    lang: text(channel, 'language') ?? text(channel, 'language', NS.dc),
    entries: children(channel, '', 'item').map((item) => {
      const guid = child(item, '', 'guid');
      const permalink = attr(guid, 'isPermaLink')?.trim().toLowerCase() !== 'false';
      const media = mediaOf(item);
      return {
        id: textContent(guid),
        title: text(item, 'title'),
        url: text(item, 'link') ?? (permalink ? textContent(guid) : undefined),
        date: text(item, 'pubDate') ?? text(item, 'date', NS.dc),
        content: text(item, 'encoded', NS.content),
        description: text(item, 'description'),
        image:
          attr(
            children(item, '', 'enclosure').find((e) => attr(e, 'type')?.startsWith('image/')),
            'url',
          ) ?? media.image,
        imageCredit: media.credit,
        categories: texts(item, '', 'category'),
        authors: [...texts(item, '', 'author').map(rssAuthor), ...texts(item, NS.dc, 'creator')],
      };
    }),
  };
}

/** RSS 2.0 <author> is an e-mail address, often followed by the name: "jane@x.org (Jane Doe)". */
function rssAuthor(value: string): string {
  return /^\S+@\S+\s*\((.+)\)$/.exec(value.trim())?.[1] ?? value;
}

/** RSS 1.0 (https://web.resource.org/rss/1.0/spec): items are siblings of the channel. */
function rdfChannel(root: XmlElement): Channel {
  const channel = child(root, NS.rss1, 'channel');
  return {
    title: textContent(child(channel, NS.rss1, 'title')),
    lang: textContent(child(channel, NS.dc, 'language')),
    entries: children(root, NS.rss1, 'item').map((item) => {
      const link = textContent(child(item, NS.rss1, 'link'));
      const media = mediaOf(item);
      return {
        id: attr(item, 'about') ?? link,
        title: textContent(child(item, NS.rss1, 'title')),
        url: link,
        date: textContent(child(item, NS.dc, 'date')),
        content: textContent(child(item, NS.content, 'encoded')),
        description: textContent(child(item, NS.rss1, 'description')),
        image: media.image,
        imageCredit: media.credit,
        categories: texts(item, NS.dc, 'subject'),
        authors: texts(item, NS.dc, 'creator'),
      };
    }),
  };
}

/** Atom 1.0 (RFC 4287). */
function atomChannel(feed: XmlElement): Channel {
  const ns = feed.ns;
  const names = (el: XmlElement) => children(el, ns, 'author').flatMap((a) => texts(a, ns, 'name'));
  const feedAuthors = names(feed);
  return {
    title: atomText(child(feed, ns, 'title')),
    lang: attr(feed, 'xml:lang'),
    entries: children(feed, ns, 'entry').map((entry) => {
      const links = children(entry, ns, 'link');
      const rel = (l: XmlElement) => attr(l, 'rel') ?? 'alternate';
      const categories = children(entry, ns, 'category');
      const media = mediaOf(entry);
      const authors = names(entry);
      return {
        id: textContent(child(entry, ns, 'id')),
        title: atomText(child(entry, ns, 'title')),
        url: attr(links.find((l) => rel(l) === 'alternate') ?? links[0], 'href'),
        date:
          textContent(child(entry, ns, 'published')) ?? textContent(child(entry, ns, 'updated')),
        content: atomText(child(entry, ns, 'content')),
        description: atomText(child(entry, ns, 'summary')),
        image:
          attr(
            links.find((l) => rel(l) === 'enclosure' && attr(l, 'type')?.startsWith('image/')),
            'href',
          ) ?? media.image,
        imageCredit: media.credit,
        categories: categories.map((c) => attr(c, 'term')).filter(isString),
        tags: categories.map((c) => attr(c, 'label') ?? attr(c, 'term')).filter(isString),
        authors: authors.length > 0 ? authors : feedAuthors,
        lang: attr(entry, 'xml:lang'),
      };
    }),
  };
}

/**
 * An Atom text construct (RFC 4287 §3.1): type="xhtml" holds its markup inside one XHTML
 * <div>, which is not part of the content; text and html are character content.
 */
function atomText(el: XmlElement | undefined): string | undefined {
  if (!el || attr(el, 'type') !== 'xhtml') return textContent(el);
  const div = child(el, XHTML, 'div');
  return div ? innerXml(div) : textContent(el);
}

/** Each child's text content, trimmed, blanks left out. */
function texts(el: XmlElement, ns: string, name: string): string[] {
  return children(el, ns, name)
    .map((c) => clean(textContent(c)))
    .filter(isString);
}

/**
 * Media RSS (https://www.rssboard.org/media-rss): the first image media:content (medium
 * "image" or an image type), else the first media:thumbnail; both also inside media:group.
 * The credit: the image's own media:credit first, then the group's, then the item's.
 */
function mediaOf(item: XmlElement): { image?: string | undefined; credit?: string | undefined } {
  const groups = [item, ...children(item, NS.media, 'group')];
  const contents = groups.flatMap((g) => children(g, NS.media, 'content'));
  const image = contents.find(
    (c) => attr(c, 'medium') === 'image' || attr(c, 'type')?.startsWith('image/'),
  );
  const thumbnail = groups.flatMap((g) => children(g, NS.media, 'thumbnail'))[0];
  const credits = [image, ...groups.slice(1), item].flatMap((el) =>
    el ? texts(el, NS.media, 'credit') : [],
  );
  return { image: attr(image, 'url') ?? attr(thumbnail, 'url'), credit: credits[0] };
}

/** JSON Feed 1.0 and 1.1 (https://www.jsonfeed.org/version/1.1/), the fields this module maps. */
const JsonAuthor = v.object({ name: v.optional(v.string()) });
const JsonFeed = v.object({
  version: v.pipe(v.string(), v.startsWith('https://jsonfeed.org/version/')),
  title: v.optional(v.string()),
  language: v.optional(v.string()),
  authors: v.optional(v.array(JsonAuthor)),
  items: v.array(
    v.object({
      id: v.optional(v.union([v.string(), v.pipe(v.number(), v.transform(String))])),
      title: v.optional(v.string()),
      url: v.optional(v.string()),
      external_url: v.optional(v.string()),
      date_published: v.optional(v.string()),
      date_modified: v.optional(v.string()),
      content_html: v.optional(v.string()),
      content_text: v.optional(v.string()),
      summary: v.optional(v.string()),
      image: v.optional(v.string()),
      banner_image: v.optional(v.string()),
      tags: v.optional(v.array(v.string())),
      authors: v.optional(v.array(JsonAuthor)),
      language: v.optional(v.string()),
    }),
  ),
});

function jsonChannel(text: string): Channel {
  const parsed = v.safeParse(JsonFeed, JSON.parse(text));
  if (!parsed.success) {
    const issue = parsed.issues[0];
    throw new Error(`not a JSON Feed: ${v.getDotPath(issue) ?? 'the document'}: ${issue.message}`);
  }
  const feed = parsed.output;
  const feedAuthors = (feed.authors ?? []).map((a) => a.name).filter(isString);
  return {
    title: feed.title,
    lang: feed.language,
    entries: feed.items.map((item) => ({
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
