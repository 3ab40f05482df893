/**
 * Query-parameter pieces shared by routes. Query values arrive as strings; each schema
 * says exactly what it accepts, and the message is what the client reads.
 */
import * as v from 'valibot';
import { Language } from '../core/content/article.ts';

export { limitParam } from '../core/lib/params.ts';

export const sectionSlug = v.pipe(
  v.string(),
  v.regex(
    /^[a-z0-9][a-z0-9-]{0,63}$/,
    'must be a section slug such as "sport" (lowercase letters, digits, dashes)',
  ),
);
export const sectionParam = v.optional(sectionSlug);

export const langParam = v.optional(
  Language('must be a BCP 47 language tag such as "ru", "uk" or "en"'),
);

export const sourceParam = v.optional(
  v.pipe(
    v.string(),
    v.minLength(1, 'must not be empty'),
    v.maxLength(100, 'must be at most 100 characters'),
  ),
);

export const cursorParam = v.optional(
  v.pipe(
    v.string(),
    v.minLength(1, 'must not be empty'),
    v.maxLength(512, 'is too long to be a cursor'),
  ),
);

/*
 * Sync parameters (`since`, `until`, `ids`, `fields`): Feedbin's sync API and the
 * Guardian's `show-fields` are the models (docs/sync.md).
 */

const DATE_TIME_MESSAGE =
  'must be an ISO 8601 date-time with a time zone, such as 2024-07-15T10:00:00Z or 2024-07-15T13:00:00+03:00 (+ sent as %2B)';
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/i;

/** A calendar date that exists (Date.parse rolls 2024-02-30 over into March). */
function realDate(text: string): boolean {
  const m = DATE_TIME.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Four-digit years only, so an offset cannot push the UTC form past 9999.
  if (year < 1000 || year > 9998) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}

/**
 * An instant, given as an RFC 3339 / ISO 8601 date-time with its offset, out as the stored
 * form of `published` (`Date.toISOString()`, UTC, milliseconds), which compares as text.
 * Years are four digits, so every value compares correctly as text.
 */
export const instantParam = v.optional(
  v.pipe(
    v.string(),
    v.check(realDate, DATE_TIME_MESSAGE),
    v.transform((s) => new Date(s).toISOString()),
  ),
);

/** The longest `fields` list: every field of the widest response, with commas. */
const MAX_FIELDS_CHARS = 300;

/**
 * `fields=a,b`: the fields of each item to return (the Guardian's `show-fields`, the other
 * way round: a trim, not an addition). `id` is always returned. Out: the names, each once.
 * An unknown name is refused, named in the message, so a typo never silently drops a field.
 */
export const fieldsParam = (allowed: readonly string[]) =>
  v.optional(
    v.pipe(
      v.string(),
      v.maxLength(MAX_FIELDS_CHARS, `must be at most ${MAX_FIELDS_CHARS} characters`),
      v.transform((s) => [...new Set(s.split(',').map((name) => name.trim()))]),
      v.rawCheck(({ dataset, addIssue }) => {
        if (!dataset.typed) return;
        const unknown = dataset.value.filter((name) => !allowed.includes(name));
        if (unknown.length > 0)
          addIssue({
            message: `has unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}: the fields are ${allowed.join(', ')}`,
          });
      }),
    ),
  );

/** An item trimmed by `fields=`: `id` always, each other field when it was asked for. */
export type Trimmed<T extends { id: string }> = Partial<T> & { id: string };

const TRIMMED =
  'Trimmed by `fields=`: `id`, and of the other properties those that `fields` names.';
/** A page of trimmed items (`items` of `trimmedSchema`), described as such. */
export const trimmedPage = <TEntries extends v.ObjectEntries>(entries: TEntries) =>
  v.pipe(v.object(entries), v.description('The same page with each item trimmed by `fields=`.'));

/**
 * The schema of an item trimmed by `fields=`: the item's own properties, every one optional
 * but `id`. The OpenAPI document names it beside the whole item (Trimmed<Name>), and a route
 * that takes `fields=` answers either (`fieldsAnswer`), so a trimmed answer validates against
 * the document (test/node/openapi.test.ts checks the Worker's answers with ajv).
 */
export function trimmedSchema<TEntries extends v.ObjectEntries & { id: v.GenericSchema<string> }>(
  schema: v.ObjectSchema<TEntries, undefined>,
) {
  return v.pipe(
    v.object({ id: schema.entries.id, ...v.partial(v.omit(schema, ['id'])).entries }),
    v.description(TRIMMED),
  );
}

/**
 * The 200 answer of a route that takes `fields=`: the whole schema without it, the trimmed one
 * with it. anyOf, not oneOf: a whole answer is also a trimmed one (every trimmed field is
 * optional), so it would match both branches of a oneOf and be refused.
 */
export const fieldsAnswer = (whole: v.GenericSchema, trimmed: v.GenericSchema) =>
  v.union([whole, trimmed]);

/**
 * An item trimmed to `fields` (and its `id`), in its own field order; whole without `fields`.
 * Typed as either, as the document says, so the typed client reads what the Worker may send.
 */
export function pickFields<T extends { id: string }>(
  item: T,
  fields: readonly string[] | undefined,
): T | Trimmed<T> {
  if (fields === undefined) return item;
  const keep = new Set(['id', ...fields]);
  // The one cast: the entries kept are the item's own, so the object is a Partial<T>.
  return Object.fromEntries(Object.entries(item).filter(([name]) => keep.has(name))) as Trimmed<T>;
}

/** A page whose `items` are trimmed to `fields`: the page as it is without `fields`. */
export function pickItemFields<P extends { items: { id: string }[] }>(
  page: P,
  fields: readonly string[] | undefined,
): P | (Omit<P, 'items'> & { items: Trimmed<P['items'][number]>[] }) {
  if (fields === undefined) return page;
  return { ...page, items: page.items.map((item) => pickFields(item, fields)) };
}
