import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { docStemTerm, queryStemTerms, tokenize } from '../../src/core/search/analyze.ts';
import { averageLengths, buildSearchParts, SearchBuilder } from '../../src/core/search/build.ts';
import { PartCache } from '../../src/core/lib/part-cache.ts';
import {
  decodePostings,
  encodePostings,
  MAX_PART_BYTES,
  vlqDecode,
  vlqEncode,
} from '../../src/core/search/format.ts';
import { parseQuery } from '../../src/core/search/query.ts';
import { warmUpEngine } from '../../src/core/search/warm-up.ts';
import { boundedDistance, maxEdits } from '../../src/core/search/rewrite.ts';
import { fixtureArticles, fixtureIndex, memoryIndex, toArticle } from './search-helpers.ts';

const ids = (r: { hits: { record: { id: string } }[] }) => r.hits.map((h) => h.record.id);

describe('index format', () => {
  it('round-trips VLQ numbers and posting lists', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 2 ** 40 })), (values) => {
        expect(vlqDecode(vlqEncode(values))).toEqual(values);
      }),
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.nat({ max: 1_000_000 })),
        fc.nat({ max: 31 }),
        (docs, level) => {
          const sorted = [...docs].sort((a, b) => a - b);
          const decoded = decodePostings(
            encodePostings(
              sorted,
              sorted.map(() => level),
            ),
          );
          expect([...decoded.docs]).toEqual(sorted);
          expect([...decoded.levels].every((l) => l === level)).toBe(true);
        },
      ),
    );
  });

  it('names parts [a-z0-9._-]+ and keeps each under the size limit', () => {
    const parts = buildSearchParts(fixtureArticles());
    expect(parts[0]?.part).toBe('meta');
    for (const part of parts) {
      expect(part.part).toMatch(/^[a-z0-9._-]+$/);
      expect(new TextEncoder().encode(part.value).length).toBeLessThanOrEqual(MAX_PART_BYTES);
    }
    expect(parts.map((p) => p.part)).toEqual(
      expect.arrayContaining(['terms.0000', 'vocab.0000', 'docs.0000']),
    );
  });

  it('fails the build with the part name and size when a part outgrows a KV value', () => {
    // A 6 MiB url lands whole in the result records of docs.0000 (urls are not tokenised,
    // so the test stays fast).
    const huge = toArticle({
      id: 'x',
      source: 's',
      section: 'a',
      lang: 'en',
      published: '2024-01-01T00:00:00Z',
      url: `https://x/${'x'.repeat(6 * 1024 * 1024)}`,
      title: 'big',
      body: '',
    });
    expect(() => buildSearchParts([huge])).toThrow(
      /^search index: part "docs\.0000" is \d+ bytes, over the 5242880-byte limit per KV value$/,
    );
  });

  it('is the same index whatever the input order', () => {
    const articles = fixtureArticles();
    const a = buildSearchParts(articles);
    const b = buildSearchParts([...articles].reverse());
    expect(b).toEqual(a);
  });

  it('builds the same parts from batches of any size as from one call (SearchBuilder)', () => {
    const articles = fixtureArticles().sort(
      (a, b) => Date.parse(b.published) - Date.parse(a.published) || (a.id < b.id ? -1 : 1),
    );
    const avgLength = averageLengths(articles);
    const whole = buildSearchParts(articles, undefined, { avgLength });
    for (const size of [1, 3, articles.length]) {
      const progress: number[] = [];
      const builder = new SearchBuilder({
        avgLength,
        total: articles.length,
        onProgress: (done) => progress.push(done),
      });
      for (let i = 0; i < articles.length; i += size) builder.add(articles.slice(i, i + size));
      expect(builder.finish()).toEqual(whole);
      expect(progress).toEqual([articles.length]);
      expect(() => builder.finish()).toThrow('search index: finish called twice');
    }
    expect(() => new SearchBuilder()).toThrow(/needs avgLength/);
  });
});

describe('the summary field', () => {
  const story = (id: string, summary: string, fromSource: boolean) => ({
    ...toArticle({
      id,
      source: 's',
      section: 'a',
      lang: 'en',
      published: '2024-01-01T00:00:00Z',
      url: '',
      title: 'Harbour news',
      body: 'The ferry to the island runs again after the storm. More later.',
      summary,
    }),
    summary_from_source: fromSource,
  });

  it('indexes a summary the source gave, and not one made from the body', async () => {
    const derived = story('derived', 'The ferry to the island runs again after the storm.', false);
    const none = story('none', '', false);
    const given = story('given', 'Ferries sail again.', true);
    const index = memoryIndex(buildSearchParts([derived, none, given]));
    const scores = new Map((await index.search('ferry ')).hits.map((h) => [h.record.id, h.score]));
    // The body's first sentence, repeated as a derived summary, counts once: as the body.
    expect(scores.get('derived')).toBe(scores.get('none'));
    expect(ids(await index.search('sail '))).toEqual(['given']);
  });
});

describe('relevance on the committed fixture', () => {
  const index = fixtureIndex();

  it('finds inflected forms through stems and ranks the exact form first', async () => {
    expect(ids(await index.search('Москве'))).toEqual(expect.arrayContaining(['ru-1', 'ru-2']));
    expect(ids(await index.search('выборах'))).toEqual([]);
    expect(ids(await index.search('election'))).toEqual(['en-1']);
    // A city's Russian and Ukrainian names share one stem (analyze.ts EXCEPTIONS): the
    // exact form ranks first, the other language's article follows.
    expect(ids(await index.search('Києві'))).toEqual(['uk-1', 'ru-6']);
    expect(ids(await index.search('Київ'))).toEqual(['uk-1', 'ru-6']);
    expect(ids(await index.search('Львові'))).toEqual(['uk-2']);
    expect(ids(await index.search('Одеси'))).toEqual(['uk-3']);
    expect(ids(await index.search('Киеве'))).toEqual(['ru-6', 'uk-1']);
    // ru-1 has "станцию" twice-ish in title and body; the exact word outranks the stem match.
    const exact = await index.search('цены');
    expect(ids(exact)[0]).toBe('ru-10');
  });

  it('treats ё and е alike, and apostrophe variants alike', async () => {
    expect(ids(await index.search('елки'))).toEqual(['ru-5']);
    expect(ids(await index.search('учёные'))).toEqual(expect.arrayContaining(['ru-4', 'ru-5']));
    expect(ids(await index.search('ученые'))).toEqual(expect.arrayContaining(['ru-4', 'ru-5']));
    for (const q of ['м’ясо', "м'ясо", 'мʼясо', 'мясо'])
      expect(ids(await index.search(q))).toEqual(['uk-2']);
  });

  it('tolerates typos by word length', async () => {
    const typo = await index.search('смартфн');
    expect(typo.total).toBe(0);
    const en = await index.search('smartphne');
    expect(ids(en)).toEqual(expect.arrayContaining(['en-3', 'en-4']));
    expect(en.corrections).toEqual([{ from: 'smartphne', to: 'smartphone', kind: 'typo' }]);
    // Under five letters nothing is tolerated.
    expect((await index.search('mets ')).total).toBe(0);
    // Nine letters and more: two edits.
    // A Latin spelling one letter off its transliteration is a typo of a Cyrillic word.
    const latin = await index.search('konferencia');
    expect(ids(latin)).toEqual(['ru-6']);
    expect(latin.corrections).toEqual([
      { from: 'konferencia', to: 'конференция', kind: 'transliteration' },
    ]);
    expect(ids(await index.search('конферецния'))).toEqual(['ru-6']);
  });

  it('completes the last word as a prefix, not the others', async () => {
    expect(ids(await index.search('станц'))).toEqual(['ru-1']);
    expect(ids(await index.search('smartph'))).toEqual(expect.arrayContaining(['en-3', 'en-4']));
    expect((await index.search('smartph ')).total).toBe(0);
    expect(ids(await index.search('oil pri'))).toEqual(['en-2']);
  });

  it('requires all words, falling back to any word', async () => {
    const all = await index.search('oil prices');
    expect(all.match).toBe('all');
    expect(ids(all)).toEqual(['en-2']);
    const any = await index.search('oil smartphone');
    expect(any.match).toBe('any');
    expect(ids(any)).toEqual(expect.arrayContaining(['en-2', 'en-3', 'en-4']));
  });

  it('reads a query typed in the wrong keyboard layout', async () => {
    const r = await index.search('ghbdtn');
    expect(ids(r)).toEqual(['ru-7']);
    expect(r.corrections).toEqual([{ from: 'ghbdtn', to: 'привет', kind: 'layout' }]);
  });

  it('finds Cyrillic articles from a Latin transliteration of a name', async () => {
    const r = await index.search('sobyanin');
    expect(ids(r)).toEqual(['ru-1']);
    expect(r.corrections).toEqual([{ from: 'sobyanin', to: 'собянин', kind: 'transliteration' }]);
    const both = await index.search('lukashenko');
    expect(ids(both)).toEqual(expect.arrayContaining(['ru-3', 'en-6']));
  });

  it('filters by section, language, source and date', async () => {
    expect(ids(await index.search('цены', { section: 'economy', lang: 'ru' }))).toEqual(
      ['ru-8', 'ru-10']
        .filter(Boolean)
        .sort((a, b) => (a === 'ru-10' ? -1 : b === 'ru-10' ? 1 : 0)),
    );
    expect(
      ids(
        await index.search('цены', {
          source: 'Экономика',
          from: Date.parse('2024-01-01T00:00:00Z'),
        }),
      ),
    ).toEqual(['ru-8']);
    expect(ids(await index.search('цены', { to: Date.parse('2024-01-01T00:00:00Z') }))).toEqual([
      'ru-10',
    ]);
    expect((await index.search('цены', { lang: 'en' })).total).toBe(0);
  });

  it('blends recency into the score and sorts by date on request', async () => {
    const newest = await index.search('smartphone', { sort: 'newest' });
    expect(ids(newest)).toEqual(['en-3', 'en-4']);
    // en-7 and en-8 are the same story half a year apart.
    const storm = await index.search('storm schools');
    expect(ids(storm)).toEqual(['en-7', 'en-8']);
    expect(storm.hits[0]?.score).toBeGreaterThan((storm.hits[1]?.score ?? 0) * 1.2);
  });

  it('returns highlights as ranges into the title and snippet', async () => {
    const r = await index.search('Москве');
    expect(r.hits.length).toBeGreaterThan(0);
    for (const hit of r.hits) {
      const title = hit.record.title;
      const words = hit.highlights.title.map((h) => title.slice(h.start, h.end).toLowerCase());
      expect(words.length).toBeGreaterThan(0);
      for (const w of words) expect(w.startsWith('москв')).toBe(true);
      for (const h of hit.highlights.snippet)
        expect(hit.snippet.slice(h.start, h.end).toLowerCase()).toMatch(/^москв|^столиц/);
    }
  });

  it('pages with offset and limit and counts the total exactly', async () => {
    const first = await index.search('в', { limit: 2 });
    const second = await index.search('в', { limit: 2, offset: 2 });
    expect(first.total).toBe(second.total);
    expect(first.total_exact).toBe(true);
    expect(new Set([...ids(first), ...ids(second)]).size).toBe(4);
  });

  it('suggests completions weighted by document count', async () => {
    const r = await index.suggest('нов');
    const counts = r.completions.map((c) => c.count);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    expect(r.completions.map((c) => c.word)).toEqual(
      expect.arrayContaining(['новую', 'новая', 'новый']),
    );
  });
});

describe('chunked index against a brute-force scan', () => {
  const words = [
    'москва',
    'москве',
    'київ',
    'києві',
    'нефть',
    'нефти',
    'oil',
    'prices',
    'price',
    'школа',
    'школи',
    'выборы',
  ];
  const article = fc.record({
    lang: fc.constantFrom('ru', 'uk', 'en'),
    title: fc
      .array(fc.constantFrom(...words), { minLength: 1, maxLength: 4 })
      .map((w) => w.join(' ')),
    body: fc.array(fc.constantFrom(...words), { maxLength: 12 }).map((w) => w.join(' ')),
    day: fc.integer({ min: 1, max: 28 }),
  });
  type Generated = { lang: string; title: string; body: string; day: number };
  const articlesOf = (docs: readonly Generated[]) =>
    docs.map((d, i) =>
      toArticle({
        id: `a${i}`,
        source: 'src',
        section: 'sec',
        lang: d.lang,
        published: `2024-02-${String(d.day).padStart(2, '0')}T00:00:00Z`,
        url: '',
        title: d.title,
        body: d.body,
      }),
    );

  it('finds exactly the documents whose terms or stems match every query word', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(article, { minLength: 1, maxLength: 40 }),
        fc.constantFrom(...words),
        fc.constantFrom(...words),
        async (docs, w1, w2) => {
          const articles = articlesOf(docs);
          const index = memoryIndex(buildSearchParts(articles), new PartCache(1024 * 1024));
          const q = `${w1} ${w2} `; // trailing space: no prefix expansion
          const result = await index.search(q, { limit: 100 });
          const expected = articles.filter((a) => {
            const terms = new Set(
              tokenize(`${a.title} ${a.summary} ${a.body}`).flatMap((t) => [
                t.term,
                docStemTerm(t.term, a.lang),
              ]),
            );
            return parseQuery(q).words.every(
              (w) => terms.has(w.text) || queryStemTerms(w.text).some((s) => terms.has(s)),
            );
          });
          if (result.match === 'all' && result.corrections.every((c) => c.kind === 'typo')) {
            // Every document the scan finds; any other one only through a typo neighbour
            // (a rare word also matches words one edit away, and says so in corrections).
            const found = new Set(ids(result));
            for (const a of expected) expect(found).toContain(a.id);
            for (const a of articles.filter((x) => found.has(x.id) && !expected.includes(x))) {
              const terms = tokenize(`${a.title} ${a.body}`).map((t) => t.term);
              const near = parseQuery(q).words.some((w) =>
                terms.some(
                  (t) =>
                    boundedDistance(w.text, t, maxEdits(w.text.length)) <= maxEdits(w.text.length),
                ),
              );
              expect(near).toBe(true);
            }
            expect(result.total).toBe(found.size);
          } else {
            expect(expected).toEqual([]);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
  it('ranks a lone word by impact exactly as the full scan does', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(article, { minLength: 1, maxLength: 60 }),
        fc.constantFrom(...words),
        fc.boolean(),
        fc.integer({ min: 1, max: 12 }),
        async (docs, word, prefix, limit) => {
          const articles = articlesOf(docs);
          const parts = buildSearchParts(articles);
          const q = prefix ? word.slice(0, Math.max(2, word.length - 2)) : `${word} `;
          const scan = await memoryIndex(parts, new PartCache(1024 * 1024), {
            impactOrderAbove: Infinity,
          }).search(q, { limit });
          const impact = await memoryIndex(parts, new PartCache(1024 * 1024), {
            impactOrderAbove: 0,
          }).search(q, { limit });
          expect(impact.hits.map((h) => [h.record.id, h.score])).toEqual(
            scan.hits.map((h) => [h.record.id, h.score]),
          );
          // Lists this short are counted, not extrapolated.
          expect(impact.total).toBe(scan.total);
          expect(impact.total_exact).toBe(scan.total_exact);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('part cache', () => {
  it('shares one in-flight load and evicts the least recently used beyond its budget', async () => {
    const cache = new PartCache(100);
    let loads = 0;
    const load = (bytes: number) => async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 5));
      return { value: bytes, bytes };
    };
    const [a, b] = await Promise.all([cache.get('a', load(40)), cache.get('a', load(40))]);
    expect([a, b, loads]).toEqual([40, 40, 1]);
    await cache.get('b', load(40));
    await cache.get('a', load(40)); // a is now the most recent
    await cache.get('c', load(40)); // evicts b
    expect(cache.bytes).toBe(80);
    await cache.get('a', load(40));
    expect(loads).toBe(3);
    await cache.get('b', load(40));
    expect(loads).toBe(4);
  });
});

describe('typo corrections', () => {
  it('reports every neighbour a word matched, also beside a rare word that is in the index', async () => {
    const article = (id: string, title: string) =>
      toArticle({
        id,
        source: 'src',
        section: 'sec',
        lang: 'en',
        published: '2024-02-01T00:00:00Z',
        url: '',
        title,
        body: 'Report from the city.',
      });
    const index = memoryIndex(
      buildSearchParts([
        article('a', 'Karlov speaks'),
        article('b', 'Karlow wins'),
        article('c', 'Karlow loses'),
        article('d', 'Marlow returns'),
      ]),
    );
    const rare = await index.search('karlov ');
    expect(rare.hits.map((h) => h.record.id).sort()).toEqual(['a', 'b', 'c']);
    expect(rare.corrections).toEqual([{ from: 'karlov', to: 'karlow', kind: 'typo' }]);
    const unknown = await index.search('karlox ');
    expect(unknown.corrections).toEqual([
      { from: 'karlox', to: 'karlow', kind: 'typo' },
      { from: 'karlox', to: 'karlov', kind: 'typo' },
    ]);
  });
});

describe('typo neighbours in a large vocabulary', () => {
  // 20k distinct words starting with п (about a dozen 32 KB vocabulary parts), and the
  // target near the end of that range, where the first parts of the range would miss it.
  const parts = (() => {
    let seed = 11;
    const letters = 'абвгдеклмнорсту';
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const word = () =>
      `п${Array.from({ length: 7 }, () => letters[Math.floor(random() * letters.length)]).join('')}`;
    const article = (id: string, title: string, body: string) =>
      toArticle({
        id,
        source: 'src',
        section: 'sec',
        lang: 'ru',
        published: '2024-02-01T00:00:00Z',
        url: '',
        title,
        body,
      });
    const articles = Array.from({ length: 2000 }, (_, i) =>
      article(`p${i}`, word(), Array.from({ length: 9 }, word).join(' ')),
    );
    articles.push(article('target', 'Пятиэтажка', 'Старая пятиэтажка'));
    return buildSearchParts(articles);
  })();

  it('reads the vocabulary parts around the word when its first letter spans more than it may read', async () => {
    expect(parts.filter((p) => p.part.startsWith('vocab.')).length).toBeGreaterThan(8);
    const result = await memoryIndex(parts).search('пятиэтожка ');
    expect(ids(result)).toEqual(['target']);
    expect(result.corrections).toEqual([{ from: 'пятиэтожка', to: 'пятиэтажка', kind: 'typo' }]);
  });

  it('says the scan was capped every time, also when its answer comes from the cache', async () => {
    const index = memoryIndex(parts);
    const first = await index.search('пятиэтожка ');
    const readsAfterFirst = index.reads.length;
    const second = await index.search('пятиэтожка ');
    // The second scan was answered by the cache (no part read again).
    expect(index.reads.length).toBe(readsAfterFirst);
    expect([first.total, first.total_exact]).toEqual([1, false]);
    expect([second.total, second.total_exact]).toEqual([1, false]);
  });
});

describe('engine warm-up', () => {
  it('runs every query kind over its small index, and each one finds something', async () => {
    const found = await warmUpEngine();
    expect(found).toHaveLength(9);
    for (const n of found) expect(n).toBeGreaterThan(0);
  });
});
