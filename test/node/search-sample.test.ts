/**
 * Relevance on the project's sample data (scripts/sample/news-page.jsonl), taken through
 * the content pipeline exactly as a deploy takes it, then through the search index build.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../src/core/content/pipeline.ts';
import { buildSearchParts } from '../../src/core/search/build.ts';
import { memoryIndex } from './search-helpers.ts';

const lines = readFileSync(
  new URL('../../scripts/sample/news-page.jsonl', import.meta.url).pathname,
  'utf8',
)
  .split('\n')
  .filter(Boolean);
const { articles } = runPipeline(
  lines.map((line, i) => ({
    value: JSON.parse(line) as unknown,
    origin: { file: 'news-page.jsonl', line: i + 1 },
  })),
);
const index = memoryIndex(buildSearchParts(articles));
const titles = async (q: string, params = {}) =>
  (await index.search(q, params)).hits.map((h) => h.record.title);

describe('search over the sample page', () => {
  it('finds inflected Russian forms', async () => {
    // The two near-identical headlines are grouped into one article by the pipeline.
    expect(await titles('выборах мэра Сочи')).toEqual([
      expect.stringMatching(/^Выборы мэра Сочи могут отменить/),
    ]);
    expect((await titles('выборы сочи')).length).toBe(2);
    expect(await titles('олимпиада париж')).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/Олимпиаду в Париже/),
        expect.stringMatching(/на Олимпиаде в Париже/),
      ]),
    );
    const heat = await titles('жара ');
    expect(heat).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/на жару/),
        expect.stringMatching(/из-за жары/),
        expect.stringMatching(/аномальная жара/),
      ]),
    );
  });

  it('treats ё and е alike', async () => {
    const withE = await titles('ученый приобрел квартиру');
    const withYo = await titles('учёный приобрёл квартиру');
    expect(withE).toEqual(withYo);
    expect(withE[0]).toMatch(/квартиру по льготной ипотеке/);
  });

  it('reads transliterated names and the wrong keyboard layout', async () => {
    const luka = await index.search('lukashenko');
    expect(luka.hits[0]?.record.title).toMatch(/Лукашенко/);
    expect(luka.corrections).toEqual([
      { from: 'lukashenko', to: 'лукашенко', kind: 'transliteration' },
    ]);
    const sobyanin = await titles('sobyanin');
    expect(sobyanin.every((t) => /Собянин/.test(t))).toBe(true);
    expect(sobyanin.length).toBeGreaterThanOrEqual(2);
    const layout = await index.search('vjcrdf');
    expect(layout.corrections[0]).toMatchObject({ kind: 'layout', to: 'москва' });
    expect(layout.hits.length).toBeGreaterThan(3);
  });

  it('tolerates a typo and completes a prefix', async () => {
    expect(await titles('коледжей')).toEqual(
      expect.arrayContaining([expect.stringMatching(/колледж/)]),
    );
    expect(await titles('реконстр')).toEqual([expect.stringMatching(/реконструкции/)]);
  });

  it('filters by section and language', async () => {
    const moscow = await index.search('москвы', { section: 'moscow' });
    expect(moscow.total).toBeGreaterThan(2);
    expect(moscow.hits.every((h) => h.record.section === 'moscow')).toBe(true);
    expect((await index.search('belarus', { lang: 'en' })).hits[0]?.record.title).toMatch(
      /Belarus/,
    );
    expect((await index.search('belarus', { lang: 'ru' })).total).toBe(0);
  });
});
