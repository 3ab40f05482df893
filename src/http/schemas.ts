/**
 * Query-parameter pieces shared by routes. Query values arrive as strings; each schema
 * says exactly what it accepts, and the message is what the client reads.
 */
import * as v from 'valibot';
import { Language } from '../core/content/article.ts';

export const limitParam = (max: number, fallback: number) =>
  v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,4}$/, `must be a whole number from 1 to ${max}`),
      // What the checks below enforce, for the OpenAPI document (built from the input side).
      v.metadata({ type: 'integer', minimum: 1, maximum: max }),
      v.transform(Number),
      v.number(),
      v.minValue(1, `must be a whole number from 1 to ${max}`),
      v.maxValue(max, `must be a whole number from 1 to ${max}`),
    ),
    String(fallback),
  );

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
