/**
 * One error envelope for every route: RFC 9457 "Problem Details for HTTP APIs".
 * https://www.rfc-editor.org/rfc/rfc9457
 *
 * Handlers throw `ApiError`; the app's `onError` turns it (and anything else) into
 * `application/problem+json`. Internal error text never reaches the client.
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import * as v from 'valibot';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * Every machine-readable code, its HTTP status and what it means: the one list. `ApiError`
 * maps codes to statuses, and the OpenAPI document enumerates and describes them (the
 * `Problem` schema below).
 */
export const ERRORS = {
  bad_request: [400, 'The request is malformed: JSON that does not parse, a bad header.'],
  invalid_query: [400, 'A query or path parameter is invalid; `errors` names each one.'],
  invalid_body: [400, 'A field of the JSON body is invalid; `errors` names each one.'],
  invalid_cursor: [400, 'The cursor is not one this API issued for this list or query.'],
  unauthorized: [401, 'No token, or a wrong one: see `WWW-Authenticate`.'],
  forbidden: [403, 'The token is valid but not for this resource.'],
  not_found: [404, 'No such route, article, ad or submission.'],
  method_not_allowed: [405, 'The path exists, not with this method: see `Allow`.'],
  conflict: [409, 'The resource changed in a way that conflicts with the request.'],
  payload_too_large: [413, 'The request body is over the limit.'],
  unsupported_media_type: [415, 'The body is not `application/json`.'],
  idempotency_mismatch: [422, 'The Idempotency-Key was used before with another body.'],
  rate_limited: [429, 'Too many requests from this client: see `Retry-After` and `RateLimit`.'],
  internal: [500, 'Something went wrong on our side.'],
  unavailable: [
    503,
    'Not ready (no snapshot yet, a store down, not configured): see `Retry-After`.',
  ],
  submission_rejected: [422, 'The submission was refused (form token, honeypot).'],
  verification_failed: [403, 'Human verification (Turnstile) is missing or failed.'],
} as const satisfies Record<string, readonly [status: number, meaning: string]>;

export type ErrorCode = keyof typeof ERRORS;
// Object.keys is typed string[]; these are exactly the keys of ERRORS.
const CODES = Object.keys(ERRORS) as [ErrorCode, ...ErrorCode[]];

export const FieldError = v.object({
  field: v.pipe(v.string(), v.description('Dotted path of the failing field: `contact.email`')),
  message: v.string(),
});
export type FieldError = v.InferOutput<typeof FieldError>;

/** The body of every error (RFC 9457 §3), for the OpenAPI document and the typed client. */
export const Problem = v.object({
  type: v.pipe(v.string(), v.description('https://edge-news.dev/problems/ and the code, dashed')),
  title: v.pipe(v.string(), v.description('The HTTP status text')),
  status: v.pipe(v.number(), v.integer(), v.minValue(400), v.maxValue(599)),
  detail: v.pipe(v.string(), v.description('What went wrong, for people')),
  code: v.pipe(
    v.picklist(CODES),
    v.description('What went wrong, for programs; each value with its status and meaning'),
    // Shown beside each value by Scalar (and Redoc): the one place each code is explained.
    v.metadata({
      'x-enumDescriptions': Object.fromEntries(
        CODES.map((code) => [code, `${ERRORS[code][0]}: ${ERRORS[code][1]}`]),
      ),
    }),
  ),
  instance: v.optional(v.pipe(v.string(), v.description('The path of the request'))),
  errors: v.optional(v.array(FieldError)),
});
export type Problem = v.InferOutput<typeof Problem>;

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    detail: string,
    options: { errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.name = 'ApiError';
    this.code = code;
    this.status = ERRORS[code][0];
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }

  toProblem(instance?: string): Problem {
    return {
      type: `https://edge-news.dev/problems/${this.code.replaceAll('_', '-')}`,
      title: TITLES[this.status] ?? 'Error',
      status: this.status,
      detail: this.message,
      code: this.code,
      ...(instance === undefined ? {} : { instance }),
      ...(this.errors === undefined ? {} : { errors: this.errors }),
    };
  }
}

export function problemResponse(error: ApiError, instance?: string): Response {
  return new Response(JSON.stringify(error.toProblem(instance)), {
    status: error.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...error.headers },
  });
}

/** Turns Standard Schema issues (valibot's included) into `{ field, message }` pairs. */
export function fieldErrors(issues: readonly StandardSchemaV1.Issue[]): FieldError[] {
  return issues.map((issue) => ({
    field:
      issue.path
        ?.map((segment) => String(typeof segment === 'object' ? segment.key : segment))
        .join('.') || '(root)',
    message: issue.message,
  }));
}

/** An OpenAPI response entry for a problem+json answer (the generator names the Problem schema). */
export const problemDoc = (description = 'Problem details (RFC 9457)') => ({ description });

/** 400 for a cursor that is not one of ours (`detail` for people, `message` for the `cursor` field). */
export const invalidCursor = (detail: string, message: string) =>
  new ApiError('invalid_cursor', detail, { errors: [{ field: 'cursor', message }] });
