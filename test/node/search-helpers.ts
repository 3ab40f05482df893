/** Shared by the Node search tests: the committed fixture as articles, and an in-memory index. */
import { readFileSync } from 'node:fs';
import type { Article } from '../../src/core/content/article.ts';
import { buildSearchParts, type SearchPart } from '../../src/core/search/build.ts';
import { PartCache } from '../../src/core/lib/part-cache.ts';
import {
  type EngineOptions,
  parseQuery,
  SearchEngine,
  type SearchParams,
} from '../../src/core/search/query.ts';
import { IndexReader } from '../../src/core/search/reader.ts';

interface FixtureArticle {
  id: string;
  source: string;
  section: string;
  lang: string;
  published: string;
  url: string;
  title: string;
  body: string;
  summary?: string;
}

export function fixtureArticles(): Article[] {
  const raw = JSON.parse(
    readFileSync(new URL('../fixtures/search/articles.json', import.meta.url).pathname, 'utf8'),
  ) as FixtureArticle[];
  return raw.map(toArticle);
}

export function toArticle(a: FixtureArticle): Article {
  return {
    id: a.id,
    title: a.title,
    summary: a.summary ?? '',
    summary_from_source: a.summary !== undefined,
    body: a.body,
    url: a.url,
    source: a.source,
    section: a.section,
    tags: [],
    authors: [],
    lang: a.lang,
    published: a.published,
    image: null,
    image_credit: null,
    duplicates: [],
  };
}

export function memoryIndex(
  parts: readonly SearchPart[],
  cache = new PartCache(64 * 1024 * 1024),
  options: EngineOptions = {},
) {
  const values = new Map(parts.map((p) => [p.part, p.value]));
  const reads: string[] = [];
  const engine = () =>
    new SearchEngine(
      new IndexReader(
        'snap',
        async (parts) => {
          reads.push(...parts);
          return new Map(parts.map((part) => [part, values.get(part) ?? null]));
        },
        cache,
      ),
      options,
    );
  return {
    reads,
    cache,
    search: (q: string, params: Partial<Omit<SearchParams, 'q'>> = {}) =>
      engine().search({ q: parseQuery(q), sort: 'relevance', limit: 10, offset: 0, ...params }),
    suggest: (q: string, limit = 10) => engine().suggest(parseQuery(q), limit),
  };
}

export function fixtureIndex() {
  return memoryIndex(buildSearchParts(fixtureArticles()));
}
