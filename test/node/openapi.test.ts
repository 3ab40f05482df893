/**
 * The OpenAPI document and the docs page, from the real Worker running in workerd
 * (wrangler's unstable_startWorker), checked by third-party tools: an OpenAPI 3.1
 * validator for the document.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from './worker.ts';

type Worker = Awaited<ReturnType<typeof startWorker>>;
let worker: Worker;

beforeAll(async () => {
  worker = await startWorker();
  await worker.ready;
}, 60_000);
afterAll(() => worker?.dispose());

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document covering every public route', async () => {
    const res = await worker.fetch('http://localhost/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    const result = await new Validator().validate(doc as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
    for (const path of [
      '/v1/feed',
      '/v1/sections',
      '/v1/articles/{id}',
      '/v1/health',
      '/feed.json',
      '/feed.xml',
      '/feed.atom',
      '/sections/{section}/feed.json',
    ]) {
      expect(doc.paths[path], path).toHaveProperty('get');
    }
    const feedParams = (doc.paths['/v1/feed']!.get as { parameters: { name: string }[] }).parameters
      .map((p) => p.name)
      .sort();
    expect(feedParams).toEqual(['cursor', 'lang', 'limit', 'section', 'source']);
  });
});
