/**
 * Ranking parity with MiniSearch: over corpora that fit in one MiniSearch index, MiniSearch's
 * own `search` (same index options, ./options.ts; same boosts and BM25+ parameters) and this
 * project's engine, with recency and query rewrites switched off, give the same top 10 and
 * the same scores up to the quantisation of the stored levels (format.ts FIELD_LEVEL_ERROR).
 *
 * MiniSearch is given the very terms our query understanding chose for each word (its exact
 * form, stem, completions of a word being typed, typo neighbours, each with its weight), as
 * a query tree: AND over the words (OR when the engine fell back to any word), OR over each
 * word's terms, each term boosted by its weight. So what is compared is the index and the
 * scoring, not the choice of terms.
 */
import { readFileSync } from 'node:fs';
import MiniSearch, { type Query, type SearchOptions } from 'minisearch';
import { describe, expect, it } from 'vitest';
import type { Article } from '../../src/core/content/article.ts';
import { runPipeline } from '../../src/core/content/pipeline.ts';
import { buildSearchParts, indexedDoc, newestFirst } from '../../src/core/search/build.ts';
import { BM25, FIELD_BOOST, FIELD_LEVEL_ERROR, FIELDS } from '../../src/core/search/format.ts';
import { articleIndexOptions, type IndexedDoc } from '../../src/core/search/options.ts';
import { SearchEngine, parseQuery } from '../../src/core/search/query.ts';
import { IndexReader } from '../../src/core/search/reader.ts';
import { understand } from '../../src/core/search/understand.ts';
import { PartCache } from '../../src/core/lib/part-cache.ts';
import { corpus, loadReal, rng } from '../../scripts/bench/corpus.ts';

/** Share of queries whose top 10 must be MiniSearch's (the measured figure is in docs/search.md). */
const SAME_TOP10 = 0.95;
const QUERIES_PER_KIND = 40;

function sampleArticles(): Article[] {
  const lines = readFileSync(
    new URL('../../scripts/sample/news-page.jsonl', import.meta.url).pathname,
    'utf8',
  )
    .split('\n')
    .filter(Boolean);
  return runPipeline(
    lines.map((line, i) => ({
      value: JSON.parse(line) as unknown,
      origin: { file: 'news-page.jsonl', line: i + 1 },
    })),
  ).articles;
}

/** The benchmark's 10k corpus: real text where ../shared/data has it, else generated from the sample's words. */
function benchCorpus(sample: readonly Article[]): Article[] {
  const real = loadReal();
  return corpus(10_000, real.length > 0 ? real : sample.map((a, i) => ({ ...a, id: `s${i}` })));
}

type Kind = 'one word' | 'several words' | 'prefix' | 'typo';

/**
 * A fixed query mix drawn (seeded) from the corpus's own words of 4+ letters: one word,
 * two or three words of one article, a word cut to its first letters, a word with one
 * letter changed.
 */
function queryMix(docs: readonly Article[]): { kind: Kind; q: string }[] {
  const random = rng(42);
  const wordsOf = (a: Article) =>
    (`${a.title} ${a.body}`.toLowerCase().match(/\p{L}{4,}/gu) ?? []).slice(0, 60);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const articleWords = () => {
    for (;;) {
      const words = wordsOf(pick(docs));
      if (words.length >= 3) return words;
    }
  };
  const out: { kind: Kind; q: string }[] = [];
  for (let i = 0; i < QUERIES_PER_KIND; i++) {
    out.push({ kind: 'one word', q: pick(articleWords()) });
    const words = articleWords();
    const start = Math.floor(random() * (words.length - 2));
    out.push({
      kind: 'several words',
      q: words.slice(start, start + 2 + Math.floor(random() * 2)).join(' '),
    });
    const long = articleWords().filter((w) => w.length >= 6);
    const word = long.length > 0 ? pick(long) : pick(articleWords());
    out.push({ kind: 'prefix', q: word.slice(0, 3 + Math.floor(random() * 2)) });
    const typoOf = pick(articleWords());
    const at = 1 + Math.floor(random() * (typoOf.length - 2));
    const letter =
      typoOf[at] === 'а' ? 'о' : typoOf[at] === 'a' ? 'o' : /[a-z]/.test(typoOf) ? 'a' : 'а';
    out.push({ kind: 'typo', q: typoOf.slice(0, at) + letter + typoOf.slice(at + 1) });
  }
  return out;
}

interface Ranked {
  doc: number;
  score: number;
}

/** Best first, ties to the lower document number (the engine's own tie rule). */
const ranked = (list: Ranked[]) => list.sort((a, b) => b.score - a.score || a.doc - b.doc);

async function compare(articles: readonly Article[]) {
  const docs = newestFirst(articles);
  const parts = buildSearchParts(docs);
  const values = new Map(parts.map((p) => [p.part, p.value]));
  const reader = new IndexReader(
    'parity',
    async (names) => new Map(names.map((n) => [n, values.get(n) ?? null])),
    new PartCache(256 << 20),
  );
  const engine = new SearchEngine(reader, { recency: false, rewrites: false });
  const mini = new MiniSearch<IndexedDoc>(articleIndexOptions());
  mini.addAll(docs.map((a, i) => indexedDoc(a, i)));
  const boost = Object.fromEntries(FIELDS.map((f, i) => [f, FIELD_BOOST[i]!]));

  const queries = queryMix(docs);
  let same = 0;
  let sameOrder = 0;
  let compared = 0;
  let worstError = 0;
  const misses: string[] = [];
  for (const { kind, q } of queries) {
    const parsed = parseQuery(q);
    const result = await engine.search({ q: parsed, sort: 'relevance', limit: 10, offset: 0 });
    const { words } = await understand(engine.reader, parsed, false);
    const tree: Query = {
      combineWith: result.match === 'all' ? 'AND' : 'OR',
      queries: words.map((w) => ({
        combineWith: 'OR',
        queries: w.variants.map((v) => ({ queries: [v.term], boostTerm: () => v.weight })),
      })),
    };
    const options: SearchOptions = {
      boost,
      bm25: BM25,
      prefix: false,
      fuzzy: false,
      tokenize: (text) => [text],
      processTerm: (term) => term,
    };
    const theirs = ranked(
      mini.search(tree, options).map((r) => ({ doc: r.id as number, score: r.score })),
    ).slice(0, 10);
    const ours = result.hits.map((h) => ({ doc: h.doc, score: h.score }));
    const setOf = (list: Ranked[]) => JSON.stringify(list.map((r) => r.doc).sort((a, b) => a - b));
    if (setOf(ours) === setOf(theirs)) same++;
    else misses.push(`${kind}: ${q}`);
    if (ours.map((r) => r.doc).join() === theirs.map((r) => r.doc).join()) sameOrder++;
    const byDoc = new Map(theirs.map((r) => [r.doc, r.score]));
    for (const hit of ours) {
      const exact = byDoc.get(hit.doc);
      if (exact === undefined) continue;
      compared++;
      worstError = Math.max(worstError, Math.abs(hit.score - exact) / exact);
    }
  }
  return { queries: queries.length, same, sameOrder, compared, worstError, misses };
}

function report(name: string, r: Awaited<ReturnType<typeof compare>>) {
  console.log(
    `${name}: same top 10 in ${r.same}/${r.queries} queries (same order ${r.sameOrder}), ` +
      `${r.compared} scores within ${(r.worstError * 100).toFixed(2)}% ` +
      `(bound ${(FIELD_LEVEL_ERROR * 100).toFixed(2)}%)` +
      (r.misses.length > 0 ? `; differ: ${r.misses.slice(0, 8).join(' | ')}` : ''),
  );
}

describe('ranking parity with MiniSearch', () => {
  const sample = sampleArticles();

  it('the sample: the same top 10, scores within the quantisation error', async () => {
    const r = await compare(sample);
    report('sample', r);
    expect(r.same / r.queries).toBeGreaterThanOrEqual(SAME_TOP10);
    expect(r.compared).toBeGreaterThan(r.queries);
    expect(r.worstError).toBeLessThanOrEqual(FIELD_LEVEL_ERROR + 1e-9);
  });

  it('a 10k corpus of the benchmark generator: the same top 10, scores within the quantisation error', async () => {
    const r = await compare(benchCorpus(sample));
    report('10k', r);
    expect(r.same / r.queries).toBeGreaterThanOrEqual(SAME_TOP10);
    expect(r.compared).toBeGreaterThan(r.queries);
    expect(r.worstError).toBeLessThanOrEqual(FIELD_LEVEL_ERROR + 1e-9);
  }, 300_000);
});
