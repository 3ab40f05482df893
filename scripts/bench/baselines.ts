/**
 * The engines the chunked index is compared with, on the same corpus and queries, in
 * Node: MiniSearch as-is (one index, the shared options, `loadJSON`), FlexSearch
 * (Document index, forward tokenizer, Unicode-normalising charset), Orama (its Russian
 * tokenizer and stemmer) and lunr with lunr-languages (ru + en). Each is measured for
 * build time, serialised size, load time (parse + deserialise: what a cold isolate pays)
 * and warm query time. Each engine gets its own spelling of prefix and typo queries where
 * it has one.
 */
import { createRequire } from 'node:module';
import {
  create,
  insertMultiple,
  load as oramaLoad,
  save as oramaSave,
  search as oramaSearch,
} from '@orama/orama';
import { stemmer as russianStemmer } from '@orama/stemmers/russian';
import { Charset, Document } from 'flexsearch';
import lunr from 'lunr';
import MiniSearch from 'minisearch';
import type { Article } from '../../src/core/content/article.ts';
import { type IndexedDoc, miniSearchOptions } from '../../src/core/search/options.ts';
import type { BenchQuery } from './queries.ts';
import { percentile } from './stats.ts';

const require = createRequire(import.meta.url);
(require('lunr-languages/lunr.stemmer.support.js') as (l: typeof lunr) => void)(lunr);
(require('lunr-languages/lunr.ru.js') as (l: typeof lunr) => void)(lunr);
(require('lunr-languages/lunr.multi.js') as (l: typeof lunr) => void)(lunr);

export interface BaselineResult {
  engine: string;
  buildMs: number;
  bytes: number;
  loadMs: number;
  queryP50: number;
  queryP95: number;
  hits: number;
}

const now = () => performance.now();

async function timeQueries(
  queries: readonly BenchQuery[],
  rounds: number,
  run: (q: BenchQuery) => Promise<number> | number,
) {
  const times: number[] = [];
  let hits = 0;
  for (let r = 0; r < rounds; r++) {
    for (const q of queries) {
      const t = now();
      hits += await run(q);
      times.push(now() - t);
    }
  }
  return {
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    hits: Math.round(hits / rounds),
  };
}

const words = (q: string) => q.trim().split(/\s+/);

export async function miniSearchAsIs(
  articles: readonly Article[],
  queries: readonly BenchQuery[],
): Promise<BaselineResult & { json: string }> {
  let t = now();
  const options = {
    ...miniSearchOptions('ru'),
    searchOptions: { boost: { title: 3, summary: 1.5 } },
  };
  const mini = new MiniSearch<IndexedDoc>(options);
  mini.addAll(
    articles.map((a, i) => ({ id: i, title: a.title, summary: a.summary, body: a.body })),
  );
  const json = JSON.stringify(mini);
  const buildMs = now() - t;
  t = now();
  const loaded = MiniSearch.loadJSON<IndexedDoc>(json, options);
  const loadMs = now() - t;
  const q = await timeQueries(
    queries,
    3,
    (query) =>
      loaded.search(query.q, {
        combineWith: 'AND',
        prefix: (_term, i, terms) => i === terms.length - 1,
        fuzzy: (term) => (term.length >= 9 ? 2 : term.length >= 5 ? 1 : 0),
      }).length,
  );
  return {
    engine: 'MiniSearch as-is',
    buildMs,
    bytes: Buffer.byteLength(json),
    loadMs,
    queryP50: q.p50,
    queryP95: q.p95,
    hits: q.hits,
    json,
  };
}

export async function flexSearch(
  articles: readonly Article[],
  queries: readonly BenchQuery[],
): Promise<BaselineResult> {
  const config = {
    document: { id: 'id', index: ['title', 'body'] },
    tokenize: 'forward' as const,
    encoder: Charset.Normalize,
  };
  let t = now();
  const index = new Document(config);
  articles.forEach((a, i) => index.add({ id: i, title: a.title, body: a.body }));
  const exported: [string, string][] = [];
  await index.export((key: string, data: string) => {
    exported.push([key, data]);
  });
  const buildMs = now() - t;
  const bytes = exported.reduce(
    (sum, [k, d]) => sum + Buffer.byteLength(k) + Buffer.byteLength(d ?? ''),
    0,
  );
  t = now();
  const loaded = new Document(config);
  for (const [key, data] of exported) loaded.import(key, data);
  const loadMs = now() - t;
  const q = await timeQueries(queries, 3, (query) => {
    const results = loaded.search(query.q, { limit: 10 }) as unknown as { result: unknown[] }[];
    return results.reduce((n, r) => n + r.result.length, 0);
  });
  return {
    engine: 'FlexSearch',
    buildMs,
    bytes,
    loadMs,
    queryP50: q.p50,
    queryP95: q.p95,
    hits: q.hits,
  };
}

export async function orama(
  articles: readonly Article[],
  queries: readonly BenchQuery[],
): Promise<BaselineResult> {
  const schema = { title: 'string', body: 'string' } as const;
  const make = () =>
    create({
      schema,
      components: { tokenizer: { language: 'russian', stemming: true, stemmer: russianStemmer } },
    });
  let t = now();
  const db = make();
  await insertMultiple(
    db,
    articles.map((a) => ({ title: a.title, body: a.body })),
    1000,
  );
  const raw = JSON.stringify(oramaSave(db));
  const buildMs = now() - t;
  t = now();
  const loaded = make();
  oramaLoad(loaded, JSON.parse(raw));
  const loadMs = now() - t;
  const q = await timeQueries(queries, 3, async (query) => {
    const result = await oramaSearch(loaded, {
      term: query.q,
      limit: 10,
      tolerance: query.kind === 'typo' ? 1 : 0,
      boost: { title: 3 },
    });
    return result.count;
  });
  return {
    engine: 'Orama (ru tokenizer)',
    buildMs,
    bytes: Buffer.byteLength(raw),
    loadMs,
    queryP50: q.p50,
    queryP95: q.p95,
    hits: q.hits,
  };
}

export async function lunrLanguages(
  articles: readonly Article[],
  queries: readonly BenchQuery[],
): Promise<BaselineResult> {
  type Multi = { multiLanguage: (...langs: string[]) => lunr.Builder.Plugin };
  let t = now();
  const index = lunr(function build() {
    this.use((lunr as unknown as Multi).multiLanguage('en', 'ru'));
    this.ref('id');
    this.field('title', { boost: 3 });
    this.field('body');
    articles.forEach((a, i) => this.add({ id: String(i), title: a.title, body: a.body }));
  });
  const json = JSON.stringify(index);
  const buildMs = now() - t;
  t = now();
  const loaded = lunr.Index.load(JSON.parse(json));
  const loadMs = now() - t;
  const q = await timeQueries(queries, 3, (query) => {
    const parts = words(query.q).map((w, i, all) =>
      query.kind === 'typo'
        ? `+${w}~1`
        : i === all.length - 1 && query.kind === 'prefix'
          ? `+${w}*`
          : `+${w}`,
    );
    try {
      return loaded.search(parts.join(' ')).length;
    } catch {
      return 0;
    }
  });
  return {
    engine: 'lunr + lunr-languages',
    buildMs,
    bytes: Buffer.byteLength(json),
    loadMs,
    queryP50: q.p50,
    queryP95: q.p95,
    hits: q.hits,
  };
}
