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
import { IMPACT_LEVELS, LEVEL_IMPACT } from './format.ts';

/** One posting list (a variant of a word, or a filter) and a position in it. */
export interface Cursor {
  docs: Int32Array;
  levels: Uint8Array;
  /** Score of a posting = weight * impact of its level (0 for filters). */
  weight: number;
  at: number;
}

/** Lists that stand for one query word (its variants) or one filter: any of them matches. */
export type Group = Cursor[];

export const END = 0x7fffffff;

export const cursor = (docs: Int32Array, levels: Uint8Array, weight: number): Cursor => ({
  docs,
  levels,
  weight,
  at: 0,
});

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

/** The group's score at `doc` (its best variant there); cursors positioned by nextDoc. */
export function groupScore(group: Group, doc: number): number {
  let best = 0;
  for (let k = 0; k < group.length; k++) {
    const c = group[k]!;
    if (c.at < c.docs.length && c.docs[c.at] === doc) {
      const score = c.weight * LEVEL_IMPACT[c.levels[c.at]!]!;
      if (score > best) best = score;
    }
  }
  return best;
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
    let score = 0;
    for (let w = 0; w < words.length; w++) score += groupScore(words[w]!, candidate);
    visit(candidate, score);
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
    let score = 0;
    for (let w = 0; w < words.length; w++) score += groupScore(words[w]!, doc);
    visit(doc, score);
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

/** Counting sort of a posting list by level (stable: document order within a level). */
export function bucketByLevel(docs: Int32Array, levels: Uint8Array): LevelBuckets {
  const counts = new Int32Array(IMPACT_LEVELS);
  for (let i = 0; i < levels.length; i++) counts[levels[i]!]!++;
  const present: number[] = [];
  for (let level = IMPACT_LEVELS - 1; level >= 0; level--)
    if (counts[level]! > 0) present.push(level);
  const starts = new Int32Array(present.length + 1);
  const next = new Int32Array(IMPACT_LEVELS);
  present.forEach((level, i) => {
    next[level] = starts[i]!;
    starts[i + 1] = starts[i]! + counts[level]!;
  });
  const out = new Int32Array(docs.length);
  for (let i = 0; i < docs.length; i++) out[next[levels[i]!]!++] = docs[i]!;
  return { levels: Uint8Array.from(present), starts, docs: out };
}

/** A word's variant for impact-ordered ranking. */
export interface ImpactList {
  weight: number;
  buckets: LevelBuckets;
}

/**
 * The best documents of one word (any of its variants), without visiting them all: the
 * (variant, level) segments are taken in order of their score ceiling, and within a
 * segment documents come newest first, so recency (non-increasing in document number)
 * only lowers scores. Stops when no remaining segment can beat the k-th best. A document's
 * first segment gives its best score, so later sightings are skipped.
 */
export function topByImpact(
  lists: readonly ImpactList[],
  top: TopK,
  recency: (doc: number) => number,
  maxRecency: number,
  /** Dead documents (a segment's tombstones), skipped. */
  dead: Uint8Array | null = null,
): void {
  const segments: { ceiling: number; from: number; to: number; docs: Int32Array }[] = [];
  for (const { weight, buckets } of lists) {
    buckets.levels.forEach((level, i) =>
      segments.push({
        ceiling: weight * LEVEL_IMPACT[level]!,
        from: buckets.starts[i]!,
        to: buckets.starts[i + 1]!,
        docs: buckets.docs,
      }),
    );
  }
  segments.sort((a, b) => b.ceiling - a.ceiling);
  const seen = new Set<number>();
  const full = () => top.size === top.k;
  for (const { ceiling, from, to, docs } of segments) {
    if (top.k === 0 || (full() && top.scores[0]! >= ceiling * maxRecency)) break;
    for (let i = from; i < to; i++) {
      const doc = docs[i]!;
      const score = ceiling * recency(doc);
      // Later documents of this segment are older: none of them can do better.
      if (full() && (score < top.scores[0]! || (score === top.scores[0]! && doc > top.docs[0]!)))
        break;
      if (seen.has(doc) || dead?.[doc]) continue;
      seen.add(doc);
      top.offer(doc, score);
    }
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
