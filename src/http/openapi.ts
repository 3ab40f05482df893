/**
 * What the routes say about themselves for the OpenAPI document, and nothing more: the
 * Worker only carries the words. `describeRoute` and `validate` (./validate.ts) hang the
 * operation's description and its validated schemas on their middleware; the document is
 * built from them at build time by `npm run openapi` (scripts/openapi.ts), which converts
 * the valibot schemas to JSON Schema, and the Worker serves the result as a static asset.
 * So the JSON Schema converter and the document generator stay out of the Worker bundle
 * (README, "Bundle size").
 */
import type { MiddlewareHandler } from 'hono';
import type { GenericSchema, InferInput } from 'valibot';
import type { AppEnv } from '../env.ts';

/** The property of a middleware function that holds what it tells the document. */
export const ROUTE_DOC = Symbol.for('edge-news.openapi');

/** A schema the document generator converts (a response body, a request body). */
export class SchemaRef {
  readonly schema: GenericSchema;
  constructor(schema: GenericSchema) {
    this.schema = schema;
  }
}

/** The schema of a content entry: `{ 'application/json': { schema: resolver(Article) } }`. */
export const resolver = (schema: GenericSchema) => new SchemaRef(schema);

interface Content {
  [mediaType: string]: { schema?: SchemaRef | Record<string, unknown>; example?: unknown };
}

/** An OpenAPI operation object (3.1 §4.8.10) whose schemas may be `resolver(...)`. */
export interface RouteDescription {
  summary?: string;
  description?: string;
  tags?: string[];
  /** Pages for people: not part of the API contract. */
  hide?: boolean;
  security?: Record<string, string[]>[];
  parameters?: Record<string, unknown>[];
  requestBody?: { required?: boolean; description?: string; content: Content };
  responses?: Record<number, { description: string; content?: Content; headers?: object }>;
}

/** What one middleware tells the document: the description, or one validated input. */
export type RouteDoc =
  | { describe: RouteDescription }
  | { validate: { target: 'query' | 'param' | 'header' | 'json' | 'form'; schema: unknown } };

/** `handler` with `doc` hung on it, its own type unchanged (the typed client reads it). */
export function withRouteDoc<H extends object>(handler: H, doc: RouteDoc): H {
  return Object.assign(handler, { [ROUTE_DOC]: doc });
}

/** The route's description in the OpenAPI document; passes every request on. */
export function describeRoute(description: RouteDescription): MiddlewareHandler {
  return withRouteDoc(
    async function describedRoute(_c, next) {
      await next();
    },
    { describe: description },
  );
}

/**
 * Declares a route's JSON body for the typed client when the route validates it itself (the
 * submission routes hand the raw body to `submit()`, which the form door shares): it only
 * passes the request on, while `hc` learns the body type of `schema`. The document names
 * the body in the route's own `requestBody`.
 */
export function jsonInput<S extends GenericSchema>(
  _schema: S,
): MiddlewareHandler<AppEnv, string, { in: { json: InferInput<S> }; out: object }> {
  return async function declaredJson(_c, next) {
    await next();
  };
}
