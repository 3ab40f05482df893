/**
 * The query engine over a chunked index (./format.ts): reads only the parts a query
 * needs, scores with MiniSearch's BM25+ (the term-frequency part precomputed per posting,
 * idf here), blends in recency, and rewrites what it could not find (typo, keyboard
 * layout, transliteration), saying so in `corrections`.
 *
 * Matching: every word must match (a word matches through its exact form, its stem, a
 * typo-tolerant neighbour, or, for the last word, a completion); when nothing matches all
 * words, any word will do. Posting lists are sorted by document number; matching is one
 * document-at-a-time pass over them (./match.ts), and a lone common word is ranked by
 * impact instead of visiting every posting.
 */
import { isCyrillic, isLatin, queryStemTerms, STOP_WORDS, tokenize } from './analyze.ts';
import { type DocRecord, type Facet, facetTerm, idf, type Postings } from './format.ts';
import {
  cursor,
  estimateUnion,
  type Group,
  matchAll,
  matchAny,
  TopK,
  topByImpact,
} from './match.ts';
import { highlight } from './highlight.ts';
import type { IndexReader, LoadedMeta } from './reader.ts';
import {
  boundedDistance,
  cyrillicToLatinLayout,
  latinToCyrillicLayout,
  maxEdits,
  transliterations,
} from './rewrite.ts';

/** Variant weights relative to the exact word; prefix and fuzzy are MiniSearch's defaults. */
export const WEIGHTS = { exact: 1, stem: 0.7, prefix: 0.375, fuzzy: 0.45 } as const;
/** Completions of the last word that a query expands to, most frequent first. */
export const PREFIX_EXPANSIONS = 8;
/** Typo neighbours per word, nearest and most frequent first. */
export const FUZZY_EXPANSIONS = 4;
/** A word this rare (exact and stem) also matches its typo neighbours. */
export const FUZZY_BELOW_DF = 3;
/** Vocabulary parts a suggest or typo look-up may read (bounds a cold query at 1M). */
const MAX_VOCAB_PARTS = 4;
/** Terms parts a prefix expansion may read. */
const MAX_TERM_PARTS = 3;
export const MAX_QUERY_WORDS = 12;
/**
 * A lone word with more postings than this is ranked by impact (match.ts topByImpact) and
 * its count extrapolated; below it every posting is visited and the count is exact.
 */
export const IMPACT_ORDER_ABOVE = 16_384;
/** Recency: a story's score is multiplied by up to 1 + RECENCY_BOOST, halving every half-life. */
export const RECENCY_BOOST = 0.5;
export const RECENCY_HALF_LIFE_DAYS = 7;

export interface SearchParams {
  q: string;
  section?: string | undefined;
  lang?: string | undefined;
  source?: string | undefined;
  /** Inclusive bounds on the publication date (ms since the epoch). */
  from?: number | undefined;
  to?: number | undefined;
  sort: 'relevance' | 'newest';
  limit: number;
  offset: number;
}

export interface Correction {
  from: string;
  to: string;
  kind: 'layout' | 'transliteration' | 'typo';
}

export interface Range {
  start: number;
  end: number;
}

export interface Hit {
  doc: number;
  score: number;
  record: DocRecord;
  snippet: string;
  highlights: { title: Range[]; snippet: Range[] };
}

export interface SearchResult {
  total: number;
  /**
   * False when a completion or typo look-up was capped (more documents may match), or when a
   * lone common word's count was extrapolated (match.ts estimateUnion).
   */
  total_exact: boolean;
  match: 'all' | 'any';
  corrections: Correction[];
  hits: Hit[];
}

interface Variant {
  term: string;
  weight: number;
}

interface Word {
  text: string;
  prefix: boolean;
  variants: Variant[];
}

/** The words of a query: stop words dropped when others remain, last word a prefix. */
export function queryWords(q: string): { text: string; prefix: boolean }[] {
  const tokens = tokenize(q).filter((t) => !t.compound);
  const endsInWord =
    tokens.length > 0 && (tokens.at(-1)?.end ?? 0) === q.trimEnd().length && q === q.trimEnd();
  let words = tokens.map((t, i) => ({
    text: t.term,
    prefix: endsInWord && i === tokens.length - 1,
  }));
  const content = words.filter((w) => !STOP_WORDS.has(w.text));
  if (content.length > 0) words = words.filter((w) => !STOP_WORDS.has(w.text) || w.prefix);
  const seen = new Set<string>();
  return words.filter((w) => !seen.has(w.text) && seen.add(w.text)).slice(0, MAX_QUERY_WORDS);
}

const baseVariants = (text: string): Variant[] => [
  { term: text, weight: WEIGHTS.exact },
  ...queryStemTerms(text).map((term) => ({ term, weight: WEIGHTS.stem })),
];

/**
 * The recency factor of every date sample, computed once per snapshot: a document takes its
 * sample's factor (one sample per document up to 16k documents; at 1M, per 62 neighbours
 * in time, about an hour apart). `1 + RECENCY_BOOST * 0.5^(age / half-life)`.
 */
function recencyTable(reader: IndexReader, meta: LoadedMeta): Float64Array {
  return reader.cache.memo(`${reader.snapshot}/recency`, () => {
    const halfLifeMs = RECENCY_HALF_LIFE_DAYS * 86_400_000;
    const value = meta.sampleDates.map(
      (date) => 1 + RECENCY_BOOST * 0.5 ** (Math.max(0, meta.newest - date) / halfLifeMs),
    );
    return { value, bytes: value.byteLength + 64 };
  });
}

/**
 * Document numbers whose date is certainly inside [from, to], and the ranges next to them
 * whose dates only the records can tell (empty when every date is sampled).
 */
function dateBounds(meta: LoadedMeta, from: number | undefined, to: number | undefined) {
  const samples = meta.sampleDates;
  const stride = meta.date_stride;
  // Dates fall as document numbers rise: `to` bounds the start, `from` the end.
  let lo = 0;
  let loSure = 0;
  if (to !== undefined) {
    let i = 0;
    while (i < samples.length && (samples[i] ?? 0) > to) i++;
    loSure = Math.min(meta.docs, i * stride);
    lo = Math.max(0, (i - 1) * stride + 1);
  }
  let hi = meta.docs;
  let hiSure = meta.docs;
  if (from !== undefined) {
    let i = samples.length - 1;
    while (i >= 0 && (samples[i] ?? 0) < from) i--;
    hi = Math.min(meta.docs, (i + 1) * stride);
    hiSure = stride === 1 ? hi : Math.min(hi, Math.max(lo, i * stride + 1));
  }
  return {
    lo,
    hi,
    uncertain: [[lo, loSure] as const, [hiSure, hi] as const].filter(([a, b]) => b > a),
  };
}

/** Counts matches and keeps what a page needs: the best `want` by score, or the first by date. */
class Collector {
  total = 0;
  readonly #top: TopK | null;
  readonly #newest: { doc: number; score: number }[] = [];
  readonly #want: number;

  constructor(sort: SearchParams['sort'], want: number) {
    this.#want = want;
    this.#top = sort === 'relevance' ? new TopK(want) : null;
  }

  add(doc: number, score: number): void {
    this.total++;
    if (this.#top) {
      this.#top.offer(doc, score);
      return;
    }
    // Matches arrive in document order (newest first), except the few whose dates had to
    // be checked, which come last: keep a margin, and sort when trimming.
    this.#newest.push({ doc, score });
    if (this.#newest.length > 4 * this.#want + 64) this.#trim();
  }

  #trim(): void {
    this.#newest.sort((a, b) => a.doc - b.doc);
    this.#newest.length = Math.min(this.#newest.length, this.#want);
  }

  ranking(): { doc: number; score: number }[] {
    if (this.#top) return this.#top.sorted();
    this.#trim();
    return this.#newest;
  }
}

export interface EngineOptions {
  /**
   * A larger index whose statistics score this one: a handful of live reader news scored
   * by their own idf would rank arbitrarily against the snapshot's results.
   */
  statsFrom?: IndexReader;
  /** Postings above which a lone word is ranked by impact (tests lower it to compare paths). */
  impactOrderAbove?: number;
}

export class SearchEngine {
  readonly reader: IndexReader;
  readonly #statsFrom: IndexReader | undefined;
  readonly #impactOrderAbove: number;
  #capped = false;

  constructor(reader: IndexReader, options: EngineOptions = {}) {
    this.reader = reader;
    this.#statsFrom = options.statsFrom;
    this.#impactOrderAbove = options.impactOrderAbove ?? IMPACT_ORDER_ABOVE;
  }

  /** idf of a term: this index's counts plus those of `statsFrom`, if any. */
  async #idf(meta: LoadedMeta, term: string, df: number): Promise<number> {
    if (!this.#statsFrom) return idf(meta.docs, df);
    const [other, found] = await Promise.all([
      this.#statsFrom.meta(),
      this.#statsFrom.lookup(term),
    ]);
    return idf(meta.docs + other.docs, df + (found?.df ?? 0));
  }

  /** Whether each word is in the index: one of its variants, or, for a word being typed, a completion. */
  async #known(words: readonly Word[]): Promise<boolean[]> {
    return Promise.all(
      words.map(async (w) => {
        if (
          (await Promise.all(w.variants.map((v) => this.reader.lookup(v.term)))).some(
            (p) => p !== null,
          )
        )
          return true;
        return (
          w.prefix &&
          w.text.length >= 2 &&
          (await this.reader.termRange(w.text, `${w.text}\uffff`, MAX_TERM_PARTS)).words.length > 0
        );
      }),
    );
  }

  /**
   * Completions of a word, most documents first: for a query from the terms parts (the
   * part holding the word itself holds its completions and their postings, so no extra
   * read), for suggest from the lighter vocabulary.
   */
  async #completions(
    word: string,
    limit: number,
    from: 'terms' | 'vocab',
  ): Promise<[string, number][]> {
    const range =
      from === 'terms'
        ? this.reader.termRange.bind(this.reader)
        : this.reader.vocabRange.bind(this.reader);
    const { words, complete } = await range(
      word,
      `${word}\uffff`,
      from === 'terms' ? MAX_TERM_PARTS : MAX_VOCAB_PARTS,
    );
    if (!complete) this.#capped = true;
    return words.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, limit);
  }

  /** Vocabulary words within the allowed edits, same first letter (Lucene's prefix length 1). */
  #neighbours(word: string): Promise<{ term: string; distance: number; df: number }[]> {
    if (maxEdits(word.length) === 0) return Promise.resolve([]);
    // The scan reads a whole first-letter range of the vocabulary: its answer is kept with
    // the parts, per snapshot, so a repeated typo costs a look-up.
    return this.reader.cache.get(`${this.reader.snapshot}/near/${word}`, async () => {
      const value = await this.#scanNeighbours(word);
      return { value, bytes: 64 + value.length * 48 };
    });
  }

  async #scanNeighbours(word: string): Promise<{ term: string; distance: number; df: number }[]> {
    const edits = maxEdits(word.length);
    const first = word.slice(0, 1);
    const { words, complete } = await this.reader.vocabRange(
      first,
      `${first}\uffff`,
      MAX_VOCAB_PARTS,
      word,
    );
    if (!complete) this.#capped = true;
    const found: { term: string; distance: number; df: number }[] = [];
    for (const [term, df] of words) {
      if (term === word || Math.abs(term.length - word.length) > edits) continue;
      const distance = boundedDistance(word, term, edits);
      if (distance <= edits) found.push({ term, distance, df });
    }
    return found.sort((a, b) => a.distance - b.distance || b.df - a.df).slice(0, FUZZY_EXPANSIONS);
  }

  /** Best Cyrillic reading of a Latin word by document frequency, with that frequency. */
  async #transliterate(
    word: string,
    allowNear: boolean,
  ): Promise<{ term: string; df: number } | null> {
    const spellings = transliterations(word);
    // From the terms parts, not the vocabulary: the chosen spelling's postings come with it.
    const dfs = await Promise.all(
      spellings.map(async (s) => (await this.reader.lookup(s))?.df ?? 0),
    );
    let best: { term: string; df: number } | null = null;
    spellings.forEach((term, i) => {
      const df = dfs[i] ?? 0;
      if (df > (best?.df ?? 0)) best = { term, df };
    });
    if (best !== null || !allowNear) return best;
    // A transliteration one letter off (navalny -> навальный) is still a match.
    for (const s of spellings.slice(0, 4)) {
      const [near] = await this.#neighbours(s);
      if (near) return { term: near.term, df: near.df };
    }
    return null;
  }

  /** A word's variants that some document holds, each weighted by idf and the variant's weight. */
  async #wordLists(
    meta: LoadedMeta,
    word: Word,
  ): Promise<{ term: string; postings: Postings; weight: number }[]> {
    const lookups = await Promise.all(
      word.variants.map(async (variant) => {
        const found = await this.reader.lookup(variant.term);
        return (
          found && {
            term: variant.term,
            postings: found.postings,
            weight: (await this.#idf(meta, variant.term, found.df)) * variant.weight,
          }
        );
      }),
    );
    return lookups.filter((x) => x !== null);
  }

  /** Rewrites words nothing matches: keyboard layout (whole query), then transliteration. */
  async #rewrite(q: string, words: Word[], corrections: Correction[]): Promise<Word[]> {
    const known = await this.#known(words);
    // An unknown word may be a typo: start its vocabulary scan now, beside the layout check.
    words.forEach((w, i) => {
      if (!known[i]) this.#neighbours(w.text).catch(() => undefined);
    });
    const latin = words.some((w) => isLatin(w.text));
    const cyrillic = words.some((w) => isCyrillic(w.text));
    if (latin !== cyrillic && !known.every(Boolean)) {
      const alternatives = latin
        ? [latinToCyrillicLayout(q, 'ru'), latinToCyrillicLayout(q, 'uk')]
        : [cyrillicToLatinLayout(q)];
      for (const alternative of alternatives) {
        const altWords = toWords(alternative);
        if (altWords.length === 0) continue;
        const altKnown = await this.#known(altWords);
        if (
          altKnown.every(Boolean) &&
          altKnown.filter(Boolean).length > known.filter(Boolean).length
        ) {
          corrections.push({ from: q.trim(), to: alternative.trim(), kind: 'layout' });
          return altWords;
        }
      }
    }
    // A Latin word also reads as a Cyrillic name (lukashenko -> лукашенко): an unknown word
    // is replaced by its transliteration, a known one gains it when the Cyrillic reading is
    // at least as common (a name, not an English word).
    return Promise.all(
      words.map(async (word, i) => {
        if (!isLatin(word.text)) return word;
        const cyr = await this.#transliterate(word.text, !known[i]);
        if (cyr === null) return word;
        if (known[i]) {
          const own = await this.reader.lookup(word.text);
          if ((own?.df ?? 0) > cyr.df) return word;
        }
        corrections.push({ from: word.text, to: cyr.term, kind: 'transliteration' });
        const variants = baseVariants(cyr.term);
        return known[i]
          ? { ...word, variants: [...word.variants, ...variants] }
          : { text: cyr.term, prefix: false, variants };
      }),
    );
  }

  async #expand(words: Word[], corrections: Correction[]): Promise<void> {
    await Promise.all(
      words.map(async (word) => {
        const exact = await Promise.all(word.variants.map((v) => this.reader.lookup(v.term)));
        const df = Math.max(0, ...exact.map((p) => p?.df ?? 0));
        let completions = 0;
        if (word.prefix && word.text.length >= 2) {
          for (const [term] of await this.#completions(word.text, PREFIX_EXPANSIONS + 1, 'terms')) {
            if (term === word.text) continue;
            word.variants.push({ term, weight: (WEIGHTS.prefix * word.text.length) / term.length });
            completions++;
          }
        }
        // A word still being typed that has completions is not a typo (and the vocabulary
        // scan would cost a cold query another round trip).
        if (df < FUZZY_BELOW_DF && completions === 0) {
          const near = await this.#neighbours(word.text);
          for (const n of near) {
            const weight = (WEIGHTS.fuzzy * word.text.length) / (word.text.length + n.distance);
            word.variants.push({ term: n.term, weight });
            for (const stemTerm of queryStemTerms(n.term))
              word.variants.push({ term: stemTerm, weight: weight * WEIGHTS.stem });
          }
          if (df === 0 && near[0] && completions === 0)
            corrections.push({ from: word.text, to: near[0].term, kind: 'typo' });
        }
      }),
    );
  }

  /**
   * Everything the first round of look-ups may need, requested at once (without waiting):
   * the search itself starts with it, and the route starts it early, during the cache look-up.
   */
  prefetch(params: SearchParams, words: readonly Word[] = toWords(params.q)): void {
    const terms = words.flatMap((w) => w.variants.map((v) => v.term));
    for (const facet of ['section', 'lang', 'source'] as Facet[]) {
      const value = params[facet];
      if (value !== undefined) terms.push(facetTerm(facet, value));
    }
    // On a Cyrillic news site a Latin query is often Cyrillic typed in the wrong layout or
    // transliterated: those look-ups are read with the first round. The reverse (English
    // typed in a Cyrillic layout) is rare enough to cost its own round when it happens.
    if (words.some((w) => isLatin(w.text))) {
      for (const layout of ['ru', 'uk'] as const)
        terms.push(
          ...toWords(latinToCyrillicLayout(params.q, layout)).flatMap((w) =>
            w.variants.map((v) => v.term),
          ),
        );
      for (const w of words)
        if (isLatin(w.text))
          terms.push(
            ...transliterations(w.text).flatMap((t) => baseVariants(t).map((v) => v.term)),
          );
    }
    const last = words.at(-1);
    const prefix =
      last?.prefix && last.text.length >= 2
        ? { from: last.text, to: `${last.text}\uffff`, maxParts: MAX_TERM_PARTS }
        : undefined;
    this.reader.prefetch(terms, prefix).catch(() => undefined);
  }

  async search(params: SearchParams): Promise<SearchResult> {
    this.#capped = false;
    const meta = await this.reader.meta();
    const corrections: Correction[] = [];
    const initial = toWords(params.q);
    this.prefetch(params, initial);
    let words = await this.#rewrite(params.q, initial, corrections);
    await this.#expand(words, corrections);
    words = words.filter((w) => w.variants.length > 0);

    const { lo, hi, uncertain } = dateBounds(meta, params.from, params.to);
    const facets = (['section', 'lang', 'source'] as Facet[]).flatMap((facet) => {
      const value = params[facet];
      return value === undefined ? [] : [facetTerm(facet, value)];
    });
    const facetPostings = await Promise.all(facets.map((term) => this.reader.lookup(term)));
    const wordLists = await Promise.all(words.map((w) => this.#wordLists(meta, w)));
    // Fresh cursors for each pass; the smallest lists lead the join.
    const size = (group: Group) => group.reduce((sum, c) => sum + c.docs.length, 0);
    const groups = () => ({
      words: wordLists
        .map((lists) => lists.map((l) => cursor(l.postings.docs, l.postings.levels, l.weight)))
        .sort((a, b) => size(a) - size(b)),
      filters: facetPostings.map((found) =>
        found ? [cursor(found.postings.docs, found.postings.levels, 0)] : [],
      ),
    });

    // Recency is measured from the newest story in the index, not the clock: a snapshot
    // ranks the same way whenever it is asked.
    const boost = recencyTable(this.reader, meta);
    const stride = meta.date_stride;
    const want = params.offset + params.limit;
    const collector = new Collector(params.sort, want);
    /** Matches whose date only their record can tell (next to the ends of a date range). */
    const pending: number[] = [];
    const visit = (doc: number, score: number) => {
      const ranked = score * (boost[Math.floor(doc / stride)] ?? 1);
      if (uncertain.length > 0 && uncertain.some(([a, b]) => doc >= a && doc < b))
        pending.push(doc, ranked);
      else collector.add(doc, ranked);
    };

    let match: 'all' | 'any' = 'all';
    const first = groups();
    const [only] = wordLists;
    const loneWord =
      wordLists.length === 1 &&
      facets.length === 0 &&
      params.from === undefined &&
      params.to === undefined &&
      params.sort === 'relevance';
    if (only && loneWord && size(first.words[0] ?? []) > this.#impactOrderAbove) {
      // One common word, nothing else: rank by impact without visiting every posting, and
      // extrapolate the count (total_exact says so).
      const top = new TopK(want);
      topByImpact(
        only.map((l) => ({
          weight: l.weight,
          buckets: this.reader.levelBuckets(l.term, l.postings),
        })),
        top,
        (doc) => boost[Math.floor(doc / stride)] ?? 1,
        boost[0] ?? 1,
      );
      // The scan stops early only once the heap is full: a heap short of `want` saw every match.
      const estimate =
        top.size < want ? { count: top.size, exact: true } : estimateUnion(first.words[0] ?? []);
      if (!estimate.exact) this.#capped = true;
      return this.#page(params, top.sorted(), {
        total: Math.max(estimate.count, top.size),
        match,
        corrections,
        words,
      });
    }
    matchAll(first.words, first.filters, lo, hi, visit);
    if (collector.total === 0 && pending.length === 0 && words.length > 1) {
      match = 'any';
      const again = groups();
      matchAny(again.words, again.filters, lo, hi, visit);
    }
    for (const [doc, score] of await this.#datedIn(pending, params.from, params.to))
      collector.add(doc, score);

    return this.#page(params, collector.ranking(), {
      total: collector.total,
      match,
      corrections,
      words,
    });
  }

  /** The page of a ranking, with its records and highlights. */
  async #page(
    params: SearchParams,
    ranking: readonly { doc: number; score: number }[],
    found: {
      total: number;
      match: SearchResult['match'];
      corrections: Correction[];
      words: readonly Word[];
    },
  ): Promise<SearchResult> {
    const page = ranking.slice(params.offset);
    const records = await this.reader.records(page.map((h) => h.doc));
    const hits = page.map(({ doc, score }, k) => {
      const record = records[k] as DocRecord;
      return { doc, score, record, ...highlight(record, found.words) };
    });
    return {
      total: found.total,
      total_exact: !this.#capped,
      match: found.match,
      corrections: found.corrections,
      hits,
    };
  }

  /** The (document, score) pairs of `pending` whose recorded date is inside [from, to]. */
  async #datedIn(
    pending: readonly number[],
    from?: number,
    to?: number,
  ): Promise<[number, number][]> {
    if (pending.length === 0) return [];
    const docs = pending.filter((_, i) => i % 2 === 0);
    const records = await this.reader.records(docs);
    return docs.flatMap((doc, k): [number, number][] => {
      const date = Date.parse(records[k]?.[6] ?? '');
      return (from !== undefined && date < from) || (to !== undefined && date > to)
        ? []
        : [[doc, pending[2 * k + 1] ?? 0]];
    });
  }

  /** Completions of the last word, most documents first. */
  async suggest(
    q: string,
    limit: number,
  ): Promise<{ completions: { word: string; count: number }[]; total_exact: boolean }> {
    this.#capped = false;
    const words = queryWords(q);
    const last = words.at(-1);
    if (!last) return { completions: [], total_exact: true };
    const found = await this.#completions(last.text, limit, 'vocab');
    return {
      completions: found.map(([word, count]) => ({ word, count })),
      total_exact: !this.#capped,
    };
  }
}

function toWords(q: string): Word[] {
  return queryWords(q).map((w) => ({ ...w, variants: baseVariants(w.text) }));
}
