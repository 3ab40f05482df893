/**
 * One error envelope for every route: RFC 9457 "Problem Details for HTTP APIs".
 * https://www.rfc-editor.org/rfc/rfc9457
 *
 * Handlers throw `ApiError`; the app's `onError` turns it (and anything else) into
 * `application/problem+json`. Internal error text never reaches the client.
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Machine-readable codes and the HTTP status each one maps to. */
export const ERROR_STATUS = {
  bad_request: 400,
  invalid_query: 400,
  invalid_body: 400,
  invalid_cursor: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  idempotency_mismatch: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
  submission_rejected: 422,
  verification_failed: 403,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldError {
  /** Dotted path of the failing field, e.g. `contact.email` or `limit`. */
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  errors?: FieldError[];
}

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
    this.status = ERROR_STATUS[code];
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

/** An OpenAPI response entry for a problem+json answer. */
export const problemDoc = (description = 'Problem details (RFC 9457)') => ({
  description,
  content: { 'application/problem+json': {} },
});

/** 400 for a cursor that is not one of ours (`detail` for people, `message` for the `cursor` field). */
export const invalidCursor = (detail: string, message: string) =>
  new ApiError('invalid_cursor', detail, { errors: [{ field: 'cursor', message }] });
