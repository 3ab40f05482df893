/**
 * The first requests of fresh isolates, in workerd (Miniflare running the Worker that
 * `wrangler deploy --dry-run` bundles, on local KV and a local Workers cache on disk).
 * Index loads are shared between the requests of an isolate; in workerd, I/O a request
 * started is cancelled when that request ends. A request that ends before its index reads
 * settle must not leave every later search waiting on them.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleApp, instance } from '../../scripts/bench/workerd.ts';
import { runPipeline } from '../../src/core/content/pipeline.ts';
import { buildSnapshot } from '../../src/core/snapshot/build.ts';
import { publishSnapshot } from '../../src/core/snapshot/publish.ts';
import { bindingStore } from '../../src/storage/kv-binding.ts';

const ROOT = join(import.meta.dirname, '..', '..');
// Inside the repository: workerd refuses module paths that leave the working directory.
const dir = mkdtempSync(join(ROOT, '.wrangler', 'search-first-'));
let script = '';
const started: Miniflare[] = [];

/** A fresh isolate on the shared KV and cache directories. */
function isolate(): Miniflare {
  const mf = instance(script, join(dir, 'kv'), { cachePersist: join(dir, 'cache') });
  started.push(mf);
  return mf;
}

async function get(mf: Miniflare, path: string) {
  const res = await mf.dispatchFetch(`http://edge.test${path}`);
  return { status: res.status, cache: res.headers.get('x-edge-cache'), body: await res.text() };
}

const q = (text: string) => `/v1/search?q=${encodeURIComponent(text)}`;

beforeAll(async () => {
  script = bundleApp(join(dir, 'app'));
  const fixture = JSON.parse(
    readFileSync(join(ROOT, 'test', 'fixtures', 'search', 'articles.json'), 'utf8'),
  ) as unknown[];
  const { articles, stats } = runPipeline(
    fixture.map((value, i) => ({ value, origin: { file: 'articles.json', line: i + 1 } })),
  );
  const writer = isolate();
  const kv = (await writer.getKVNamespace('NEWS')) as unknown as KVNamespace;
  await publishSnapshot(bindingStore(kv), buildSnapshot(articles, stats));
}, 120_000);

afterAll(async () => {
  for (const mf of started) await mf.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('the first searches of a fresh isolate', () => {
  it('a refused first request (repeated q) leaves later searches and suggestions answering', async () => {
    const mf = isolate();
    const refused = await get(mf, '/v1/search?q=a&q=b');
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'invalid_query' });
    const search = await get(mf, q('Москве'));
    expect(search.status).toBe(200);
    expect(JSON.parse(search.body)).toMatchObject({ query: 'Москве', total: 2 });
    expect((await get(mf, '/v1/suggest?q=%D0%BD%D0%BE%D0%B2')).status).toBe(200);
  }, 60_000);

  it('a first search answered by the edge cache (its prefetch wasted) leaves the next one answering', async () => {
    const first = isolate();
    expect(await get(first, q('Києві'))).toMatchObject({ status: 200, cache: 'MISS' });
    // A fresh isolate whose first search is a cache hit: the index reads its prefetch
    // started outlive the response.
    const mf = isolate();
    expect(await get(mf, q('Києві'))).toMatchObject({ status: 200, cache: 'HIT' });
    const other = await get(mf, q('Одеси'));
    expect(other).toMatchObject({ status: 200, cache: 'MISS' });
    expect(JSON.parse(other.body)).toMatchObject({ total: 1 });
  }, 60_000);
});
