/**
 * The sources file: one entry per polled feed (scripts/sources.json is the repository's own).
 * Validated with valibot like every other input; a bad entry names its index and field.
 *
 *   { "format": 1, "sources": [
 *       { "url": "https://lenta.example/rss", "source": "Лента", "section": "world",
 *         "lang": "ru", "charset": "windows-1251" } ] }
 *
 * `charset` is optional: it overrides what the server and the file declare, for the feed whose
 * server lies (./charset.ts has the order).
 */
import * as v from 'valibot';
import { fnv1a64, languageTag } from '../content/normalize.ts';

export const SOURCES_FORMAT = 1;

const knownCharset = (label: string) => {
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return false;
  }
};

export const Source = v.object({
  url: v.pipe(
    v.string('must be a string'),
    v.check((s) => /^https?:\/\//i.test(s) && URL.canParse(s), 'must be an absolute http(s) URL'),
  ),
  source: v.pipe(v.string('must be a string'), v.trim(), v.minLength(1, 'must not be empty')),
  section: v.pipe(v.string('must be a string'), v.trim(), v.minLength(1, 'must not be empty')),
  lang: v.pipe(
    v.string('must be a string'),
    v.check((s) => languageTag(s) !== null, 'must be a BCP 47 language tag such as "ru"'),
  ),
  charset: v.optional(
    v.pipe(
      v.string('must be a string'),
      v.check(knownCharset, 'must be a charset label TextDecoder knows, e.g. "windows-1251"'),
    ),
  ),
});
export type Source = v.InferOutput<typeof Source>;

export const SourcesFile = v.pipe(
  v.object({
    format: v.literal(SOURCES_FORMAT, `must be ${SOURCES_FORMAT}`),
    sources: v.array(Source, 'must be a list'),
  }),
  v.check(
    (file) => new Set(file.sources.map((s) => s.url)).size === file.sources.length,
    'sources: every url must be listed once',
  ),
);

/** Parses a sources file's text; errors start with the file name and name the field. */
export function parseSources(text: string, fileName: string): Source[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${fileName}: not JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = v.safeParse(SourcesFile, json);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const path = (issue.path ?? [])
      .map((p) => (typeof p.key === 'number' ? `[${p.key}]` : `.${String(p.key)}`))
      .join('')
      .replace(/^\./, '');
    throw new Error(`${fileName}: ${path ? `${path}: ` : ''}${issue.message}`);
  }
  return parsed.output.sources;
}

/** A feed's stable id (its state key): FNV-1a 64 of the URL as listed. */
export const feedId = (url: string) => fnv1a64(url);

/** The host a feed is fetched from: the per-host delay and Retry-After apply per host. */
export const hostOf = (url: string) => new URL(url).host.toLowerCase();
