/**
 * Feeds for feed readers: JSON Feed 1.1, RSS 2.0 and Atom 1.0, rendered from a page of
 * `ArticleSummary` and the channel's metadata. Pure: no I/O, no bindings.
 *
 * Small hand-written serializers rather than feedsmith's generators (measured with
 * feedsmith 3.0.1, which the tests use to read our feeds back):
 *   - its XML output is pretty-printed inside text elements, so `<link>` and `<title>`
 *     carry newlines and indentation around the value (`<link>\n  <![CDATA[https://…]]>\n</link>`),
 *     which readers that do not trim take into the URL;
 *   - characters that XML 1.0 forbids (U+0000-U+0008, U+000B, U+000C, U+000E-U+001F,
 *     U+FFFE, U+FFFF, lone surrogates) pass through, so an odd title makes the feed invalid;
 *   - values are trimmed silently, so the text a reader gets back is not the text we sent.
 * JSON Feed is a plain object for `JSON.stringify`; it needs no library either. Nothing here
 * touches a Node API, so the same code runs in the Worker and in scripts.
 *
 * One id per article across the three formats and all lists: a tag URI (RFC 4151) on the
 * site's host, so a reader that sees the article in two feeds knows it is the same entry.
 *
 * Authors and the image credit travel in each format's own vocabulary: JSON Feed `authors`;
 * RSS `dc:creator` (RSS 2.0's `<author>` must be an email address) and Atom `<author>`; the
 * image as a Media RSS `media:content` with its `media:credit`
 * (https://www.rssboard.org/media-rss#media-credit) in both XML formats. An article without
 * authors is credited to its source, as before.
 */
import type { ArticleSummary } from '../content/article.ts';

/** Channel metadata of one feed page. */
export interface FeedMeta {
  title: string;
  description: string;
  /** The HTML page (or API listing) this feed mirrors. */
  home_page_url: string;
  /** This feed's own URL (rel="self"). */
  feed_url: string;
  /** The next, older page of the same feed, if any (JSON Feed `next_url`, RFC 5005 rel="next"). */
  next_url?: string | null;
  /** BCP 47 tag of the feed's language, when the list has one. */
  language?: string;
  /** ISO 8601 time the feed's content last changed (the snapshot's build time). */
  updated: string;
  /** Atom feed id; defaults to `feed_url`. Pass the first page's URL so all pages share it. */
  id?: string;
}

/**
 * Date part of every tag URI. RFC 4151 wants a date on which the authority owned the
 * host; it must never change afterwards, or every entry id changes with it.
 */
const TAG_DATE = '2026';
const GENERATOR = 'Edge News';
const ATOM_NS = 'http://www.w3.org/2005/Atom';
const DC_NS = 'http://purl.org/dc/elements/1.1/';
const MEDIA_NS = 'http://search.yahoo.com/mrss/';

/** Who wrote the article: its authors, else the outlet (every format wants at least one). */
function bylines(a: ArticleSummary): string[] {
  return a.authors.length > 0 ? a.authors : [a.source];
}

/** The image with its credit, as Media RSS puts it (`media:credit` inside `media:content`). */
function mediaContent(image: string, credit: string | null): string {
  const attrs = { url: image, medium: 'image', type: imageType(image) };
  if (!credit) return empty('media:content', attrs);
  return `<media:content${attributes(attrs)}>${el('media:credit', credit)}</media:content>`;
}

export const JSON_FEED_VERSION = 'https://jsonfeed.org/version/1.1';

/** https://www.jsonfeed.org/version/1.1/ (extension keys start with an underscore). */
export interface JsonFeedItem {
  id: string;
  url?: string;
  title: string;
  summary?: string;
  content_text: string;
  image?: string;
  date_published: string;
  /** The section first, as in the RSS and Atom categories, so every format carries it. */
  tags: string[];
  /** The article's authors, else its source. */
  authors: Array<{ name: string }>;
  language: string;
  _edge_news: {
    article_id: string;
    section: string;
    source: string;
    lang: string;
    image_credit: string | null;
    duplicate_count: number;
  };
}

export interface JsonFeed {
  version: typeof JSON_FEED_VERSION;
  title: string;
  home_page_url: string;
  feed_url: string;
  description: string;
  next_url?: string;
  language?: string;
  items: JsonFeedItem[];
}

/** The id every format uses for an article: `tag:<host>,2026:article:<id>`. */
export function entryId(meta: FeedMeta, article: ArticleSummary): string {
  const host = new URL(meta.home_page_url).hostname;
  return `tag:${host},${TAG_DATE}:article:${encodeURIComponent(article.id)}`;
}

export function renderJsonFeed(meta: FeedMeta, items: readonly ArticleSummary[]): JsonFeed {
  return {
    version: JSON_FEED_VERSION,
    title: meta.title,
    home_page_url: meta.home_page_url,
    feed_url: meta.feed_url,
    description: meta.description,
    ...(meta.next_url ? { next_url: meta.next_url } : {}),
    ...(meta.language ? { language: meta.language } : {}),
    items: items.map((a) => {
      const item: JsonFeedItem = {
        id: entryId(meta, a),
        title: a.title,
        content_text: a.summary || a.title,
        date_published: isoDate(a.published),
        tags: [...new Set([a.section, ...a.tags])],
        authors: bylines(a).map((name) => ({ name })),
        language: a.lang,
        _edge_news: {
          article_id: a.id,
          section: a.section,
          source: a.source,
          lang: a.lang,
          image_credit: a.image_credit,
          duplicate_count: a.duplicate_count,
        },
      };
      if (a.url) item.url = a.url;
      if (a.summary) item.summary = a.summary;
      if (a.image) item.image = a.image;
      return item;
    }),
  };
}

/** RSS 2.0 (https://www.rssboard.org/rss-specification) with atom:link self/next. */
export function renderRss(meta: FeedMeta, items: readonly ArticleSummary[]): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<rss version="2.0" xmlns:atom="${ATOM_NS}" xmlns:dc="${DC_NS}" xmlns:media="${MEDIA_NS}">`,
    '<channel>',
    el('title', meta.title),
    el('link', meta.home_page_url),
    el('description', meta.description),
  ];
  if (meta.language) out.push(el('language', meta.language));
  out.push(
    el('lastBuildDate', rfc822Date(meta.updated)),
    el('generator', GENERATOR),
    empty('atom:link', { href: meta.feed_url, rel: 'self', type: 'application/rss+xml' }),
  );
  if (meta.next_url)
    out.push(empty('atom:link', { href: meta.next_url, rel: 'next', type: 'application/rss+xml' }));
  for (const a of items) {
    out.push('<item>', el('title', a.title));
    if (a.url) out.push(el('link', a.url));
    out.push(
      el('description', a.summary || a.title),
      `<guid isPermaLink="false">${escapeXml(entryId(meta, a))}</guid>`,
      el('pubDate', rfc822Date(a.published)),
    );
    for (const category of [a.section, ...a.tags]) out.push(el('category', category));
    for (const name of bylines(a)) out.push(el('dc:creator', name));
    // <source url> must point at the outlet's own feed, which we do not know; the
    // outlet's site (the article url's origin) is the nearest thing we have.
    const site = originOf(a.url);
    if (site) out.push(`<source url="${escapeXml(site)}">${escapeXml(a.source)}</source>`);
    // The spec requires a length in bytes; "0" is the accepted value when it is unknown.
    if (a.image) {
      out.push(empty('enclosure', { url: a.image, length: '0', type: imageType(a.image) }));
      out.push(mediaContent(a.image, a.image_credit));
    }
    out.push('</item>');
  }
  out.push('</channel>', '</rss>', '');
  return out.join('\n');
}

/** Atom 1.0 (RFC 4287) with RFC 5005 rel="next" paging. */
export function renderAtom(meta: FeedMeta, items: readonly ArticleSummary[]): string {
  const lang = meta.language ? ` xml:lang="${escapeXml(meta.language)}"` : '';
  const out: string[] = [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<feed xmlns="${ATOM_NS}" xmlns:media="${MEDIA_NS}"${lang}>`,
    el('id', meta.id ?? meta.feed_url),
    `<title type="text">${escapeXml(meta.title)}</title>`,
    `<subtitle type="text">${escapeXml(meta.description)}</subtitle>`,
    el('updated', isoDate(meta.updated)),
    empty('link', { rel: 'self', type: 'application/atom+xml', href: meta.feed_url }),
    empty('link', { rel: 'alternate', href: meta.home_page_url }),
  ];
  if (meta.next_url)
    out.push(empty('link', { rel: 'next', type: 'application/atom+xml', href: meta.next_url }));
  out.push(el('generator', GENERATOR));
  for (const a of items) {
    const published = isoDate(a.published);
    out.push(
      `<entry xml:lang="${escapeXml(a.lang)}">`,
      el('id', entryId(meta, a)),
      `<title type="text">${escapeXml(a.title)}</title>`,
      el('published', published),
      // The snapshot keeps no modification time; an entry changes only when republished.
      el('updated', published),
      ...bylines(a).map((name) => `<author><name>${escapeXml(name)}</name></author>`),
    );
    if (a.url) out.push(empty('link', { rel: 'alternate', type: 'text/html', href: a.url }));
    out.push(`<summary type="text">${escapeXml(a.summary || a.title)}</summary>`);
    // RFC 4287 4.1.2: an entry without an alternate link must have content.
    if (!a.url) out.push(`<content type="text">${escapeXml(a.summary || a.title)}</content>`);
    out.push(empty('category', { term: a.section }));
    for (const tag of a.tags) out.push(empty('category', { term: tag }));
    if (a.image) {
      out.push(empty('link', { rel: 'enclosure', type: imageType(a.image), href: a.image }));
      out.push(mediaContent(a.image, a.image_credit));
    }
    out.push('</entry>');
  }
  out.push('</feed>', '');
  return out.join('\n');
}

/**
 * Characters outside XML 1.0's `Char` production (section 2.2): C0 controls other than
 * tab, LF and CR, lone surrogates, U+FFFE and U+FFFF. They cannot be escaped, only dropped.
 */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function stripInvalidXmlChars(text: string): string {
  return text.replace(NOT_XML_CHAR, '');
}

const ENTITY: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // Inside attributes a literal tab, CR or LF would be normalised to a space (XML 3.3.3);
  // in text a literal CR would become LF (2.11). References keep them as they are.
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/** Escapes for element text and attribute values alike (`>` too, so `]]>` cannot occur). */
export function escapeXml(text: string): string {
  return stripInvalidXmlChars(text).replace(/[&<>"'\t\n\r]/g, (ch) => ENTITY[ch] ?? ch);
}

function el(name: string, text: string): string {
  return `<${name}>${escapeXml(text)}</${name}>`;
}

function attributes(attrs: Record<string, string>): string {
  return Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join('');
}

function empty(name: string, attrs: Record<string, string>): string {
  return `<${name}${attributes(attrs)}/>`;
}

function isoDate(value: string): string {
  return new Date(value).toISOString();
}

/** RFC 822 date as RSS 2.0 wants it; `toUTCString` gives "Sun, 14 Jul 2024 10:00:00 GMT". */
function rfc822Date(value: string): string {
  return new Date(value).toUTCString();
}

const IMAGE_TYPES: Record<string, string> = {
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  svg: 'image/svg+xml',
};

/** MIME type from the file extension; JPEG when unknown (the common case for news photos). */
function imageType(url: string): string {
  const ext = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase();
  return (ext && IMAGE_TYPES[ext]) || 'image/jpeg';
}

function originOf(url: string | null): string | null {
  if (!url || !URL.canParse(url)) return null;
  const origin = new URL(url).origin;
  return origin === 'null' ? null : `${origin}/`;
}
