/**
 * From raw input records to normalised articles. A bad record yields a `RecordError`
 * naming its file, line and field, so the build can fail precisely (or skip and count).
 */
import * as v from 'valibot';
import { type Article, RawArticle } from './article.ts';
import { articleId, canonicalUrl, languageOf, slugify } from './normalize.ts';
import { hasWords, plainTextFromHtml, sourceBody, sourceText, summarize } from './text.ts';

export interface RecordOrigin {
  file: string;
  /** 1-based line (JSON Lines) or entry number (feeds). */
  line: number;
}

export class RecordError extends Error {
  readonly origin: RecordOrigin;
  readonly field: string;
  /** The message after the file, line and field (what a worker thread hands back). */
  readonly problem: string;
  constructor(origin: RecordOrigin, field: string, problem: string) {
    super(`${origin.file}:${origin.line}: field "${field}" ${problem}`);
    this.name = 'RecordError';
    this.origin = origin;
    this.field = field;
    this.problem = problem;
  }
}

/** Input records without a section land here. */
export const DEFAULT_SECTION = 'general';

/** Validates and normalises one record; throws `RecordError` on the first problem. */
export function normalizeRecord(input: unknown, origin: RecordOrigin): Article {
  const parsed = v.safeParse(RawArticle, input);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const field = issue.path?.map((p) => String(p.key)).join('.') || '(record)';
    throw new RecordError(
      origin,
      field,
      issue.message.startsWith('Invalid') ? `is invalid: ${issue.message}` : issue.message,
    );
  }
  const raw = parsed.output;
  const title = sourceText(raw.title);
  if (!title) throw new RecordError(origin, 'title', 'is empty once HTML is removed');
  const source = plainTextFromHtml(raw.source);
  if (!source) throw new RecordError(origin, 'source', 'is empty once HTML is removed');
  const lang = languageOf(raw.lang);
  if (!lang)
    throw new RecordError(
      origin,
      'lang',
      `is not a BCP 47 language tag: ${JSON.stringify(raw.lang)}`,
    );
  if (raw.published === null)
    throw new RecordError(origin, 'published', 'is missing: an article needs a publish time');
  const published = new Date(raw.published).toISOString();
  const section = slugify(raw.section ?? '') || DEFAULT_SECTION;
  const url = canonicalUrl(raw.url);
  if (raw.url && url === null)
    throw new RecordError(
      origin,
      'url',
      `is not an absolute http(s) URL: ${JSON.stringify(raw.url)}`,
    );
  const image = raw.image ? canonicalUrl(raw.image) : null;
  if (raw.image && image === null)
    throw new RecordError(
      origin,
      'image',
      `is not an absolute http(s) URL: ${JSON.stringify(raw.image)}`,
    );
  const body = sourceBody(raw.body ?? '');
  // A summary the source wrote is kept as it is (search indexes it); without one, feeds
  // show the body's first sentences, marked as derived so the index does not count them twice.
  // A source summary that says nothing once its links are gone (a bare t.me link) is none.
  const sourceSummary = raw.summary ? sourceText(raw.summary) : '';
  const given = hasWords(sourceSummary) ? sourceSummary : '';
  return {
    id: articleId(url, source, title, published),
    title,
    summary: given || summarize(body),
    summary_from_source: given !== '',
    body,
    url,
    source,
    section,
    tags: unique((raw.tags ?? []).map(plainTextFromHtml).filter(Boolean)),
    authors: unique((raw.authors ?? []).map(plainTextFromHtml).filter(Boolean)),
    lang,
    published,
    image,
    image_credit: raw.image_credit ? plainTextFromHtml(raw.image_credit) || null : null,
    duplicates: [],
  };
}

const unique = (values: string[]) => [...new Set(values)];

/** Parses one JSON Lines text; JSON syntax errors are record errors too. */
export function parseJsonLines(
  text: string,
  file: string,
): Generator<{ value: unknown; origin: RecordOrigin } | RecordError> {
  return jsonLines(text.split('\n'), file);
}

/** The records of JSON Lines given line by line (a file read in chunks: scripts/lib/inputs.ts). */
export function* jsonLines(
  lines: Iterable<string>,
  file: string,
): Generator<{ value: unknown; origin: RecordOrigin } | RecordError> {
  let number = 0;
  for (const raw of lines) {
    const record = jsonLineRecord(raw, ++number, file);
    if (record) yield record;
  }
}

/** Line `number` (1-based) of a JSON Lines file as a record; null for a blank line. */
export function jsonLineRecord(
  raw: string,
  number: number,
  file: string,
): { value: unknown; origin: RecordOrigin } | RecordError | null {
  const line = raw.trim();
  if (!line) return null;
  const origin = { file, line: number };
  try {
    return { value: JSON.parse(line), origin };
  } catch (error) {
    return new RecordError(origin, '(record)', `is not valid JSON: ${(error as Error).message}`);
  }
}
