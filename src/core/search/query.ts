/**
 * The query engine over a chunked index (./format.ts): reads only the parts a query
 * needs, scores with MiniSearch's BM25+ (the term-frequency part precomputed per posting,
 * idf here) and blends in recency. What the words mean (rewrites, completions, typo
 * neighbours) is decided first, by ./understand.ts.
 *
 * Matching: every word must match (a word matches through its exact form, its stem, a
 * typo-tolerant neighbour, or, for the last word, a completion); when nothing matches all
 * words, any word will do. Posting lists are sorted by document number; matching is one
 * document-at-a-time pass over them (./match.ts), and a lone common word is ranked by
 * impact instead of visiting every posting.
 */
import { type DocRecord, type Facet, facetTerm, FIELD_BOOST, FIELDS, idf } from './format.ts';
import {
  cursor,
  estimateUnion,
  type Group,
  matchAll,
  matchAny,
  nextDoc,
  TopK,
  topByImpact,
} from './match.ts';
import { highlight } from './highlight.ts';
import {
  type ArticleText,
  checkCandidates,
  markPhrases,
  MAX_CHECKED,
  syntaxChecks,
} from './syntax.ts';
import type { IndexReader, LoadedMeta, TermList, TermPostings } from './reader.ts';
import { type LoadedSegment, type LoadedSet, SegmentSet } from './segments.ts';
import {
  baseVariants,
  completions,
  type Correction,
  type ParsedQuery,
  prefetchPlan,
  understand,
  type Word,
} from './understand.ts';

export { type Correction, parseQuery } from './understand.ts';

/**
 * A lone word with more postings than this is ranked by impact (match.ts topByImpact) and
 * its count extrapolated; below it every posting is visited and the count is exact.
 */
export const IMPACT_ORDER_ABOVE = 16_384;
/** Recency: a story's score is multiplied by up to 1 + RECENCY_BOOST, halving every half-life. */
export const RECENCY_BOOST = 0.5;
export const RECENCY_HALF_LIFE_DAYS = 7;
/** The title's lists in a format-2 segment (`in=title`). */
const TITLE_FIELD = FIELDS.indexOf('title');

export interface SearchParams {
  /** The query, tokenized once (understand.ts parseQuery). */
  q: ParsedQuery;
  section?: string | undefined;
  lang?: string | undefined;
  source?: string | undefined;
  /** Inclusive bounds on the publication date (ms since the epoch). */
  from?: number | undefined;
  to?: number | undefined;
  sort: 'relevance' | 'newest';
  /** `title`: words, phrases and exclusions in the title only (title lists; ./syntax.ts). */
  within?: 'all' | 'title' | undefined;
  limit: number;
  offset: number;
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
  /** The query's words as this hit's index understood them (what its highlights mark). */
  words: readonly Word[];
  /** The query's phrases, each highlighted as one range. */
  phrases: Phrases;
}

type Phrases = NonNullable<ParsedQuery['syntax']>['phrases'];

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
  /** A checked query (phrases, in=title): candidates examined, article texts read. */
  checked?: { examined: number; texts: number };
}

const FACET_NAMES: readonly Facet[] = ['section', 'lang', 'source'];

/** The filter terms of a search (section, lang, source). */
const filterTerms = (params: Omit<SearchParams, 'q'> | SearchParams) =>
  FACET_NAMES.flatMap((facet) => {
    const value = params[facet];
    return value === undefined ? [] : [facetTerm(facet, value)];
  });

/**
 * The recency factor of a date sample: a document takes its sample's factor (one sample per
 * document up to 16k documents; at 1M, per 62 neighbours in time, about an hour apart).
 * `1 + RECENCY_BOOST * 0.5^(age / half-life)`, computed when a match first asks for it and kept
 * per snapshot (0: not yet): a query visits few of a segment's samples, and computing every one
 * up front took a fifth of a cold query's CPU at 100k articles (`--cpu-prof`, docs/search.md).
 */
function recencyOf(
  reader: IndexReader,
  meta: LoadedMeta,
  newest: number,
): (sample: number) => number {
  const dates = meta.sampleDates;
  const table = reader.cache.memo(`${reader.snapshot}/recency/${newest}`, () => {
    const value = new Float64Array(dates.length);
    return { value, bytes: value.byteLength + 64 };
  });
  const halfLifeMs = RECENCY_HALF_LIFE_DAYS * 86_400_000;
  return (sample) => {
    const known = table[sample];
    if (known === undefined) return 1;
    if (known !== 0) return known;
    const factor = 1 + RECENCY_BOOST * 0.5 ** (Math.max(0, newest - dates[sample]!) / halfLifeMs);
    table[sample] = factor;
    return factor;
  };
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
  statsFrom?: IndexReader | SegmentSet;
  /** Postings above which a lone word is ranked by impact (tests lower it to compare paths). */
  impactOrderAbove?: number;
  /**
   * false: scores are MiniSearch's alone, without the recency boost, and queries are not
   * rewritten (layout, transliteration), as test/node/search-parity.test.ts compares them.
   */
  recency?: boolean;
  rewrites?: boolean;
  /**
   * The summary and body of articles by id (null where none), for phrases the records cannot
   * decide. Without it such a candidate does not match.
   */
  texts?: (ids: readonly string[]) => Promise<(ArticleText | null)[]>;
}

const wordCursor = (l: WordList) =>
  cursor(l.list.postings.docs, l.list.postings.levels, l.weight, l.list.impacts, l.termId);

const asSet = (index: IndexReader | SegmentSet) =>
  index instanceof SegmentSet ? index : new SegmentSet([index]);

/**
 * A variant's list (one field, or all of them in a format-1 index) in one segment, weighted
 * as MiniSearch weighs it: the variant's weight, the field's boost, the term's idf there.
 */
interface WordList {
  term: string;
  /** The variant's number among the query's distinct terms (match.ts Scorer). */
  termId: number;
  list: TermList;
  weight: number;
}

/** What a term's weights are computed from: global counts over every segment. */
interface TermStats {
  docs: number;
  df: number;
  fields: number[];
}

/** MiniSearch's weight of a list: the field's boost times the idf of the term in that field. */
const listWeight = (stats: TermStats, list: TermList): number =>
  list.field < 0
    ? idf(stats.docs, stats.df)
    : (FIELD_BOOST[list.field] ?? 1) * idf(stats.docs, stats.fields[list.field] ?? 0);

/** A candidate of one segment: its local document and score. */
interface Candidate {
  segment: LoadedSegment;
  doc: number;
  score: number;
}

/** What one pass over one segment found. */
interface SegmentMatches {
  total: number;
  exact: boolean;
  ranking: { doc: number; score: number }[];
}

export class SearchEngine {
  /** The segments searched (one for an index written before segments, or for reader news). */
  readonly reader: SegmentSet;
  readonly #statsFrom: SegmentSet | undefined;
  readonly #impactOrderAbove: number;
  readonly #recency: boolean;
  readonly #rewrites: boolean;
  readonly #texts: NonNullable<EngineOptions['texts']>;

  constructor(index: IndexReader | SegmentSet, options: EngineOptions = {}) {
    this.reader = asSet(index);
    this.#statsFrom = options.statsFrom && asSet(options.statsFrom);
    this.#impactOrderAbove = options.impactOrderAbove ?? IMPACT_ORDER_ABOVE;
    this.#recency = options.recency ?? true;
    this.#rewrites = options.rewrites ?? true;
    this.#texts = options.texts ?? (async (ids) => ids.map(() => null));
  }

  /** A term's counts over every segment, plus those of `statsFrom`, if any. */
  async #stats(set: LoadedSet, term: string): Promise<TermStats> {
    const [own, other, otherMeta] = await Promise.all([
      this.reader.frequencies(term),
      this.#statsFrom?.frequencies(term),
      this.#statsFrom?.meta(),
    ]);
    return {
      docs: set.docs + (otherMeta?.docs ?? 0),
      df: own.df + (other?.df ?? 0),
      fields: own.fields.map((n, f) => n + (other?.fields[f] ?? 0)),
    };
  }

  /** The lists of a word's variants that the segment holds, each weighted as MiniSearch does. */
  async #wordLists(
    segment: LoadedSegment,
    word: Word,
    stats: ReadonlyMap<string, TermStats>,
    termIds: ReadonlyMap<string, number>,
  ): Promise<WordList[]> {
    const lookups = await Promise.all(
      word.variants.map(async (variant) => {
        const found = await segment.reader.lookup(variant.term);
        const termStats = stats.get(variant.term);
        if (!found || !termStats) return [];
        return found.lists.map((list) => ({
          term: variant.term,
          termId: termIds.get(variant.term) ?? 0,
          list,
          weight: variant.weight * listWeight(termStats, list),
        }));
      }),
    );
    return lookups.flat();
  }

  /**
   * Everything the first round of look-ups may need, requested at once (without waiting):
   * the search itself starts with it, and the route starts it early, during the cache look-up.
   */
  prefetch(params: SearchParams): void {
    const { terms, prefix } = prefetchPlan(params.q);
    terms.push(...filterTerms(params), ...excludedTerms(params));
    for (const reader of this.reader.readers) reader.prefetch(terms, prefix).catch(() => undefined);
  }

  async search(params: SearchParams): Promise<SearchResult> {
    this.prefetch(params);
    const set = await this.reader.load();
    const { words, corrections, capped } = await understand(this.reader, params.q, this.#rewrites);
    const facets = filterTerms(params);
    // Counts per term, over every segment, computed once for all of them; each distinct
    // term is numbered, as MiniSearch counts the distinct terms a document matched.
    const terms = [...new Set(words.flatMap((w) => w.variants.map((v) => v.term)))];
    const termIds = new Map(terms.map((t, i) => [t, i]));
    const stats = new Map(
      await Promise.all(terms.map(async (t) => [t, await this.#stats(set, t)] as const)),
    );
    const syntax = params.q.syntax;
    // A clause is one word, or the words an OR joins: their lists make one group.
    const clauses = syntax?.clauses ?? words.map((_, i) => [i]);
    const excluded = excludedTerms(params);
    // in=title: format 2 has a list per (term, field), so the title lists alone decide the
    // words and exclusions and score by the title's own statistics; a format-1 segment
    // (fields merged) matches on every field, and the check on the record's title decides.
    const titleLists = (segment: LoadedSegment) =>
      params.within === 'title' && segment.meta.format >= 2;
    const kept = (segment: LoadedSegment, field: number) =>
      !titleLists(segment) || field === TITLE_FIELD;
    const perSegment = await Promise.all(
      set.segments.map(async (segment) => {
        const lists = await Promise.all(
          words.map(async (w) =>
            (await this.#wordLists(segment, w, stats, termIds)).filter((l) =>
              kept(segment, l.list.field),
            ),
          ),
        );
        const out = params.within === 'title' && !titleLists(segment) ? [] : excluded;
        return {
          segment,
          filters: await Promise.all(facets.map((term) => segment.reader.lookup(term))),
          lists: clauses.map((clause) => clause.flatMap((i) => lists[i] ?? [])),
          excluded: (await Promise.all(out.map((t) => segment.reader.lookup(t))))
            .filter((found) => found !== null)
            .map((found) => ({
              ...found,
              lists: found.lists.filter((l) => kept(segment, l.field)),
            })),
        };
      }),
    );
    const byPostings = set.segments.every(titleLists);
    const checked = (mode: 'all' | 'any') =>
      syntaxChecks(syntax, words, params.within, mode, byPostings);
    const page = params.offset + params.limit;
    // A checked query keeps more candidates than its page: some will fail the checks.
    const want = checked('all') ? Math.max(MAX_CHECKED, 2 * page) : page;
    const pass = (mode: 'all' | 'any') =>
      Promise.all(
        perSegment.map(({ segment, filters, lists, excluded }) =>
          this.#matchSegment(params, set, segment, filters, lists, excluded, mode, want),
        ),
      );
    let match: 'all' | 'any' = 'all';
    let found = await pass('all');
    // With operators the query means what it says: no any-word fallback.
    if (found.every((f) => f.total === 0) && clauses.length > 1 && !syntax) {
      match = 'any';
      found = await pass('any');
    }
    const candidates: Candidate[] = found.flatMap((f, i) =>
      f.ranking.map((r) => ({ segment: set.segments[i]!, doc: r.doc, score: r.score })),
    );
    return this.#page(params, candidates, {
      total: found.reduce((n, f) => n + f.total, 0),
      exact: !capped && found.every((f) => f.exact),
      match,
      corrections,
      words,
      checks: checked(match),
    });
  }

  /** One segment's matches: counted, and the best `want` (or the newest) kept. */
  async #matchSegment(
    params: SearchParams,
    set: LoadedSet,
    segment: LoadedSegment,
    filterPostings: readonly (TermPostings | null)[],
    wordLists: readonly WordList[][],
    excludedPostings: readonly TermPostings[],
    mode: 'all' | 'any',
    want: number,
  ): Promise<SegmentMatches> {
    const { meta, dead } = segment;
    const { lo, hi, uncertain } = dateBounds(meta, params.from, params.to);
    // Fresh cursors for each pass; the smallest lists lead the join.
    const size = (group: Group) => group.reduce((sum, c) => sum + c.docs.length, 0);
    const groups = {
      words: wordLists.map((lists) => lists.map(wordCursor)).sort((a, b) => size(a) - size(b)),
      filters: filterPostings.map((found) =>
        (found?.lists ?? []).map((l) => cursor(l.postings.docs, l.postings.levels, 0)),
      ),
    };
    // Recency is measured from the newest story in the index, not the clock: a snapshot
    // ranks the same way whenever it is asked.
    const boost = recencyOf(segment.reader, meta, set.newest);
    const stride = meta.date_stride;
    const recency = this.#recency ? (doc: number) => boost(Math.floor(doc / stride)) : () => 1;

    const [only] = wordLists;
    const loneWord =
      mode === 'all' &&
      wordLists.length === 1 &&
      filterPostings.length === 0 &&
      excludedPostings.length === 0 &&
      want === params.offset + params.limit &&
      params.from === undefined &&
      params.to === undefined &&
      params.sort === 'relevance';
    if (only && loneWord && size(groups.words[0] ?? []) > this.#impactOrderAbove) {
      // One common word, nothing else: rank by impact without visiting every posting, and
      // extrapolate the count (total_exact says so).
      const top = new TopK(want);
      topByImpact(
        only.map((l) => ({
          cursor: wordCursor(l),
          buckets: segment.reader.levelBuckets(l.term, l.list.field, l.list.postings),
        })),
        top,
        recency,
        recency(0),
        dead,
      );
      // The scan stops early only once the heap is full: a heap short of `want` saw every match.
      const estimate =
        top.size < want ? { count: top.size, exact: true } : estimateUnion(groups.words[0] ?? []);
      return {
        total: Math.max(estimate.count, top.size),
        exact: estimate.exact,
        ranking: top.sorted(),
      };
    }

    const collector = new Collector(params.sort, want);
    /** Matches whose date only their record can tell (next to the ends of a date range). */
    const pending: number[] = [];
    // Excluded words' lists: matches come in document order, so the cursors only move on.
    const out: Group = excludedPostings.flatMap((p) =>
      p.lists.map((l) => cursor(l.postings.docs, l.postings.levels, 0)),
    );
    const visit = (doc: number, score: number) => {
      if (dead?.[doc] || (out.length > 0 && nextDoc(out, doc) === doc)) return;
      const ranked = score * recency(doc);
      if (uncertain.length > 0 && uncertain.some(([a, b]) => doc >= a && doc < b))
        pending.push(doc, ranked);
      else collector.add(doc, ranked);
    };
    (mode === 'all' ? matchAll : matchAny)(groups.words, groups.filters, lo, hi, visit);
    for (const [doc, score] of await datedIn(segment.reader, pending, params.from, params.to))
      collector.add(doc, score);
    return { total: collector.total, exact: true, ranking: collector.ranking() };
  }

  /** The page of the merged candidates, with their records and highlights. */
  async #page(
    params: SearchParams,
    candidates: Candidate[],
    found: {
      total: number;
      exact: boolean;
      match: SearchResult['match'];
      corrections: Correction[];
      words: readonly Word[];
      checks: ReturnType<typeof syntaxChecks>;
    },
  ): Promise<SearchResult> {
    const number = (c: Candidate) => c.segment.offset + c.doc;
    let page: { candidate: Candidate; record: DocRecord }[];
    let { total, exact } = found;
    let checked: SearchResult['checked'];
    if (found.checks) {
      ({ page, total, exact, checked } = await this.#checkedPage(params, candidates, found));
    } else if (params.sort === 'newest' && new Set(candidates.map((c) => c.segment)).size > 1) {
      // Segments overlap in time (an edited article is in a newer one): order by the records.
      const records = await recordsOf(candidates);
      page = candidates
        .map((candidate, k) => ({ candidate, record: records[k]! }))
        .sort(
          (a, b) =>
            Date.parse(b.record.published) - Date.parse(a.record.published) ||
            number(a.candidate) - number(b.candidate),
        )
        .slice(params.offset, params.offset + params.limit);
    } else {
      const ranked = candidates
        .sort((a, b) =>
          params.sort === 'newest'
            ? number(a) - number(b)
            : b.score - a.score || number(a) - number(b),
        )
        .slice(params.offset, params.offset + params.limit);
      const records = await recordsOf(ranked);
      page = ranked.map((candidate, k) => ({ candidate, record: records[k]! }));
    }
    const phrases = params.q.syntax?.phrases ?? [];
    const hits = page.map(({ candidate, record }) => ({
      doc: number(candidate),
      score: candidate.score,
      record,
      words: found.words,
      phrases,
      ...highlighted(record, found.words, phrases),
    }));
    return {
      total,
      total_exact: exact,
      match: found.match,
      corrections: found.corrections,
      hits,
      ...(checked ? { checked } : {}),
    };
  }

  /**
   * The page of a query with checks the postings cannot make (phrases, `in=title`):
   * candidates in ranking order, checked until the page is full (./syntax.ts). The count is
   * exact when every match was examined, else the share that passed, extrapolated.
   */
  async #checkedPage(
    params: SearchParams,
    candidates: Candidate[],
    found: { total: number; exact: boolean; checks: ReturnType<typeof syntaxChecks> },
  ): Promise<{
    page: { candidate: Candidate; record: DocRecord }[];
    total: number;
    exact: boolean;
    checked: { examined: number; texts: number };
  }> {
    const number = (c: Candidate) => c.segment.offset + c.doc;
    let ordered = candidates.sort((a, b) =>
      params.sort === 'newest' ? number(a) - number(b) : b.score - a.score || number(a) - number(b),
    );
    if (params.sort === 'newest' && new Set(candidates.map((c) => c.segment)).size > 1) {
      // Segments overlap in time: order by the records' dates (as #page does).
      const records = await recordsOf(ordered);
      const date = new Map(ordered.map((c, k) => [c, Date.parse(records[k]!.published)]));
      ordered = [...ordered].sort((a, b) => date.get(b)! - date.get(a)! || number(a) - number(b));
    }
    const want = params.offset + params.limit;
    const { passed, examined, texts } = await checkCandidates(ordered, want, found.checks!, {
      records: recordsOf,
      texts: (records) => this.#texts(records.map((r) => r.id)),
    });
    const all = examined === ordered.length && ordered.length === found.total;
    return {
      page: passed.slice(params.offset, want),
      total: all
        ? passed.length
        : examined === 0
          ? 0
          : Math.max(passed.length, Math.round((found.total * passed.length) / examined)),
      exact: found.exact && all,
      checked: { examined, texts },
    };
  }

  /** Completions of the last word, most documents first. */
  async suggest(
    q: ParsedQuery,
    limit: number,
  ): Promise<{ completions: { word: string; count: number }[]; total_exact: boolean }> {
    const last = q.words.at(-1);
    if (!last) return { completions: [], total_exact: true };
    const found = await completions(this.reader, last.text, limit, 'vocab');
    return {
      completions: found.words.map(([word, count]) => ({ word, count })),
      total_exact: !found.capped,
    };
  }
}

/**
 * The hits with their snippets cut from their whole articles (highlight.ts articleText)
 * where `texts` holds one; the others keep the snippet of their stored text.
 */
export function withArticleSnippets(
  hits: readonly Hit[],
  texts: ReadonlyMap<string, string>,
): Hit[] {
  return hits.map((hit) => {
    const text = texts.get(hit.record.id);
    return text === undefined
      ? hit
      : { ...hit, ...highlighted(hit.record, hit.words, hit.phrases, text) };
  });
}

/** The terms of the excluded words: exact forms and stems, not completions or typos. */
const excludedTerms = (params: SearchParams) => [
  ...new Set((params.q.syntax?.exclude ?? []).flatMap((w) => baseVariants(w).map((v) => v.term))),
];

/** The highlights of a hit, each phrase found marked as one range (./syntax.ts markPhrases). */
const highlighted = (record: DocRecord, words: readonly Word[], phrases: Phrases, whole?: string) =>
  markPhrases(record, highlight(record, words, whole), phrases, words);

/** Records of candidates from any segments, in their order (one read per docs part). */
async function recordsOf(candidates: readonly Candidate[]): Promise<DocRecord[]> {
  const bySegment = new Map<LoadedSegment, number[]>();
  for (const c of candidates)
    bySegment.set(c.segment, [...(bySegment.get(c.segment) ?? []), c.doc]);
  const records = new Map<LoadedSegment, Map<number, DocRecord>>();
  await Promise.all(
    [...bySegment].map(async ([segment, docs]) => {
      const found = await segment.reader.records(docs);
      records.set(segment, new Map(docs.map((d, i) => [d, found[i]!])));
    }),
  );
  return candidates.map((c) => records.get(c.segment)!.get(c.doc)!);
}

/** The (document, score) pairs of `pending` whose recorded date is inside [from, to]. */
async function datedIn(
  reader: IndexReader,
  pending: readonly number[],
  from?: number,
  to?: number,
): Promise<[number, number][]> {
  if (pending.length === 0) return [];
  const docs = pending.filter((_, i) => i % 2 === 0);
  const records = await reader.records(docs);
  return docs.flatMap((doc, k): [number, number][] => {
    const date = Date.parse(records[k]?.published ?? '');
    return (from !== undefined && date < from) || (to !== undefined && date > to)
      ? []
      : [[doc, pending[2 * k + 1] ?? 0]];
  });
}
