/**
 * Latin spellings of Cyrillic names and places (test/fixtures/search/romanisations.json:
 * BGN/PCGN, Russia's passports, Ukraine's national system, common English) find the
 * Cyrillic document through the engine over a real index. docs/search.md states the figures.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildSearchParts } from '../../src/core/search/build.ts';
import { memoryIndex, toArticle } from './search-helpers.ts';

interface Name {
  lang: 'ru' | 'uk';
  name: string;
  form: string;
  latin: Record<string, string[]>;
}

const { names } = JSON.parse(
  readFileSync(new URL('../fixtures/search/romanisations.json', import.meta.url).pathname, 'utf8'),
) as { names: Name[] };

/** A headline holding the name in the fixture's form (a case other than the nominative). */
const headline = (n: Name) =>
  `${n.form} — ${n.lang === 'ru' ? 'главное за день' : 'головне за день'}`;

const article = (id: string, lang: string, title: string) =>
  toArticle({
    id,
    source: 'Wire',
    section: 'world',
    lang,
    published: '2024-07-15T10:00:00Z',
    url: `https://wire.example/${id}`,
    title,
    body: '',
  });

/** An index of headlines: [id, lang, title]. */
const headlines = (docs: [string, string, string][]) =>
  memoryIndex(buildSearchParts(docs.map(([id, lang, title]) => article(id, lang, title))));

/** Shares found, measured on the fixture by this test; it fails below them. */
const FOUND = { all: 0.98, bgn: 1, passport: 1, national: 0.946, english: 0.979 };

describe('romanised names and places', () => {
  const index = memoryIndex(
    buildSearchParts(names.map((n, i) => article(`n${i}`, n.lang, headline(n)))),
  );
  const cases = names.flatMap((n, i) =>
    Object.entries(n.latin).flatMap(([system, spellings]) =>
      [...new Set(spellings)].map((q) => ({ id: `n${i}`, name: n.name, system, q })),
    ),
  );

  it(`holds at least 100 names and places (${names.length}), each with a Latin spelling`, () => {
    expect(names.length).toBeGreaterThanOrEqual(100);
    for (const n of names) expect(Object.values(n.latin).flat().length).toBeGreaterThan(0);
  });

  it('finds the Cyrillic document from the Latin spellings of every system', async () => {
    const results = await Promise.all(
      cases.map(async (c) => ({
        ...c,
        found: (await index.search(c.q)).hits.some((h) => h.record.id === c.id),
      })),
    );
    const share = (list: typeof results) => list.filter((r) => r.found).length / list.length;
    const bySystem = Object.fromEntries(
      ['bgn', 'passport', 'national', 'english'].map((s) => [
        s,
        share(results.filter((r) => r.system === s)),
      ]),
    );
    const missed = results.filter((r) => !r.found).map((r) => `${r.q} (${r.name})`);
    console.log(
      `romanisations: ${results.length - missed.length}/${results.length} found;`,
      Object.entries(bySystem)
        .map(([s, v]) => `${s} ${(v * 100).toFixed(1)}%`)
        .join(', '),
      `; missed: ${missed.join(', ')}`,
    );
    expect(share(results)).toBeGreaterThanOrEqual(FOUND.all);
    for (const [system, value] of Object.entries(bySystem))
      expect(value, system).toBeGreaterThanOrEqual(FOUND[system as keyof typeof FOUND]);
  });

  it('does not read an English word as a Cyrillic spelling Snowball cuts to a letter or two', async () => {
    // оил (oil) stems to о, a word of nearly every Russian text; киив (kyiv) to ки.
    const mixed = headlines([
      ['en', 'en', 'Oil prices rise again'],
      ['ru-1', 'ru', 'Новости о погоде'],
      ['ru-2', 'ru', 'О бюджете и ценах'],
      ['ru-3', 'ru', 'Ки-67 и другие маркеры'],
    ]);
    const oil = await mixed.search('oil');
    expect(oil.hits.map((h) => h.record.id)).toEqual(['en']);
    expect(oil.corrections).toEqual([]);
    expect((await mixed.search('kyiv')).total).toBe(0);
  });

  it('finds Київ, Києві and Киеву from kyiv, kiev and kiyev, and both Zelenskys from zelensky', async () => {
    const kyiv = headlines([
      ['uk-nom', 'uk', 'Київ готується до зими'],
      ['uk-loc', 'uk', 'У Києві відкрили новий міст'],
      ['ru-dat', 'ru', 'Киеву передали партию генераторов'],
      ['ru-zel', 'ru', 'Зеленский провёл совещание'],
      ['uk-zel', 'uk', 'Зеленський провів нараду'],
      ['other', 'ru', 'Кировская область получила гранты'],
    ]);
    const ids = async (q: string) => (await kyiv.search(q)).hits.map((h) => h.record.id).sort();
    for (const q of ['kyiv', 'kiev', 'kiyev'])
      expect(await ids(q), q).toEqual(['ru-dat', 'uk-loc', 'uk-nom']);
    expect(await ids('zelensky')).toEqual(['ru-zel', 'uk-zel']);
    // (Each reading is also rare here, so its typo neighbours are reported besides.)
    const { corrections } = await kyiv.search('zelensky');
    expect(corrections.filter((c) => c.kind === 'transliteration')).toEqual([
      { from: 'zelensky', to: 'зеленский', kind: 'transliteration' },
      { from: 'zelensky', to: 'зеленський', kind: 'transliteration' },
    ]);
  });
});
