/**
 * Plain-text and URL rules shared by every submission schema. Text is stored and returned
 * as plain text: control characters are removed, line breaks normalised, and anything that
 * looks like an HTML tag is refused (not silently stripped, so the author sees why).
 */
import * as v from 'valibot';
import { Language } from '../content/article.ts';

// C0 and C1 control characters except tab and line feed, plus bidi overrides / zero-width
// characters that can disguise text (Unicode TR#36 "Unicode Security Considerations").
const CONTROL =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/g;
const HTML_TAG = /<\/?[a-z!?][^>]*>|<\/?[a-z][a-z0-9-]*(\s|\/|$)/i;
const HTML_ENTITY = /&(#\d+|#x[0-9a-f]+|[a-z]+);/i;

/**
 * Plain text as stored. Idempotent (cleanText(cleanText(x)) === cleanText(x), a property test
 * in test/node/submissions-schemas.test.ts): controls go before NFC, because removing one can
 * bring a letter and a combining mark together (`e\u0000\u0301`), and only NFC after that
 * composes them; NFC first left that for a second pass to do, which then changed the length.
 */
export function cleanText(input: string, multiline: boolean): string {
  let s = input.replace(CONTROL, '').replace(/\r\n?/g, '\n').normalize('NFC');
  s = multiline ? s.replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n') : s.replace(/\s+/g, ' ');
  return s.trim();
}

export function looksLikeHtml(s: string): boolean {
  return HTML_TAG.test(s) || HTML_ENTITY.test(s);
}

/** A plain-text field: cleaned, then length-checked in characters (code points). */
export function plainText(min: number, max: number, multiline = false) {
  return v.pipe(
    v.string('must be a string'),
    // The length checks below, for the OpenAPI document (built from the input side, before
    // cleaning): JSON Schema lengths count code points too.
    v.metadata({ minLength: min, maxLength: max }),
    v.transform((s) => cleanText(s, multiline)),
    v.check((s) => !looksLikeHtml(s), 'must be plain text (no HTML tags or entities)'),
    v.check(
      (s) => [...s].length >= min,
      min === 1 ? 'must not be empty' : `must be at least ${min} characters`,
    ),
    v.check((s) => [...s].length <= max, `must be at most ${max} characters`),
  );
}

function parseUrl(value: string, schemes: readonly string[]): URL | null {
  if (!URL.canParse(value)) return null;
  const url = new URL(value);
  return schemes.includes(url.protocol) &&
    url.hostname.length > 0 &&
    url.username === '' &&
    url.password === ''
    ? url
    : null;
}

/**
 * Characters a URL never needs raw and an attribute-breaking payload always does
 * (`"><script>`, `" onerror="`): whitespace, quotes, backticks and angle brackets. The URL
 * parser would percent-encode some of them, but refusing them says what is wrong.
 */
const UNSAFE_IN_URL = /[\s"'`<>]/u;

/**
 * An absolute URL with one of the given schemes, no credentials, stored in the form the URL
 * standard serialises it to (`new URL(s).href`: lowercase scheme and host, dot segments
 * resolved, anything unusual percent-encoded), at most 2048 characters.
 */
export function urlWith(schemes: readonly ('https:' | 'http:')[]) {
  const names = schemes.map((s) => s.slice(0, -1)).join(' or ');
  return v.pipe(
    v.string('must be a string'),
    v.trim(),
    v.check((s) => !UNSAFE_IN_URL.test(s), 'must not contain spaces, quotes or angle brackets'),
    v.check((s) => parseUrl(s, schemes) !== null, `must be an absolute ${names} URL`),
    v.transform((s) => new URL(s).href),
    v.maxLength(2048, 'must be at most 2048 characters'),
  );
}

/** A language under the one rule of content/normalize.ts `languageOf`: stored as `en` for `en-GB`. */
export const LangTag = Language('must be a BCP 47 language tag such as "ru" or "en-GB"');

/** A section slug, as used by the feeds: lowercase words joined by hyphens. */
export const Slug = v.pipe(
  v.string('must be a string'),
  v.trim(),
  v.toLowerCase(),
  v.regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be a slug of lowercase letters, digits and hyphens'),
  v.maxLength(40, 'must be at most 40 characters'),
);
