/**
 * The "MiniSearch as-is" baseline as a Worker: the whole index in one KV value, loaded
 * with `loadJSON` (same options as the build) on the first request of an isolate.
 */
import MiniSearch from 'minisearch';
import { type IndexedDoc, miniSearchOptions } from '../../src/core/search/options.ts';

const MINISEARCH_KEY = 'bench:minisearch';
const options = miniSearchOptions('ru');
let index: Promise<MiniSearch<IndexedDoc>> | undefined;

export default {
  async fetch(request: Request, env: { NEWS: KVNamespace }): Promise<Response> {
    // The isolate-warming request of the benchmark: answered without the index.
    if (new URL(request.url).pathname === '/health') return new Response('ok');
    const started = performance.now();
    index ??= env.NEWS.get(MINISEARCH_KEY).then((json) => {
      if (json === null) throw new Error('no MiniSearch index in KV');
      return MiniSearch.loadJSON<IndexedDoc>(json, options);
    });
    const mini = await index;
    const q = new URL(request.url).searchParams.get('q') ?? '';
    const results = mini.search(q, {
      combineWith: 'AND',
      prefix: (_t, i, all) => i === all.length - 1,
      fuzzy: (t) => (t.length >= 9 ? 2 : t.length >= 5 ? 1 : 0),
    });
    return Response.json(
      { total: results.length, ids: results.slice(0, 10).map((r) => r.id) },
      { headers: { 'server-timing': `total;dur=${(performance.now() - started).toFixed(1)}` } },
    );
  },
};
