/**
 * The document-at-a-time matcher against a plain reference over sets: same matches, same
 * scores, same top k, for random posting lists, filters and date ranges.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LEVEL_IMPACT } from '../../src/core/search/format.ts';
import {
  bucketByLevel,
  cursor,
  estimateUnion,
  type Group,
  matchAll,
  matchAny,
  seek,
  TopK,
  topByImpact,
} from '../../src/core/search/match.ts';

/** A sorted posting list of distinct documents under 200, with levels 1..31. */
const postings = fc
  .uniqueArray(
    fc.record({ doc: fc.integer({ min: 0, max: 199 }), level: fc.integer({ min: 1, max: 31 }) }),
    { selector: (p) => p.doc, maxLength: 60 },
  )
  .map((list) => list.sort((a, b) => a.doc - b.doc));
/** A list of a query term (`term`: several lists may share one, as a variant's fields do). */
const variant = fc.record({
  list: postings,
  weight: fc.double({ min: 0.1, max: 5, noNaN: true }),
  term: fc.integer({ min: 0, max: 5 }),
});
const word = fc.array(variant, { minLength: 1, maxLength: 4 });
const range = fc
  .tuple(fc.integer({ min: 0, max: 210 }), fc.integer({ min: 0, max: 210 }))
  .map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const);

type Variant = { list: { doc: number; level: number }[]; weight: number; term: number };
const group = (variants: Variant[], weight?: number): Group =>
  variants.map((v) =>
    cursor(
      Int32Array.from(v.list, (p) => p.doc),
      Uint8Array.from(v.list, (p) => p.level),
      weight ?? v.weight,
      LEVEL_IMPACT,
      v.term,
    ),
  );

/** The lists of a word that hold a document. */
const holding = (variants: Variant[], doc: number) =>
  variants.flatMap((v) => {
    const p = v.list.find((x) => x.doc === doc);
    return p ? [{ score: v.weight * LEVEL_IMPACT[p.level]!, term: v.term }] : [];
  });

function reference(
  words: Variant[][],
  filters: Variant[][],
  lo: number,
  hi: number,
  all: boolean,
): [number, number][] {
  const out: [number, number][] = [];
  for (let doc = lo; doc < hi; doc++) {
    if (!filters.every((f) => holding(f, doc).length > 0)) continue;
    const held = words.map((w) => holding(w, doc)).filter((h) => h.length > 0);
    if (all ? held.length === words.length && words.length + filters.length > 0 : held.length > 0) {
      // MiniSearch: the sum of every matching list, times the distinct terms that matched.
      const lists = held.flat();
      const sum = lists.reduce((a, l) => a + l.score, 0);
      out.push([doc, sum * new Set(lists.map((l) => l.term)).size]);
    }
  }
  return out;
}

function run(
  match: typeof matchAll,
  words: Variant[][],
  filters: Variant[][],
  lo: number,
  hi: number,
): [number, number][] {
  const out: [number, number][] = [];
  match(
    words.map((w) => group(w)),
    filters.map((f) => group(f, 0)),
    lo,
    hi,
    (doc, score) => out.push([doc, score]),
  );
  return out;
}

const close = (a: [number, number][], b: [number, number][]) => {
  expect(a.map(([d]) => d)).toEqual(b.map(([d]) => d));
  a.forEach(([, s], i) => expect(s).toBeCloseTo(b[i]![1], 9));
};

describe('search matcher', () => {
  it('seek finds the first document at or after the target from any start', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { maxLength: 300 }),
        fc.nat(310),
        fc.integer({ min: -1, max: 1002 }),
        (values, from, target) => {
          const docs = Int32Array.from(values.sort((a, b) => a - b));
          const start = Math.min(from, docs.length);
          let expected = start;
          while (expected < docs.length && docs[expected]! < target) expected++;
          expect(seek(docs, start, target)).toBe(expected);
        },
      ),
    );
  });

  it('matchAll yields the documents every word and filter holds, in order, scored as MiniSearch sums them', () => {
    fc.assert(
      fc.property(
        fc.array(word, { maxLength: 4 }),
        fc.array(fc.array(variant, { minLength: 1, maxLength: 2 }), { maxLength: 2 }),
        range,
        (words, filters, [lo, hi]) => {
          close(run(matchAll, words, filters, lo, hi), reference(words, filters, lo, hi, true));
        },
      ),
    );
  });

  it('matchAny yields the documents any word holds, within every filter', () => {
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 4 }),
        fc.array(fc.array(variant, { minLength: 1, maxLength: 2 }), { maxLength: 2 }),
        range,
        (words, filters, [lo, hi]) => {
          close(run(matchAny, words, filters, lo, hi), reference(words, filters, lo, hi, false));
        },
      ),
    );
  });

  it('TopK keeps the k best, ties to the lower document, best first', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.nat(10_000), { maxLength: 200 }),
        fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 200, maxLength: 200 }),
        fc.nat(30),
        (docs, scores, k) => {
          const top = new TopK(k);
          docs.forEach((doc, i) => top.offer(doc, scores[i]!));
          const expected = docs
            .map((doc, i) => ({ doc, score: scores[i]! }))
            .sort((a, b) => b.score - a.score || a.doc - b.doc)
            .slice(0, k);
          expect(top.sorted()).toEqual(expected);
        },
      ),
    );
  });

  it('topByImpact finds the same top k as scoring every document of the word', () => {
    fc.assert(
      fc.property(
        word,
        fc.nat(15),
        fc.array(fc.double({ min: 1, max: 1.5, noNaN: true }), { minLength: 8, maxLength: 8 }),
        (variants, k, steps) => {
          // Recency: non-increasing in document number, in steps of 25 documents.
          const factors = [...steps].sort((a, b) => b - a);
          const recency = (doc: number) => factors[Math.min(7, Math.floor(doc / 25))]!;
          const top = new TopK(k);
          topByImpact(
            group(variants).map((c, i) => ({
              cursor: c,
              buckets: bucketByLevel(
                Int32Array.from(variants[i]!.list, (p) => p.doc),
                Uint8Array.from(variants[i]!.list, (p) => p.level),
              ),
            })),
            top,
            recency,
            factors[0]!,
          );
          const expected = reference([variants], [], 0, 200, true)
            .map(([doc, score]) => ({ doc, score: score * recency(doc) }))
            .sort((a, b) => b.score - a.score || a.doc - b.doc)
            .slice(0, k);
          const got = top.sorted();
          expect(got.map((h) => h.doc)).toEqual(expected.map((h) => h.doc));
          got.forEach((h, i) => expect(h.score).toBeCloseTo(expected[i]!.score, 9));
        },
      ),
    );
  });

  it('estimateUnion counts short lists exactly and extrapolates long ones closely', () => {
    fc.assert(
      fc.property(word, (variants) => {
        expect(estimateUnion(group(variants))).toEqual({
          count: reference([variants], [], 0, 200, false).length,
          exact: true,
        });
      }),
    );
    // Two long lists over a million documents, one mostly inside the other (a word and its stem).
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const stem = Int32Array.from({ length: 1_000_000 }, (_, i) => i).filter(() => random() < 0.08);
    const exact = stem.filter(() => random() < 0.7);
    const extra = Int32Array.from({ length: 1_000_000 }, (_, i) => i).filter(() => random() < 0.01);
    const surface = Int32Array.from(new Set([...exact, ...extra])).sort();
    const union = new Set([...stem, ...surface]).size;
    const estimate = estimateUnion([
      cursor(surface, new Uint8Array(surface.length), 1),
      cursor(stem, new Uint8Array(stem.length), 1),
    ]);
    expect(estimate.exact).toBe(false);
    expect(Math.abs(estimate.count - union) / union).toBeLessThan(0.05);
  });
});
