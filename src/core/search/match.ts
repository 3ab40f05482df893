/**
 * Document-at-a-time matching over posting lists: every query is answered in one pass over
 * cursors into the decoded (cached) posting lists, with no list of the whole match set
 * built on the way. Merging variants, intersecting words, the filters and the date range
 * are one leapfrog join that gallops past documents a smaller list rules out; each match
 * is counted (so `total` stays exact) and offered to a fixed-size heap.
 *
 * At 1M articles a common word's lists hold 10^5 documents: materialising merged and
 * intersected lists allocated several arrays of that size per query, and their garbage
 * collections made the slow tail of the warm benchmark.
 */
import { FIELD_LEVELS, IMPACT_LEVELS, LEVEL_IMPACT } from './format.ts';

/**
 * One posting list (a variant of a word in one field, or a filter) and a position in it.
 * Scores add up as MiniSearch's do (`termResults`, its OR and AND): over the fields and the
 * variants of a word, and over the words; the sum is then multiplied by the number of
 * distinct query terms that matched (MiniSearch `search`, its "quality").
 */
export interface Cursor {
  docs: Int32Array;
  levels: Uint8Array;
  /** Score of a posting = weight * impacts[level] (weight 0 for filters). */
  weight: number;
  /** Value of each level (format.ts LEVEL_IMPACT or FIELD_LEVEL_IMPACT). */
  impacts: Float64Array;
  /** The query term (variant) it lists, numbered from 0 across the query. */
  term: number;
  at: number;
}

/** Lists that stand for one query word (its variants) or one filter: any of them matches. */
export type Group = Cursor[];

export const END = 0x7fffffff;

export const cursor = (
  docs: Int32Array,
  levels: Uint8Array,
  weight: number,
  impacts: Float64Array = LEVEL_IMPACT,
  term = 0,
): Cursor => ({ docs, levels, weight, impacts, term, at: 0 });

/** First index at or after `from` whose document is >= target: galloping, then binary search. */
export function seek(docs: Int32Array, from: number, target: number): number {
  const n = docs.length;
  if (from >= n || docs[from]! >= target) return from;
  // docs[lo] < target throughout; hi is n or a document >= target.
  let lo = from;
  let step = 1;
  let hi = from + 1;
  while (hi < n && docs[hi]! < target) {
    lo = hi;
    step *= 2;
    hi = from + step;
  }
  if (hi > n) hi = n;
  lo++;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (docs[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The group's next document >= target, its cursors moved there (END when none). */
export function nextDoc(group: Group, target: number): number {
  let best = END;
  for (let k = 0; k < group.length; k++) {
    const c = group[k]!;
    const at = seek(c.docs, c.at, target);
    c.at = at;
    if (at < c.docs.length) {
      const doc = c.docs[at]!;
      if (doc < best) best = doc;
    }
  }
  return best;
}

/**
 * Scores of documents: the sum over the words' lists that hold the document, times the
 * distinct terms among them. Marks are stamped per document, so nothing is allocated per match.
 */
export class Scorer {
  #marks: Int32Array;
  #stamp = 0;

  constructor(groups: readonly Group[]) {
    let terms = 0;
    for (const group of groups) for (const c of group) terms = Math.max(terms, c.term + 1);
    this.#marks = new Int32Array(terms);
  }

  /** The score at `doc` of lists positioned at or after it (by nextDoc or seek). */
  score(groups: readonly Group[], doc: number): number {
    const stamp = ++this.#stamp;
    const marks = this.#marks;
    let sum = 0;
    let distinct = 0;
    for (let g = 0; g < groups.length; g++) {
      const group = groups[g]!;
      for (let k = 0; k < group.length; k++) {
        const c = group[k]!;
        if (c.at < c.docs.length && c.docs[c.at] === doc) {
          sum += c.weight * c.impacts[c.levels[c.at]!]!;
          if (marks[c.term] !== stamp) {
            marks[c.term] = stamp;
            distinct++;
          }
        }
      }
    }
    return sum * distinct;
  }
}

/** Called for every match in document order with the sum of its words' scores. */
export type Visit = (doc: number, score: number) => void;

/**
 * Documents in [lo, hi) that every word group and every filter group holds (leapfrog
 * join: the group that is furthest ahead sets the next candidate for the others).
 */
export function matchAll(
  words: readonly Group[],
  filters: readonly Group[],
  lo: number,
  hi: number,
  visit: Visit,
): void {
  const groups = [...filters, ...words];
  if (groups.length === 0) return;
  const scorer = new Scorer(words);
  let target = lo;
  while (target < hi) {
    let candidate = target;
    let agreed = 0;
    let i = 0;
    while (agreed < groups.length) {
      const doc = nextDoc(groups[i]!, candidate);
      if (doc >= hi) return;
      if (doc === candidate) {
        agreed++;
      } else {
        candidate = doc;
        agreed = 1;
      }
      i = i + 1 === groups.length ? 0 : i + 1;
    }
    visit(candidate, scorer.score(words, candidate));
    target = candidate + 1;
  }
}

/** Documents in [lo, hi) that any word group holds and every filter group holds. */
export function matchAny(
  words: readonly Group[],
  filters: readonly Group[],
  lo: number,
  hi: number,
  visit: Visit,
): void {
  const scorer = new Scorer(words);
  let target = lo;
  while (target < hi) {
    let doc = END;
    for (let w = 0; w < words.length; w++) {
      const next = nextDoc(words[w]!, target);
      if (next < doc) doc = next;
    }
    if (doc >= hi) return;
    let ahead = doc;
    for (let f = 0; f < filters.length && ahead === doc; f++) ahead = nextDoc(filters[f]!, doc);
    if (ahead !== doc) {
      target = ahead;
      continue;
    }
    visit(doc, scorer.score(words, doc));
    target = doc + 1;
  }
}

/**
 * The k best (score, document) pairs seen: a min-heap on typed arrays. Ties go to the lower
 * document number (the newer story), so a ranking never depends on arrival order.
 */
export class TopK {
  readonly k: number;
  readonly docs: Int32Array;
  readonly scores: Float64Array;
  size = 0;

  constructor(k: number) {
    this.k = k;
    this.docs = new Int32Array(k);
    this.scores = new Float64Array(k);
  }

  /** True when (sa, da) ranks below (sb, db). */
  static #below(sa: number, da: number, sb: number, db: number): boolean {
    return sa < sb || (sa === sb && da > db);
  }

  offer(doc: number, score: number): void {
    const { docs, scores } = this;
    if (this.size < this.k) {
      let c = this.size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!TopK.#below(score, doc, scores[p]!, docs[p]!)) break;
        docs[c] = docs[p]!;
        scores[c] = scores[p]!;
        c = p;
      }
      docs[c] = doc;
      scores[c] = score;
      return;
    }
    if (this.k === 0 || !TopK.#below(scores[0]!, docs[0]!, score, doc)) return;
    // Replace the root and sift down.
    let p = 0;
    for (;;) {
      const l = 2 * p + 1;
      if (l >= this.size) break;
      const r = l + 1;
      let m = l;
      if (r < this.size && TopK.#below(scores[r]!, docs[r]!, scores[l]!, docs[l]!)) m = r;
      if (!TopK.#below(scores[m]!, docs[m]!, score, doc)) break;
      docs[p] = docs[m]!;
      scores[p] = scores[m]!;
      p = m;
    }
    docs[p] = doc;
    scores[p] = score;
  }

  /** Best first. */
  sorted(): { doc: number; score: number }[] {
    return Array.from({ length: this.size }, (_, i) => ({
      doc: this.docs[i]!,
      score: this.scores[i]!,
    })).sort((a, b) => b.score - a.score || a.doc - b.doc);
  }
}

/** A posting list's documents grouped by impact level, highest level first, each group in document order. */
export interface LevelBuckets {
  /** Levels present, highest first, and where each one's documents start in `docs` (plus the end). */
  levels: Uint8Array;
  starts: Int32Array;
  docs: Int32Array;
}

const MAX_LEVELS = Math.max(IMPACT_LEVELS, FIELD_LEVELS);

/** Counting sort of a posting list by level (stable: document order within a level). */
export function bucketByLevel(docs: Int32Array, levels: Uint8Array): LevelBuckets {
  const counts = new Int32Array(MAX_LEVELS);
  for (let i = 0; i < levels.length; i++) counts[levels[i]!]!++;
  const present: number[] = [];
  for (let level = MAX_LEVELS - 1; level >= 0; level--) if (counts[level]! > 0) present.push(level);
  const starts = new Int32Array(present.length + 1);
  const next = new Int32Array(MAX_LEVELS);
  present.forEach((level, i) => {
    next[level] = starts[i]!;
    starts[i + 1] = starts[i]! + counts[level]!;
  });
  const out = new Int32Array(docs.length);
  for (let i = 0; i < docs.length; i++) out[next[levels[i]!]!++] = docs[i]!;
  return { levels: Uint8Array.from(present), starts, docs: out };
}

/** One list of a word (a variant in a field) for impact-ordered ranking. */
export interface ImpactList {
  cursor: Cursor;
  buckets: LevelBuckets;
}

/**
 * The best documents of one word (the lists of its variants and fields), without visiting
 * them all: Fagin's threshold algorithm over the lists sorted by level. The (list, level)
 * runs are taken in order of their score ceiling; a document seen for the first time is
 * scored whole (its posting in every list, found by binary search), and within a run
 * documents come newest first, so recency (non-increasing in document number) only lowers
 * scores. A document not yet seen scores at most the sum of every list's highest run not yet
 * taken, times the lists' distinct terms: once the k-th best beats that, nothing can.
 */
export function topByImpact(
  lists: readonly ImpactList[],
  top: TopK,
  recency: (doc: number) => number,
  maxRecency: number,
  /** Dead documents (a segment's tombstones), skipped. */
  dead: Uint8Array | null = null,
): void {
  const runs: { list: number; ceiling: number; from: number; to: number }[] = [];
  lists.forEach(({ cursor: c, buckets }, list) => {
    buckets.levels.forEach((level, i) =>
      runs.push({
        list,
        ceiling: c.weight * c.impacts[level]!,
        from: buckets.starts[i]!,
        to: buckets.starts[i + 1]!,
      }),
    );
  });
  runs.sort((a, b) => b.ceiling - a.ceiling);
  // Each list's highest run not yet taken; runs of a list come in falling order.
  const remaining = lists.map((_, list) => runs.find((r) => r.list === list)?.ceiling ?? 0);
  const terms = new Set(lists.map((l) => l.cursor.term)).size;
  const group = lists.map((l) => ({ ...l.cursor, at: 0 }));
  const scorer = new Scorer([group]);
  const scoreOf = (doc: number) => {
    for (const c of group) c.at = seek(c.docs, 0, doc);
    return scorer.score([group], doc);
  };
  const seen = new Set<number>();
  const full = () => top.size === top.k;
  for (let r = 0; r < runs.length; r++) {
    const { list, ceiling, from, to } = runs[r]!;
    remaining[list] = ceiling;
    const bound = remaining.reduce((a, b) => a + b, 0) * terms;
    if (top.k === 0 || (full() && top.scores[0]! >= bound * maxRecency)) break;
    const docs = lists[list]!.buckets.docs;
    for (let i = from; i < to; i++) {
      const doc = docs[i]!;
      // Later documents of this run are older: none of them unseen can do better.
      const ceilingHere = bound * recency(doc);
      if (
        full() &&
        (ceilingHere < top.scores[0]! || (ceilingHere === top.scores[0]! && doc > top.docs[0]!))
      )
        break;
      if (seen.has(doc) || dead?.[doc]) continue;
      seen.add(doc);
      top.offer(doc, scoreOf(doc) * recency(doc));
    }
    // The list's next run, if any, is now its highest not taken.
    let next = 0;
    for (let q = r + 1; q < runs.length; q++)
      if (runs[q]!.list === list) {
        next = runs[q]!.ceiling;
        break;
      }
    remaining[list] = next;
  }
}

/** Postings a word's lists must hold before a count over a prefix of them is extrapolated. */
export const ESTIMATE_PREFIX = 4096;

/**
 * How many documents one word's variants hold together: counted exactly over the documents
 * up to where the longest list has ESTIMATE_PREFIX postings, and extrapolated from there by
 * the share of postings that were distinct documents. Exact when the lists are that short.
 */
export function estimateUnion(group: Group): { count: number; exact: boolean } {
  const longest = group.reduce<Cursor | undefined>(
    (a, c) => (a === undefined || c.docs.length > a.docs.length ? c : a),
    undefined,
  );
  if (longest === undefined) return { count: 0, exact: true };
  const bound =
    longest.docs.length <= ESTIMATE_PREFIX ? END : longest.docs[ESTIMATE_PREFIX - 1]! + 1;
  let distinct = 0;
  matchAny([group.map((c) => cursor(c.docs, c.levels, 0))], [], 0, bound, () => distinct++);
  if (bound === END) return { count: distinct, exact: true };
  let prefix = 0;
  let all = 0;
  for (const c of group) {
    prefix += seek(c.docs, 0, bound);
    all += c.docs.length;
  }
  return { count: Math.round((distinct / prefix) * all), exact: false };
}
