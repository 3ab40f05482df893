/**
 * A query parameter that every route group reads the same way: `limit`. Query values
 * arrive as strings; the schema says exactly what it accepts, and the message is what the
 * client reads. The API routes (src/http/schemas.ts) and the submission queries
 * (src/core/submissions/schemas.ts) share it, so every `limit` is documented alike.
 */
import * as v from 'valibot';

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
