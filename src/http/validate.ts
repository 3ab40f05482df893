/**
 * The one validation hook every route uses: @hono/standard-validator checks the input, the
 * hook turns a failure into a 400 problem naming each failing field (without a hook the
 * default response would echo the whole parse result, input included), and the schema is
 * hung on the middleware for the OpenAPI document (./openapi.ts).
 */
import { sValidator } from '@hono/standard-validator';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { ValidationTargets } from 'hono';
import { withRouteDoc } from './openapi.ts';
import { ApiError, type ErrorCode, fieldErrors } from './problem.ts';

const CODES: Partial<Record<keyof ValidationTargets, ErrorCode>> = {
  query: 'invalid_query',
  json: 'invalid_body',
  param: 'invalid_query',
  header: 'bad_request',
};

export function validate<
  Target extends 'query' | 'param' | 'header' | 'json' | 'form',
  Schema extends StandardSchemaV1,
>(target: Target, schema: Schema) {
  const middleware = sValidator(target, schema, (result, c) => {
    if (result.success) return;
    const issues = result.error as readonly StandardSchemaV1.Issue[];
    throw validationError(
      target,
      target === 'query' ? onceOnly(issues, new URL(c.req.url).searchParams) : issues,
    );
  });
  return withRouteDoc(middleware, { validate: { target, schema } });
}

const ONCE_ONLY = 'may be given only once';

/**
 * A query parameter given twice reaches the schema as an array, and the schema's message
 * would describe the wrong thing ("Expected string but received Array", or "is required").
 * Every issue of a repeated parameter becomes one clear message.
 */
function onceOnly(
  issues: readonly StandardSchemaV1.Issue[],
  params: URLSearchParams,
): StandardSchemaV1.Issue[] {
  const said = new Set<string>();
  return issues.flatMap((issue) => {
    const first = issue.path?.[0];
    const name = String(typeof first === 'object' ? first.key : first);
    if (first === undefined || params.getAll(name).length < 2) return [issue];
    if (said.has(name)) return [];
    said.add(name);
    return [{ message: ONCE_ONLY, path: [name] }];
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
