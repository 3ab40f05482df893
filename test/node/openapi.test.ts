/**
 * The OpenAPI document as the real Worker serves it (wrangler's unstable_startWorker: the
 * static asset that `npm run openapi` builds, with the server's origin), checked by
 * third-party tools: an OpenAPI 3.1 validator, ajv for the examples against their schemas,
 * and openapi-typescript for the named types a client generator makes of it.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020.js';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/core/submissions/schemas.ts';
import { ERRORS } from '../../src/http/problem.ts';
import { OPENAPI_FILE, openApiText } from '../../scripts/openapi/build.ts';
import { startWorker } from './worker.ts';

type Worker = Awaited<ReturnType<typeof startWorker>>;
let worker: Worker;

type Schema = Record<string, unknown> & { properties?: Record<string, Schema> };
interface Operation {
  parameters?: { name: string; in: string; schema: Schema }[];
  security?: Record<string, string[]>[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<
    string,
    { description: string; content?: Record<string, { schema: Schema; examples?: object }> }
  >;
}
interface Document {
  openapi: string;
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, Schema> };
}
let doc: Document;
const operations = () =>
  Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })),
  );
const jsonSchemaOf = (op: Operation | undefined, status: string) =>
  op?.responses[status]?.content?.['application/json']?.schema;

let kvDir: string;
beforeAll(async () => {
  // The sample published into a local KV of its own, so the Worker answers with real content.
  kvDir = await mkdtemp(join(tmpdir(), 'edge-news-openapi-'));
  await promisify(execFile)(process.execPath, [
    'scripts/build.ts',
    '--local',
    '--persist-to',
    kvDir,
  ]);
  worker = await startWorker(kvDir);
  await worker.ready;
  const res = await worker.fetch(new URL('/openapi.json', await worker.url).toString());
  expect(res.status).toBe(200);
  doc = (await res.json()) as Document;
}, 120_000);
afterAll(async () => {
  await worker?.dispose();
  await rm(kvDir, { recursive: true, force: true });
});

describe('GET /openapi.json', () => {
  it('is the committed assets/openapi.json, current with the routes, with this server', async () => {
    const committed = readFileSync(OPENAPI_FILE, 'utf8');
    expect(committed).toBe(openApiText());
    const origin = (await worker.url).origin;
    expect(doc.servers).toEqual([{ url: origin }]);
    const { servers: _, ...rest } = doc;
    expect(rest).toEqual(JSON.parse(committed));
    // servers follows info, as a reader expects it
    expect(Object.keys(doc).slice(0, 3)).toEqual(['openapi', 'info', 'servers']);
  });

  it('is a valid OpenAPI 3.1 document covering every public route', async () => {
    const result = await new Validator().validate(doc as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
    for (const path of [
      '/v1/feed',
      '/v1/sections',
      '/v1/articles/{id}',
      '/v1/health',
      '/v1/articles',
      '/feed.json',
      '/feed.xml',
      '/feed.atom',
      '/sections/{section}/feed.json',
    ]) {
      expect(doc.paths[path], path).toHaveProperty('get');
    }
    const feedParams = doc.paths['/v1/feed']!.get!.parameters!.map((p) => p.name).sort();
    expect(feedParams).toEqual([
      'cursor',
      'fields',
      'lang',
      'limit',
      'section',
      'since',
      'source',
      'until',
    ]);
  });

  it('names its schemas, and the main routes answer with them', () => {
    expect(Object.keys(doc.components.schemas).sort()).toEqual([
      'Ad',
      'AdCreated',
      'AdInput',
      'AdPage',
      'AdPatch',
      'AdSummary',
      'ApiKey',
      'ApiKeyInput',
      'ApiKeyIssued',
      'ApiKeyList',
      'Article',
      'ArticleList',
      'ArticleSummary',
      'DuplicateRef',
      'FeedPage',
      'FieldError',
      'NewsCreated',
      'NewsInput',
      'OwnerView',
      'Problem',
      'ReportInput',
      'SearchHit',
      'SearchResult',
      'Sections',
      'Submission',
      'SubmissionPage',
      'Suggestions',
      'TrimmedArticle',
      'TrimmedArticleList',
      'TrimmedArticleSummary',
      'TrimmedFeedPage',
      'TrimmedSearchHit',
      'TrimmedSearchResult',
    ]);
    const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
    const get = (path: string) => doc.paths[path]?.get;
    // Whole without `fields=`, trimmed with it.
    const either = (whole: string) => ({ anyOf: [ref(whole), ref(`Trimmed${whole}`)] });
    expect(jsonSchemaOf(get('/v1/feed'), '200')).toEqual(either('FeedPage'));
    expect(jsonSchemaOf(get('/v1/articles/{id}'), '200')).toEqual(either('Article'));
    expect(jsonSchemaOf(get('/v1/articles'), '200')).toEqual(either('ArticleList'));
    expect(jsonSchemaOf(get('/v1/search'), '200')).toEqual(either('SearchResult'));
    expect(jsonSchemaOf(get('/v1/ads/{id}'), '200')).toEqual(ref('Ad'));
    expect(jsonSchemaOf(get('/v1/ads'), '200')).toEqual(ref('AdPage'));
    expect(doc.paths['/v1/news']!.post!.requestBody!.content['application/json']!.schema).toEqual(
      ref('NewsInput'),
    );
    // Nested uses point at the component too.
    const page = doc.components.schemas.FeedPage!.properties!;
    expect(page.items).toEqual({ type: 'array', items: ref('ArticleSummary') });
    // No pointer is left dangling.
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const r of new Set(refs)) {
      const name = /#\/components\/schemas\/(\w+)"$/.exec(r)?.[1];
      expect(name && doc.components.schemas[name], r).toBeTruthy();
    }
  });

  it('describes every error answer with the Problem schema, its codes each documented once', () => {
    let errors = 0;
    for (const { route, op } of operations()) {
      expect(op.responses.default, route).toBeDefined();
      for (const [status, response] of Object.entries(op.responses)) {
        if (status !== 'default' && Number(status) < 400) continue;
        errors++;
        // Only the Problem, with the route's own examples beside it where it has some.
        expect(response.content, `${route} ${status}`).toEqual({
          'application/problem+json': {
            schema: { $ref: '#/components/schemas/Problem' },
            ...(response.content?.['application/problem+json']?.examples
              ? { examples: expect.any(Object) }
              : {}),
          },
        });
      }
    }
    expect(errors).toBeGreaterThan(60);
    const code = doc.components.schemas.Problem!.properties!.code!;
    expect(code.enum).toEqual(Object.keys(ERRORS));
    expect(code['x-enumDescriptions']).toEqual(
      Object.fromEntries(
        Object.entries(ERRORS).map(([name, [status, meaning]]) => [name, `${status}: ${meaning}`]),
      ),
    );
    expect(doc.components.schemas.Problem!.required).toEqual([
      'type',
      'title',
      'status',
      'detail',
      'code',
    ]);
  });

  it('names the bearer token of every admin and owner operation', () => {
    expect(doc.components.securitySchemes).toMatchObject({
      adminToken: { type: 'http', scheme: 'bearer' },
      manageToken: { type: 'http', scheme: 'bearer' },
      apiKey: { type: 'http', scheme: 'bearer' },
    });
    const secured = Object.fromEntries(
      operations()
        .filter(({ op }) => op.security)
        .map(({ route, op }) => [route, op.security]),
    );
    expect(secured).toEqual({
      'GET /v1/ads/{id}/manage': [{ manageToken: [] }],
      'PATCH /v1/ads/{id}': [{ manageToken: [] }],
      'DELETE /v1/ads/{id}': [{ manageToken: [] }],
      'POST /v1/ads/{id}/renew': [{ manageToken: [] }],
      'GET /v1/admin/submissions': [{ adminToken: [] }],
      'POST /v1/admin/submissions/{id}/{action}': [{ adminToken: [] }],
      'GET /v1/admin/api-keys': [{ adminToken: [] }],
      'POST /v1/admin/api-keys': [{ adminToken: [] }],
      'DELETE /v1/admin/api-keys/{id}': [{ adminToken: [] }],
      'POST /v1/admin/publish-lease/acquire': [{ adminToken: [] }],
      'POST /v1/admin/publish-lease/release': [{ adminToken: [] }],
      'POST /v1/admin/publish-lease/renew': [{ adminToken: [] }],
      // optional: browsers send none, an app its key
      'POST /v1/ads': [{}, { apiKey: [] }],
      'POST /v1/news': [{}, { apiKey: [] }],
    });
    // Exactly the operations that answer 401.
    expect(
      operations()
        .filter(({ op }) => op.responses['401'])
        .map(({ route }) => route)
        .sort(),
    ).toEqual(Object.keys(secured).sort());
  });

  it('carries the length and range limits of the valibot schemas', () => {
    const news = doc.components.schemas.NewsInput!.properties!;
    expect([news.text!.minLength, news.text!.maxLength]).toEqual([...LIMITS.newsText]);
    expect([news.title!.minLength, news.title!.maxLength]).toEqual([...LIMITS.newsTitle]);
    const ad = doc.components.schemas.AdInput!.properties!;
    expect([ad.text!.minLength, ad.text!.maxLength]).toEqual([...LIMITS.adText]);
    const limit = doc.paths['/v1/feed']!.get!.parameters!.find((p) => p.name === 'limit')!;
    expect(limit.schema).toEqual({ type: 'integer', minimum: 1, maximum: 100, default: 20 });
    // Every `limit` of every route is a documented integer range with its default.
    const limits = operations().flatMap(({ route, op }) =>
      (op.parameters ?? []).filter((p) => p.name === 'limit').map((p) => [route, p.schema]),
    );
    expect(limits.length).toBeGreaterThanOrEqual(6);
    for (const [route, schema] of limits)
      expect(schema, String(route)).toEqual({
        type: 'integer',
        minimum: 1,
        maximum: expect.any(Number),
        default: expect.any(Number),
      });
    const ads = doc.paths['/v1/ads']!.get!.parameters!;
    expect(ads.find((p) => p.name === 'limit')!.schema).toMatchObject({ maximum: 50, default: 20 });
    expect(ads.find((p) => p.name === 'price_min')!.schema).toEqual({ type: 'number', minimum: 0 });
  });

  it('has examples that its own schemas accept', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema(doc as unknown as Record<string, unknown>, 'openapi.json');
    const named = Object.entries(doc.components.schemas).filter(([, s]) => s.examples);
    expect(named.map(([name]) => name).sort()).toEqual([
      'Ad',
      'AdCreated',
      'Article',
      'ArticleSummary',
      'FeedPage',
      'NewsInput',
      'Problem',
      'SearchResult',
    ]);
    for (const [name, schema] of named) {
      const validate = ajv.getSchema(`openapi.json#/components/schemas/${name}`)!;
      for (const example of schema.examples as unknown[]) {
        expect(validate(example), `${name}: ${ajv.errorsText(validate.errors)}`).toBe(true);
      }
    }
    // The check can fail: an example that breaks its schema is refused.
    const article = ajv.getSchema('openapi.json#/components/schemas/Article')!;
    expect(article({ ...(doc.components.schemas.Article!.examples as object[])[0], url: 5 })).toBe(
      false,
    );
  });

  it('has examples per main route, each accepted by the schema it shows', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema(doc as unknown as Record<string, unknown>, 'openapi.json');
    /** The schema at a JSON pointer (RFC 6901) into the document, its $refs resolved there. */
    const at = (...steps: string[]) =>
      ajv.getSchema(
        `openapi.json#/${steps.map((s) => encodeURIComponent(s.replaceAll('~', '~0').replaceAll('/', '~1'))).join('/')}`,
      )!;
    type Examples = Record<string, { value: unknown }> | undefined;
    const checked: string[] = [];
    /** Request parts of a 400 example that their schema refuses (one at least, per example). */
    const refused = new Set<string>();
    let badRequests: Set<string>;
    const check = (where: string, examples: Examples, validate: ReturnType<typeof at>) => {
      for (const [name, { value }] of Object.entries(examples ?? {})) {
        const valid = validate(value);
        if (badRequests.has(name) && !/ \d{3}$/.test(where)) {
          if (!valid) refused.add(`${where.split(' ').slice(0, 2).join(' ')} ${name}`);
        } else expect(valid, `${where} ${name}: ${ajv.errorsText(validate.errors)}`).toBe(true);
        checked.push(`${where} ${name}`);
      }
    };
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops) as [string, Operation & Examples][]) {
        const route = `${method.toUpperCase()} ${path}`;
        // The examples answered 400 show a request the schemas refuse.
        badRequests = new Set(
          Object.keys(op.responses['400']?.content?.['application/problem+json']?.examples ?? {}),
        );
        (op.parameters ?? []).forEach((p, i) =>
          check(
            `${route} ?${p.name}`,
            (p as { examples?: Examples }).examples,
            at('paths', path, method, 'parameters', String(i), 'schema'),
          ),
        );
        for (const [type, media] of Object.entries(op.requestBody?.content ?? {}))
          check(
            `${route} body`,
            (media as { examples?: Examples }).examples,
            at('paths', path, method, 'requestBody', 'content', type, 'schema'),
          );
        for (const [status, answer] of Object.entries(op.responses)) {
          for (const [type, media] of Object.entries(answer.content ?? {}))
            check(
              `${route} ${status}`,
              (media as { examples?: Examples }).examples,
              at('paths', path, method, 'responses', status, 'content', type, 'schema'),
            );
          for (const [name, header] of Object.entries(
            (answer as { headers?: Record<string, { examples?: Examples }> }).headers ?? {},
          ))
            check(
              `${route} ${status} header ${name}`,
              header.examples,
              at('paths', path, method, 'responses', status, 'headers', name, 'schema'),
            );
        }
        for (const name of badRequests)
          expect(refused, `${route} ${name}: a 400 example of a valid request`).toContain(
            `${route} ${name}`,
          );
      }
    }
    // Every main route shows an answer, the POSTs their bodies, and a 400 and a 429 Problem.
    const answered = new Set(checked.map((c) => c.split(' ').slice(0, 2).join(' ')));
    for (const route of [
      'GET /v1/feed',
      'GET /v1/articles/{id}',
      'GET /v1/articles',
      'GET /v1/search',
      'GET /v1/suggest',
      'GET /v1/ads',
      'POST /v1/ads',
      'POST /v1/news',
    ])
      expect(answered, route).toContain(route);
    expect(checked).toContain('POST /v1/news body story');
    expect(checked).toContain('POST /v1/ads body bicycle');
    expect(checked).toContain('GET /v1/feed 400 bad-limit');
    expect(checked).toContain('POST /v1/news 429 rate-limited');
    expect(checked).toContain('POST /v1/news 429 header RateLimit-Remaining rate-limited');
    // Every 429 answer documents the rate-limit headers (test/worker/contract.test.ts
    // produces each 429 example and compares them).
    for (const { route, op } of operations())
      if (op.responses['429'])
        expect(
          Object.keys((op.responses['429'] as { headers?: object }).headers ?? {}),
          route,
        ).toEqual([
          'Retry-After',
          'RateLimit',
          'RateLimit-Policy',
          'RateLimit-Limit',
          'RateLimit-Remaining',
          'RateLimit-Reset',
        ]);
    // The check can fail: an answer that breaks its schema is refused.
    const feed = at(
      'paths',
      '/v1/feed',
      'get',
      'responses',
      '200',
      'content',
      'application/json',
      'schema',
    );
    expect(feed({ items: [{ id: 5 }], next_cursor: null, total: 1 })).toBe(false);
  });

  it('gives a client generator (openapi-typescript) named types', async () => {
    const types = astToString(await openapiTS(doc as unknown as Parameters<typeof openapiTS>[0]));
    for (const name of Object.keys(doc.components.schemas)) {
      expect(types, name).toMatch(new RegExp(`^ {8}${name}: \\{$`, 'm'));
    }
    // Operations answer with the named types, not anonymous copies.
    expect(types).toContain(
      '"application/json": components["schemas"]["FeedPage"] | components["schemas"]["TrimmedFeedPage"];',
    );
    expect(types).toContain('"application/problem+json": components["schemas"]["Problem"];');
    const codes = Object.keys(ERRORS)
      .map((c) => `"${c}"`)
      .join(' | ');
    expect(types).toContain(`code: ${codes};`);
  });
});

describe('answers trimmed by fields=, checked with ajv against the document', () => {
  /** Every operation that takes `fields`, and one request of each on the sample. */
  const REQUESTS: Record<string, string> = {
    'GET /v1/feed': '/v1/feed?limit=5',
    'GET /v1/articles': '/v1/articles?ids=5046169f7437e9e5,821f84009b183527,no-such-article',
    'GET /v1/articles/{id}': '/v1/articles/821f84009b183527',
    'GET /v1/search': '/v1/search?q=%D0%B2%D1%8B%D0%B1%D0%BE%D1%80%D1%8B&limit=5',
  };
  const FIELDS = ['title', 'published,url', 'id', 'image,lang,section,source,title'];
  const get = async (path: string) => {
    const res = await worker.fetch(new URL(path, await worker.url).toString());
    expect(res.status, path).toBe(200);
    return (await res.json()) as { items?: Record<string, unknown>[] } & Record<string, unknown>;
  };

  it('every route that takes fields= is listed here', () => {
    const taking = operations()
      .filter(({ op }) => op.parameters?.some((p) => p.name === 'fields'))
      .map(({ route }) => route);
    expect(taking.sort()).toEqual(Object.keys(REQUESTS).sort());
  });

  it('validates whole and trimmed answers against the 200 schema, and only trimmed ones against Trimmed*', async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema(doc as unknown as Record<string, unknown>, 'openapi.json');
    const schema = (name: string) => ajv.getSchema(`openapi.json#/components/schemas/${name}`)!;
    const WHOLE: Record<string, string> = {
      'GET /v1/feed': 'FeedPage',
      'GET /v1/articles': 'ArticleList',
      'GET /v1/articles/{id}': 'Article',
      'GET /v1/search': 'SearchResult',
    };
    let trimmedChecked = 0;
    for (const [route, path] of Object.entries(REQUESTS)) {
      const [method, template] = route.split(' ') as [string, string];
      const answer = ajv.compile({
        $ref: `openapi.json#/paths/${template.replaceAll('/', '~1')}/${method.toLowerCase()}/responses/200/content/application~1json/schema`,
      });
      const whole = schema(WHOLE[route]!);
      const trimmed = schema(`Trimmed${WHOLE[route]!}`);
      const full = await get(path);
      const items = full.items ?? [full];
      expect(items.length, route).toBeGreaterThan(0);
      expect(answer(full), `${route}: ${ajv.errorsText(answer.errors)}`).toBe(true);
      expect(whole(full), `${route}: ${ajv.errorsText(whole.errors)}`).toBe(true);
      for (const fields of FIELDS) {
        const body = await get(`${path}${path.includes('?') ? '&' : '?'}fields=${fields}`);
        const kept = (body.items ?? [body]).map((item) => Object.keys(item).sort());
        const asked = [...new Set(['id', ...fields.split(',')])].sort();
        // Trimmed to exactly the fields asked (each of them is set on every sample item).
        expect(kept, `${route} fields=${fields}`).toEqual(items.map(() => asked));
        expect(answer(body), `${route} fields=${fields}: ${ajv.errorsText(answer.errors)}`).toBe(
          true,
        );
        expect(trimmed(body), `${route} fields=${fields}`).toBe(true);
        // The whole schema refuses it (its required properties are missing): the reason the
        // document names the trimmed one.
        expect(whole(body), `${route} fields=${fields}`).toBe(false);
        trimmedChecked++;
      }
    }
    expect(trimmedChecked).toBe(16);
    // The check can fail: a trimmed item with a field of the wrong type is refused.
    const feed = await get(`${REQUESTS['GET /v1/feed']}&fields=title`);
    expect(schema('TrimmedFeedPage')({ ...feed, items: [{ id: 'a', title: 5 }] })).toBe(false);
    expect(schema('TrimmedFeedPage')({ ...feed, items: [{ title: 'no id' }] })).toBe(false);
  });
});
