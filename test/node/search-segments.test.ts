/**
 * An index in segments ranks like one index over the same articles (src/core/search/segments.ts),
 * edits and removals work through tombstones, and the merge policy bounds the segments.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import type { Article } from '../../src/core/content/article.ts';
import { averageLengths, buildSearchParts, type SearchPart } from '../../src/core/search/build.ts';
import { alignedFirsts, type SearchMeta } from '../../src/core/search/format.ts';
import { PartCache } from '../../src/core/lib/part-cache.ts';
import { parseQuery, SearchEngine, type SearchParams } from '../../src/core/search/query.ts';
import { IndexReader } from '../../src/core/search/reader.ts';
import {
  buildSegment,
  FULL_PARTS_DOCS,
  indexAverages,
  MAX_SEGMENTS,
  MIN_PART_SCALE,
  partScale,
  planMerge,
  segmentArticlesToKeep,
  SegmentSet,
  type SegmentMeta,
  smallParts,
} from '../../src/core/search/segments.ts';
import { rng } from '../../scripts/bench/corpus.ts';
import { fixtureArticles, toArticle } from './search-helpers.ts';

/** A generated corpus: Russian and English words drawn with a Zipf-like skew, dates over 60 days. */
function generated(n: number, seed: number): Article[] {
  const random = rng(seed);
  const ru =
    'москва новости президент выборы цены нефть погода метро школа город суд страна рынок банк завод'.split(
      ' ',
    );
  const en =
    'market election oil prices weather school court city bank storm river minister football'.split(
      ' ',
    );
  const syllables = ['ка', 'ро', 'ми', 'на', 'ле', 'то', 'ви', 'су', 'па', 'де'];
  const rare = () =>
    Array.from(
      { length: 3 + Math.floor(random() * 3) },
      () => syllables[Math.floor(random() * 10)],
    ).join('');
  const pick = (words: string[]) => words[Math.floor(words.length * random() ** 2)]!;
  return Array.from({ length: n }, (_, i) => {
    const lang = random() < 0.7 ? 'ru' : 'en';
    const words = lang === 'ru' ? ru : en;
    const text = (k: number) =>
      Array.from({ length: k }, () =>
        lang === 'ru' && random() < 0.2 ? rare() : pick(words),
      ).join(' ');
    return toArticle({
      id: `g${i}`,
      source: `src${i % 5}`,
      section: i % 3 === 0 ? 'economy' : 'world',
      lang,
      published: new Date(
        Date.parse('2024-03-01T00:00:00Z') - Math.floor(random() * 60 * 86_400_000),
      ).toISOString(),
      url: `https://example.com/${i}`,
      title: text(4 + Math.floor(random() * 5)),
      body: text(20 + Math.floor(random() * 60)),
    });
  });
}

function reader(id: string, parts: readonly SearchPart[], cache: PartCache) {
  const values = new Map(parts.map((p) => [p.part, p.value]));
  return new IndexReader(
    id,
    async (names) => new Map(names.map((n) => [n, values.get(n) ?? null])),
    cache,
  );
}

const params = (q: string, extra: Partial<Omit<SearchParams, 'q'>> = {}): SearchParams => ({
  q: parseQuery(q),
  sort: 'relevance',
  limit: 10,
  offset: 0,
  ...extra,
});

const corpus = [...fixtureArticles(), ...generated(3000, 7)];
const avgLength = averageLengths(corpus);

/** The corpus dealt into `n` segments at random (their time ranges overlap). */
function dealt(n: number, seed: number): Article[][] {
  const random = rng(seed);
  const out: Article[][] = Array.from({ length: n }, () => []);
  for (const a of corpus) out[Math.floor(random() * n)]!.push(a);
  return out;
}

const QUERIES: [string, Partial<Omit<SearchParams, 'q'>>?][] = [
  ['москва'],
  ['нефть'],
  ['цены нефть'],
  ['президент выборы '],
  ['прези'],
  ['stor'],
  ['oil prices'],
  ['election', { sort: 'newest' }],
  ['банк', { section: 'economy' }],
  ['школа', { lang: 'ru', from: Date.parse('2024-02-01'), to: Date.parse('2024-02-20') }],
  ['презедент '],
  ['weathr '],
  ['новости'],
  ['Москве'],
  ['lukashenko'],
  ['ghbdtn'],
  ['цены', { offset: 10 }],
];

describe('an index in segments', () => {
  const one = new SearchEngine(
    reader('one', buildSearchParts(corpus, undefined, { avgLength }), new PartCache(64 << 20)),
  );
  for (const n of [4, 8]) {
    it(`ranks like one index over the same articles (${n} segments)`, async () => {
      const cache = new PartCache(64 << 20);
      const set = new SegmentSet(
        dealt(n, n).map((part, i) =>
          reader(`seg${i}`, buildSearchParts(part, undefined, { avgLength }), cache),
        ),
      );
      const split = new SearchEngine(set);
      let compared = 0;
      for (const [q, extra] of QUERIES) {
        const a = await one.search(params(q, extra));
        const b = await split.search(params(q, extra));
        expect(
          b.hits.map((h) => h.record.id),
          q,
        ).toEqual(a.hits.map((h) => h.record.id));
        // Same impact levels and the same global idf: equal up to the order of float sums.
        b.hits.forEach((h, i) => expect(h.score).toBeCloseTo(a.hits[i]!.score, 9));
        expect([b.total, b.total_exact, b.match, b.corrections], q).toEqual([
          a.total,
          a.total_exact,
          a.match,
          a.corrections,
        ]);
        compared += a.hits.length;
      }
      expect(compared).toBeGreaterThan(100);
    });
  }
});

describe('small parts in small deltas (segments.ts smallParts)', () => {
  const [first, ...rest] = dealt(8, 3);
  const plain: { id: string; parts: SearchPart[] }[] = [
    { id: 'base', parts: buildSearchParts(first!, undefined, { avgLength }) },
  ];
  const small = [...plain];
  rest.forEach((articles, i) => {
    const parts = buildSearchParts(articles, undefined, { avgLength });
    plain.push({ id: `d${i}`, parts });
    small.push({ id: `d${i}`, parts: smallParts(parts, partScale(articles.length)) });
  });
  const kind = (parts: readonly SearchPart[], name: string) =>
    parts.filter((p) => p.part.startsWith(`${name}.`));
  const entries = (parts: readonly SearchPart[], name: string) =>
    kind(parts, name).flatMap((p) => {
      const c = JSON.parse(p.value) as { t: string[]; df: number[]; p?: string[] };
      return c.t.map((t, i) => [t, c.df[i], c.p?.[i]]);
    });
  const engine = (set: typeof plain) => {
    const cache = new PartCache(64 << 20);
    return new SearchEngine(new SegmentSet(set.map((s) => reader(s.id, s.parts, cache))));
  };

  it('cuts a delta of a few hundred articles into parts of 1/8 the size, the same entries', () => {
    expect(rest[0]!.length).toBeLessThan(FULL_PARTS_DOCS * MIN_PART_SCALE);
    for (let i = 1; i < small.length; i++) {
      const [a, b] = [plain[i]!.parts, small[i]!.parts];
      const meta = JSON.parse(b.find((p) => p.part === 'meta')!.value) as SearchMeta;
      expect(meta.part_chars).toEqual({ terms: 2048, vocab: 4096 });
      for (const name of ['terms', 'vocab']) {
        expect(kind(b, name).length, name).toBeGreaterThan(4 * kind(a, name).length);
        expect(entries(b, name), name).toEqual(entries(a, name));
        expect(meta[name as 'terms' | 'vocab']).toEqual(
          kind(b, name).map((p) => (JSON.parse(p.value) as { t: string[] }).t[0]),
        );
      }
      // Only a term whose postings alone pass the target makes a larger part.
      for (const p of kind(b, 'terms'))
        if (p.value.length > 2 * 2048)
          expect((JSON.parse(p.value) as { t: string[] }).t).toHaveLength(1);
      expect(b.filter((p) => /^(docs|ids)\./.test(p.part))).toEqual(
        a.filter((p) => /^(docs|ids)\./.test(p.part)),
      );
    }
  });

  it('finds, ranks and counts as the same deltas in parts of the usual size', async () => {
    const [a, b] = [engine(plain), engine(small)];
    for (const [q, extra] of QUERIES) {
      const [x, y] = [await a.search(params(q, extra)), await b.search(params(q, extra))];
      expect(
        y.hits.map((h) => [h.record.id, h.score]),
        q,
      ).toEqual(x.hits.map((h) => [h.record.id, h.score]));
      expect([y.total, y.total_exact, y.match, y.corrections], q).toEqual([
        x.total,
        x.total_exact,
        x.match,
        x.corrections,
      ]);
    }
  });

  it('caps a range look-up at the characters of N usual parts, not at N small parts', async () => {
    const cache = new PartCache(64 << 20);
    const [a, b] = [reader('a', plain[1]!.parts, cache), reader('b', small[1]!.parts, cache)];
    const { terms, vocab } = await a.meta();
    // Three usual parts' worth of terms, and of vocabulary: complete under a cap of 3.
    expect(await b.termRange(terms[0]!, terms[2]!, 3)).toEqual(
      await a.termRange(terms[0]!, terms[2]!, 3),
    );
    expect((await a.termRange(terms[0]!, terms[2]!, 3)).complete).toBe(true);
    const to = vocab[2] ?? '\uffff';
    expect(await b.vocabRange(vocab[0]!, to, 3)).toEqual(await a.vocabRange(vocab[0]!, to, 3));
    expect((await b.termRange(terms[0]!, terms[2]!, 3)).words.length).toBeGreaterThan(100);
  });

  it("is what buildSegment makes of a delta, cut along the base's parts", async () => {
    const base = buildSegment(first!);
    const values = new Map(base.parts.map((p) => [p.part, p.value]));
    const delta = await buildSegment(rest[0]!, {
      base: [{ id: 'base', meta: base.meta }],
      read: async (_, part) => values.get(part) ?? null,
    });
    const avg = indexAverages([{ id: 'base', meta: base.meta }]);
    expect(delta.parts).toEqual(
      smallParts(buildSearchParts(rest[0]!, undefined, { avgLength: avg }), MIN_PART_SCALE, {
        id: 'base',
        meta: base.meta,
      }),
    );
    expect(delta.meta.aligned?.base).toBe('base');
  });

  describe("cut along the base's parts (smallParts with the base)", () => {
    const baseMeta = JSON.parse(
      plain[0]!.parts.find((p) => p.part === 'meta')!.value,
    ) as SearchMeta;
    const aligned = [
      plain[0]!,
      ...rest.map((articles, i) => ({
        id: `d${i}`,
        parts: smallParts(plain[i + 1]!.parts, partScale(articles.length), {
          id: 'base',
          meta: baseMeta,
        }),
      })),
    ];
    const metaOf = (parts: readonly SearchPart[]) =>
      JSON.parse(parts.find((p) => p.part === 'meta')!.value) as SearchMeta;

    it('holds the same entries, each part starting where a base part does; the meta lists none of its own', () => {
      for (let i = 1; i < aligned.length; i++) {
        const [a, b] = [plain[i]!.parts, aligned[i]!.parts];
        const meta = metaOf(b);
        const own = metaOf(small[i]!.parts);
        expect([meta.terms, meta.vocab, meta.aligned?.base]).toEqual([[], [], 'base']);
        for (const name of ['terms', 'vocab'] as const) {
          expect(entries(b, name), name).toEqual(entries(a, name));
          const firsts = alignedFirsts(meta.aligned![name], baseMeta[name]);
          const chunks = kind(b, name).map((p) => (JSON.parse(p.value) as { t: string[] }).t);
          expect(firsts).toHaveLength(chunks.length);
          chunks.forEach((t, n) => {
            if (n === 0) return;
            // The base part's first term bounds the part: at most its first, above the last before.
            expect(firsts[n]! <= t[0]!, `${name} ${n}`).toBe(true);
            expect(chunks[n - 1]!.at(-1)! < firsts[n]!, `${name} ${n}`).toBe(true);
          });
          // No finer than the base's parts (each starts at another one), and cut still.
          expect(chunks.length).toBeLessThanOrEqual(baseMeta[name].length);
          expect(chunks.length).toBeGreaterThan(1);
          // The gaps take a few characters a part, the first terms they replace several.
          expect(meta.aligned![name].length).toBeLessThan(JSON.stringify(own[name]).length / 3);
        }
      }
    });

    it('finds, ranks and counts as the deltas cut anywhere', async () => {
      const [a, b] = [engine(plain), engine(aligned)];
      for (const [q, extra] of QUERIES) {
        const [x, y] = [await a.search(params(q, extra)), await b.search(params(q, extra))];
        expect(
          y.hits.map((h) => [h.record.id, h.score]),
          q,
        ).toEqual(x.hits.map((h) => [h.record.id, h.score]));
        expect([y.total, y.total_exact, y.match, y.corrections], q).toEqual([
          x.total,
          x.total_exact,
          x.match,
          x.corrections,
        ]);
      }
    });

    it('is refused in a set whose first segment is another base', async () => {
      const other = { id: 'other', parts: buildSearchParts(rest[1]!, undefined, { avgLength }) };
      await expect(engine([other, aligned[1]!]).search(params('москва'))).rejects.toThrow(
        'search index: segment d0 is cut along the parts of segment base, which is not the first segment of its set (other)',
      );
    });
  });
});

describe("a set's term counts", () => {
  it('are kept across requests: a repeated query looks up only the terms it matches, per segment', async () => {
    const cache = new PartCache(64 << 20);
    const parts = dealt(8, 8).map((part) => buildSearchParts(part, undefined, { avgLength }));
    const engine = () =>
      new SearchEngine(new SegmentSet(parts.map((p, i) => reader(`seg${i}`, p, cache))));
    const lookups = vi.spyOn(IndexReader.prototype, 'lookup');
    try {
      // A Latin query: its Cyrillic readings are dozens of candidate terms.
      const first = await engine().search(params('oil prices'));
      const cold = lookups.mock.calls.length;
      lookups.mockClear();
      const second = await engine().search(params('oil prices'));
      const used = new Set(second.hits[0]!.words.flatMap((w) => w.variants.map((v) => v.term)));
      expect(second.hits.map((h) => [h.record.id, h.score])).toEqual(
        first.hits.map((h) => [h.record.id, h.score]),
      );
      expect(first.hits.length).toBeGreaterThan(0);
      // The matching looks up each term it uses in each segment; understanding, nothing.
      expect(lookups.mock.calls.length).toBe(used.size * parts.length);
      expect(cold).toBeGreaterThan(2 * lookups.mock.calls.length);
    } finally {
      lookups.mockRestore();
    }
  });
});

describe('tombstones and merges', () => {
  const base = buildSegment(corpus);
  const stored = new Map<string, Map<string, string>>([
    ['base', new Map(base.parts.map((p) => [p.part, p.value]))],
  ]);
  const read = async (id: string, part: string) => stored.get(id)?.get(part) ?? null;
  const target = corpus.find((a) => a.id === 'g10')!;
  const removed = corpus.find((a) => a.id === 'g11')!;
  const edited = {
    ...target,
    title: 'Зоопарк открыл вольер',
    published: '2024-03-02T00:00:00.000Z',
  };

  it('an edited article is found once, by its new text; a removed one not at all', async () => {
    const delta = await buildSegment([edited], {
      base: [{ id: 'base', meta: base.meta }],
      read,
      removed: [removed.id],
    });
    expect(Object.keys(delta.meta.deletes ?? {})).toEqual(['base']);
    const cache = new PartCache(64 << 20);
    const engine = new SearchEngine(
      new SegmentSet([reader('base', base.parts, cache), reader('delta', delta.parts, cache)]),
    );
    const zoo = await engine.search(params('зоопарк'));
    expect(zoo.hits.map((h) => h.record.id)).toEqual(['g10']);
    // The old title's words no longer find it; the removed article is gone everywhere.
    const oldWord = target.title.split(' ')[0]!;
    const ids = async (q: string) =>
      (await engine.search(params(q, { limit: 50 }))).hits.map((h) => h.record.id);
    for (const q of [removed.title, target.title]) {
      const found = await ids(q);
      expect(found.filter((id) => id === 'g11')).toEqual([]);
      expect(found.filter((id) => id === 'g10').length).toBeLessThanOrEqual(1);
    }
    // Against one index over the edited archive: the same matches are counted.
    const after = [...corpus.filter((a) => a.id !== 'g10' && a.id !== 'g11'), edited];
    const fresh = new SearchEngine(
      reader('fresh', buildSearchParts(after), new PartCache(64 << 20)),
    );
    for (const q of [oldWord, 'зоопарк', 'нефть', 'oil']) {
      const [a, b] = [await fresh.search(params(q)), await engine.search(params(q))];
      expect(b.total, q).toBe(a.total);
    }
  });

  it('lists the live articles of segments to merge, and plans merges by count and share', async () => {
    const delta = await buildSegment([edited], {
      base: [{ id: 'base', meta: base.meta }],
      read,
      removed: [removed.id],
    });
    stored.set('delta', new Map(delta.parts.map((p) => [p.part, p.value])));
    const all: SegmentMeta[] = [
      { id: 'base', meta: base.meta },
      { id: 'delta', meta: delta.meta },
    ];
    const live = await segmentArticlesToKeep(['base', 'delta'], all, read);
    expect(live.length).toBe(corpus.length - 1);
    expect(live.filter((id) => id === 'g10')).toEqual(['g10']);
    expect(live).not.toContain('g11');

    const meta = (docs: number): SearchMeta => ({ ...base.meta, docs, deletes: {} });
    const segs = (docs: number[]) => docs.map((d, i) => ({ id: `s${i}`, meta: meta(d) }));
    expect(planMerge(segs([1000]))).toBeNull();
    expect(planMerge(segs([1000, 10, 10]))).toBeNull();
    // More than MAX_SEGMENTS: the deltas merge, the base stays.
    const many = segs([1000, ...Array.from({ length: MAX_SEGMENTS }, () => 10)]);
    expect(planMerge(many)).toEqual({ merge: many.slice(1).map((s) => s.id) });
    // Deltas over a quarter of the base: everything is compacted.
    expect(planMerge(segs([1000, 200, 60]))).toEqual({ merge: ['s0', 's1', 's2'] });
  });
});

describe('an index written before segments (frozen: test/fixtures/search/index-v1.json)', () => {
  const frozen = JSON.parse(
    readFileSync(new URL('../fixtures/search/index-v1.json', import.meta.url).pathname, 'utf8'),
  ) as Record<string, string>;
  const parts = Object.entries(frozen).map(([part, value]) => ({ part, value, bytes: 0 }));

  it('is read as one segment, and as the base of a set with a newer delta', async () => {
    const cache = new PartCache(64 << 20);
    const old = new SearchEngine(reader('old', parts, cache));
    const alone = await old.search(params('Москве'));
    expect(alone.hits.map((h) => h.record.id).sort()).toEqual(['ru-1', 'ru-2']);
    // Records of 8 fields (before hits carried images) read with no image.
    expect(alone.hits.find((h) => h.record.id === 'ru-1')?.record).toMatchObject({
      lang: 'ru',
      section: 'city',
      image: null,
    });
    const meta = JSON.parse(frozen.meta ?? '{}') as SearchMeta;
    expect(meta.ids).toBeUndefined();
    const ru1 = fixtureArticles().find((a) => a.id === 'ru-1')!;
    const image = 'https://example.com/park.jpg';
    const delta = await buildSegment(
      [{ ...ru1, id: 'ru-new', title: 'В Москве новый парк', image }],
      {
        base: [{ id: 'old', meta }],
        read: async (_, part) => frozen[part] ?? null,
      },
    );
    const set = new SearchEngine(
      new SegmentSet([reader('old', parts, cache), reader('d', delta.parts, cache)]),
    );
    const both = await set.search(params('Москве'));
    expect(both.hits.map((h) => h.record.id).sort()).toEqual(['ru-1', 'ru-2', 'ru-new']);
    expect(both.hits.find((h) => h.record.id === 'ru-new')?.record.image).toBe(image);
  });
});

describe('an index of format 2 (frozen: test/fixtures/search/index-v2.json)', () => {
  it('is read: ranked hits and their records', async () => {
    const frozen = JSON.parse(
      readFileSync(new URL('../fixtures/search/index-v2.json', import.meta.url).pathname, 'utf8'),
    ) as Record<string, string>;
    const parts = Object.entries(frozen).map(([part, value]) => ({ part, value, bytes: 0 }));
    expect((JSON.parse(frozen.meta ?? '{}') as SearchMeta).format).toBe(2);
    const engine = new SearchEngine(reader('v2', parts, new PartCache(64 << 20)));
    const ranked = async (q: string) => {
      const { hits } = await engine.search(params(q));
      // Scores fall down the page and are MiniSearch-sized (title boost 3 over idf ~1-3).
      hits.forEach((h, i) => expect(h.score).toBeLessThanOrEqual(hits[i - 1]?.score ?? Infinity));
      return hits.map((h) => h.record.id);
    };
    expect(await ranked('Москве')).toEqual(['ru-1', 'ru-2']);
    expect(await ranked('oil prices')).toEqual(['en-2']);
    expect(await ranked('Київ')).toEqual(['uk-1']);
    expect(await ranked('школ')).toEqual(['uk-4', 'ru-7']);
  });
});
