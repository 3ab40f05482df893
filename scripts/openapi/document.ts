/**
 * Builds the OpenAPI 3.1 document from the app's own routes: each route's `describeRoute`
 * and `validate` middleware carry what it says (src/http/openapi.ts), and the valibot
 * schemas they name are converted here with @valibot/to-json-schema (JSON Schema
 * 2020-12, the dialect of OpenAPI 3.1). Runs at build time only (scripts/openapi.ts), so
 * neither the converter nor this generator is in the Worker bundle.
 */
import { toJsonSchema, toJsonSchemaDefs, type ConversionConfig } from '@valibot/to-json-schema';
import type { GenericSchema } from 'valibot';
import {
  ROUTE_DOC,
  type RouteDescription,
  type RouteDoc,
  SchemaRef,
} from '../../src/http/openapi.ts';
import { PROBLEM_CONTENT_TYPE } from '../../src/http/problem.ts';

type Json = Record<string, unknown>;

export interface Contract {
  info: { title: string; version: string; description: string };
  tags: { name: string; description: string }[];
  /**
   * Schemas by component name. Wherever a route uses one of these very objects (a response,
   * a body, a field of another), the document says `$ref: #/components/schemas/<name>`.
   */
  schemas: Record<string, GenericSchema>;
  /** One example per component name (test/node/openapi.test.ts checks each against its schema). */
  examples: Record<string, unknown>;
  securitySchemes: Record<string, Json>;
  /** The security requirement of an operation (`GET /v1/ads/{id}/manage`), if it has one. */
  security: (operation: string) => Record<string, string[]>[] | undefined;
  /** The tag of an operation whose route names none. */
  tagOf: (path: string) => string;
  /** The response every error status gets (the Problem schema). */
  problem: string;
  /** Examples of whole requests and their answers, by operation (`GET /v1/feed`) and name. */
  operationExamples: Record<string, Record<string, OperationExample>>;
  /** The headers of every 429 answer (OpenAPI header objects by name). */
  rateLimitHeaders: Record<string, Json>;
}

/**
 * One request and the answer it gets: its parameters (path and query, as values), its JSON
 * body, the status and the body answered. Written into the operation's parameters, request
 * body and response as named OpenAPI examples (3.1 §4.8.19).
 */
export interface OperationExample {
  summary: string;
  params?: Record<string, unknown>;
  body?: unknown;
  status: number;
  response: unknown;
  /** Headers of the answer, each one the answer documents (integers as numbers, as their schema says). */
  headers?: Record<string, string | number>;
}

interface Route {
  method: string;
  path: string;
  handler: unknown;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: Contract['info'];
  tags: Contract['tags'];
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json>; securitySchemes: Record<string, Json> };
}

const docOf = (handler: unknown): RouteDoc | undefined =>
  typeof handler === 'function' ? (handler as { [ROUTE_DOC]?: RouteDoc })[ROUTE_DOC] : undefined;

const IN = { query: 'query', param: 'path', header: 'header' } as const;

export function buildDocument(routes: readonly Route[], contract: Contract): OpenApiDocument {
  const config: ConversionConfig = {
    target: 'draft-2020-12',
    // A request is documented as the client sends it (a query's digits, a text before it is
    // cleaned); conversion stops at the first transformation.
    typeMode: 'input',
    errorMode: 'ignore',
    overrideRef: ({ referenceId }) => `#/components/schemas/${referenceId}`,
  };
  const convert = (schema: GenericSchema): Json => {
    const {
      $schema: _,
      $defs: __,
      ...json
    } = toJsonSchema(schema, {
      ...config,
      definitions: contract.schemas,
    }) as Json;
    return json;
  };
  // A fresh object each time: an operation's examples go into its own copy.
  const problem = () => ({
    [PROBLEM_CONTENT_TYPE]: { schema: { $ref: `#/components/schemas/${contract.problem}` } },
  });

  /** The description with every `resolver(...)` converted; error answers are Problems. */
  const resolve = (value: unknown): unknown => {
    if (value instanceof SchemaRef) return convert(value.schema);
    if (Array.isArray(value)) return value.map(resolve);
    if (typeof value === 'object' && value !== null)
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
    return value;
  };

  // app.routes lists each middleware and handler of a route as an entry of its own.
  const operations = new Map<string, { method: string; path: string; docs: RouteDoc[] }>();
  for (const { method, path, handler } of routes) {
    if (method === 'ALL') continue;
    const key = `${method} ${path}`;
    const op = operations.get(key) ?? { method, path, docs: [] };
    const doc = docOf(handler);
    if (doc) op.docs.push(doc);
    operations.set(key, op);
  }

  const paths: OpenApiDocument['paths'] = {};
  for (const { method, path, docs } of operations.values()) {
    const description: RouteDescription | undefined = docs.flatMap((d) =>
      'describe' in d ? [d.describe] : [],
    )[0];
    if (description === undefined || description.hide) continue;
    const parameters: Json[] = [];
    let body: Json | undefined;
    for (const doc of docs) {
      if (!('validate' in doc)) continue;
      const { target, schema } = doc.validate;
      if (target === 'json') {
        body = {
          required: true,
          content: { 'application/json': { schema: convert(schema as GenericSchema) } },
        };
        continue;
      }
      if (target === 'form') continue;
      const object = convert(schema as GenericSchema) as {
        properties?: Record<string, Json>;
        required?: string[];
      };
      for (const [name, property] of Object.entries(object.properties ?? {})) {
        const { description: text, ...propertySchema } = property;
        parameters.push({
          name,
          in: IN[target],
          required: target === 'param' || (object.required ?? []).includes(name),
          ...(typeof text === 'string' ? { description: text } : {}),
          schema: numberParameter(propertySchema),
        });
      }
    }
    const { hide: _, responses = {}, requestBody, parameters: extra = [], ...rest } = description;
    const answers = resolve(responses) as Record<string, Json>;
    // Every error answer is a Problem, whatever the route wrote; `default` covers the ones
    // any route may give (405, 500, 503).
    for (const [status, answer] of Object.entries(answers)) {
      if (Number(status) >= 400) answer.content = problem();
      // A fresh copy per answer: its examples go into it.
      if (status === '429') answer.headers = structuredClone(contract.rateLimitHeaders);
    }
    answers.default = {
      description: 'Any other error: problem details (RFC 9457)',
      content: problem(),
    };
    const openApiPath = path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const security = contract.security(`${method} ${openApiPath}`);
    const operation = `${method} ${openApiPath}`;
    const allParameters = [...parameters, ...(resolve(extra) as Json[])];
    const requestJson = requestBody ? (resolve(requestBody) as Json) : body;
    for (const [name, example] of Object.entries(contract.operationExamples[operation] ?? {}))
      addExample(operation, name, example, { parameters: allParameters, requestJson, answers });
    (paths[openApiPath] ??= {})[method.toLowerCase()] = {
      ...(rest.tags ? {} : { tags: [contract.tagOf(openApiPath)] }),
      ...(resolve(rest) as Json),
      ...(security ? { security } : {}),
      ...(allParameters.length > 0 ? { parameters: allParameters } : {}),
      ...(requestJson ? { requestBody: requestJson } : {}),
      responses: answers,
    };
  }

  for (const operation of Object.keys(contract.operationExamples))
    if (!operations.has(operation.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1')))
      throw new Error(`examples for ${operation}, which is no operation`);

  const schemas = toJsonSchemaDefs(contract.schemas, config) as Record<string, Json>;
  for (const [name, example] of Object.entries(contract.examples)) {
    const schema = schemas[name];
    if (schema === undefined) throw new Error(`an example for ${name}, which is no component`);
    schema.examples = [example];
  }
  return {
    openapi: '3.1.0',
    info: contract.info,
    tags: contract.tags,
    paths: sortKeys(paths),
    components: { schemas, securitySchemes: contract.securitySchemes },
  };
}

/**
 * A query value arrives as text that a validator reads as a number; its schema says
 * `integer` (src/http/schemas.ts), and the text's pattern and default become the number's.
 */
function numberParameter(schema: Json): Json {
  if (schema.type !== 'integer' && schema.type !== 'number') return schema;
  const { pattern: _, ...rest } = schema;
  return typeof rest.default === 'string' ? { ...rest, default: Number(rest.default) } : rest;
}

const sortKeys = <T>(record: Record<string, T>): Record<string, T> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/**
 * Writes one example into its operation: each parameter's value, the request body and the
 * answer, under the same name. A parameter, body or status the operation does not have is
 * an error, so an example cannot outlive the route it shows.
 */
function addExample(
  operation: string,
  name: string,
  example: OperationExample,
  target: { parameters: Json[]; requestJson: Json | undefined; answers: Record<string, Json> },
): void {
  const fail = (what: string) => {
    throw new Error(`example ${name} of ${operation}: ${what}`);
  };
  const named = (json: Json, value: unknown) => {
    const examples = (json.examples ??= {}) as Json;
    examples[name] = { summary: example.summary, value };
  };
  for (const [param, value] of Object.entries(example.params ?? {})) {
    const parameter = target.parameters.find((p) => p.name === param);
    if (!parameter) fail(`no parameter ${param}`);
    else named(parameter, value);
  }
  if (example.body !== undefined) {
    const content = (target.requestJson?.content as Record<string, Json> | undefined)?.[
      'application/json'
    ];
    if (!content) fail('no JSON request body');
    else named(content, example.body);
  }
  const answer = target.answers[String(example.status)];
  const content = answer?.content as Record<string, Json> | undefined;
  const media = content && Object.values(content)[0];
  if (!media) fail(`no ${example.status} answer with a body`);
  else named(media, example.response);
  for (const [header, value] of Object.entries(example.headers ?? {})) {
    const documented = (answer?.headers as Record<string, Json> | undefined)?.[header];
    if (!documented) fail(`no header ${header} on its ${example.status} answer`);
    else named(documented, value);
  }
}
