/**
 * Normalisation of language tags, section slugs, URLs and ids (text is ./text.ts). Pure:
 * shared by the content pipeline, the Worker (reader submissions, query parameters) and
 * the tests.
 */
/**
 * A BCP 47 tag in canonical case (RFC 5646 §2.1.1), e.g. `ru`, `uk`, `en-GB`.
 * Returns null for anything `Intl` does not accept as a language tag.
 */
export function languageTag(input: string): string | null {
  try {
    const [tag] = Intl.getCanonicalLocales(input.trim().replace(/_/g, '-'));
    return tag ?? null;
  } catch {
    return null;
  }
}

/** The primary language subtag: the part feeds and search filter on (`en-GB` -> `en`). */
export const primaryLanguage = (tag: string): string => tag.split('-')[0]!.toLowerCase();

/** Longer input is not a language tag anyone sends (RFC 5646 §4.4.1 sizes tags to 35). */
const MAX_TAG_CHARS = 35;

/**
 * The one language rule: what articles, reader news and ads are stored and filtered under.
 * The primary subtag of the canonical BCP 47 tag, an ISO 639 code of 2 or 3 letters
 * (`en-GB` -> `en`, `RU` -> `ru`); null for anything else.
 */
export function languageOf(input: string): string | null {
  if (input.length > MAX_TAG_CHARS) return null;
  const tag = languageTag(input);
  const primary = tag === null ? null : primaryLanguage(tag);
  return primary !== null && /^[a-z]{2,3}$/.test(primary) ? primary : null;
}

// GOST 7.79-2000 system B style transliteration, enough for readable ASCII slugs.
const TRANSLIT: Record<string, string> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  ґ: 'g',
  д: 'd',
  е: 'e',
  ё: 'e',
  є: 'ye',
  ж: 'zh',
  з: 'z',
  и: 'i',
  і: 'i',
  ї: 'yi',
  й: 'y',
  к: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ў: 'u',
  ф: 'f',
  х: 'kh',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'shch',
  ъ: '',
  ы: 'y',
  ь: '',
  э: 'e',
  ю: 'yu',
  я: 'ya',
};

/** An ASCII slug: `Новости спорта` -> `novosti-sporta`, `World News` -> `world-news`. */
export function slugify(input: string): string {
  const lower = input.normalize('NFC').toLowerCase();
  let out = '';
  for (const ch of lower) out += TRANSLIT[ch] ?? ch;
  return out
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
}

/** Query parameters that identify a campaign or a click, not a document. */
const TRACKING_PARAMS =
  /^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|yclid|ysclid|msclkid|mc_cid|mc_eid|_ga|_gl|igshid|ref|ref_src|ref_url|cmpid|icid|from|share|s_cid|at_medium|at_campaign|rss|feature)$/i;

/**
 * The canonical form of an article URL: http(s) only, lower-case host, no fragment, no
 * default port, no tracking parameters, remaining parameters sorted, no trailing slash.
 * Returns null when the input is not an absolute http(s) URL.
 */
export function canonicalUrl(input: string | null | undefined): string | null {
  if (!input) return null;
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  url.hash = '';
  url.username = '';
  url.password = '';
  const kept = [...url.searchParams].filter(([name]) => !TRACKING_PARAMS.test(name));
  kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  url.search = new URLSearchParams(kept).toString();
  if (url.pathname.length > 1 && url.pathname.endsWith('/'))
    url.pathname = url.pathname.replace(/\/+$/, '');
  return url.toString();
}

/**
 * FNV-1a, 64 bit (http://www.isthe.com/chongo/tech/comp/fnv/): stable, fast, synchronous
 * in every runtime. Ids only need to be stable and well spread, not secret.
 */
/** 32-bit FNV-1a over code points: cheap stable digests and made-up numbers, not security. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const ch of text) {
    hash ^= ch.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export function fnv1a64(input: string): string {
  let hash = 0xcbf29ce484222325n;
  const bytes = new TextEncoder().encode(input);
  for (const byte of bytes) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}

/** Link shorteners and share hosts: their URLs name a redirect, not an article. */
const NOT_ARTICLE_HOSTS = new Set([
  'bit.ly',
  'vk.cc',
  't.me',
  'goo.gl',
  't.co',
  'tinyurl.com',
  'ow.ly',
  'clck.ru',
  'is.gd',
  'buff.ly',
]);

/**
 * Whether a canonical URL can identify an article: not a site's front page, not a
 * shortener. Measured on ../shared/data's Telegram posts, where the "url" is the post's
 * first link: shortener and front-page links made single "articles" of thousands of posts.
 */
export function identifiesArticle(canonical: string): boolean {
  const url = new URL(canonical);
  if (NOT_ARTICLE_HOSTS.has(url.hostname.replace(/^www\./, ''))) return false;
  return url.pathname !== '/' || url.search.length > 0;
}

/** A stable article id: from the canonical URL when it names an article, else from source, title and time. */
export function articleId(
  canonical: string | null,
  source: string,
  title: string,
  published: string,
): string {
  return fnv1a64(
    canonical !== null && identifiesArticle(canonical)
      ? canonical
      : `${source}\u0000${title}\u0000${published}`,
  );
}

/** The title folded for duplicate detection: case, ё, quotes, dashes and punctuation ignored. */
export function titleKey(title: string): string {
  return title
    .normalize('NFC')
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}
