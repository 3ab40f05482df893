/**
 * The one validation hook every route uses. hono-openapi's `validator` both checks the
 * input and records the schema in the OpenAPI document; the hook turns a failure into a
 * 400 problem naming each failing field. Without a hook the default response would echo
 * the whole parse result, input included.
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { ValidationTargets } from 'hono';
import { validator } from 'hono-openapi';
import { ApiError, type ErrorCode, fieldErrors } from './problem.ts';

const CODES: Partial<Record<keyof ValidationTargets, ErrorCode>> = {
  query: 'invalid_query',
  json: 'invalid_body',
  param: 'invalid_query',
  header: 'bad_request',
};

export function validate<Target extends keyof ValidationTargets, Schema extends StandardSchemaV1>(
  target: Target,
  schema: Schema,
) {
  return validator(target, schema, (result) => {
    if (!result.success)
      throw validationError(target, result.error as readonly StandardSchemaV1.Issue[]);
  });
}

/** The 400 problem for input that failed its schema, naming each failing field. */
export function validationError(
  target: keyof ValidationTargets,
  issues: readonly StandardSchemaV1.Issue[],
): ApiError {
  const errors = fieldErrors(issues);
  const where = target === 'json' ? 'body' : target;
  return new ApiError(
    CODES[target] ?? 'bad_request',
    `The request ${where} is invalid: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
    { errors },
  );
}
