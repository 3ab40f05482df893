import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  docStemTerm,
  normalize,
  queryStemLangs,
  queryStemTerms,
  stem,
  tokenize,
} from '../../src/core/search/analyze.ts';
import { parseQuery } from '../../src/core/search/query.ts';

describe('normalize', () => {
  it('folds case and ё, keeps й ї і ў and accents outside stress marks', () => {
    expect(normalize('ЁЛКА Йогурт Їжак Ўсё café')).toBe('елка йогурт їжак ўсе café');
    expect(normalize('за́мок')).toBe('замок');
  });
  it('unifies apostrophe variants', () => {
    expect(normalize('м’ясо мʼясо м‘ясо м`ясо')).toBe("м'ясо м'ясо м'ясо м'ясо");
  });
});

describe('tokenize', () => {
  it('keeps apostrophe words whole and gives offsets into the original text', () => {
    const text = 'Ціни на м’ясо зросли';
    const tokens = tokenize(text);
    expect(tokens.map((t) => t.term)).toEqual(['ціни', 'на', 'мясо', 'зросли']);
    const meat = tokens[2];
    expect(text.slice(meat?.start, meat?.end)).toBe('м’ясо');
  });
  it('splits hyphenated words into parts and adds the joined compound', () => {
    const tokens = tokenize('Ростов-на-Дону e-mail');
    expect(tokens.map((t) => [t.term, t.compound ?? false])).toEqual([
      ['ростовнадону', true],
      ['ростов', false],
      ['на', false],
      ['дону', false],
      ['email', true],
      ['e', false],
      ['mail', false],
    ]);
  });
  it('drops the English possessive', () => {
    expect(tokenize("BBC's report").map((t) => t.term)).toEqual(['bbc', 'report']);
  });
});

describe('stems', () => {
  it('maps place names the stemmers split to one stem', () => {
    expect(stem('києві', 'uk')).toBe(stem('київ', 'uk'));
    expect(stem('львові', 'uk')).toBe(stem('львів', 'uk'));
    expect(stem('одеси', 'uk')).toBe(stem('одеса', 'uk'));
    expect(stem('киеве', 'ru')).toBe(stem('киев', 'ru'));
  });
  it('lets the document language pick the stemmer and the query try every language it can be in', () => {
    expect(docStemTerm('країни', 'uk')).toBe('~країн');
    expect(docStemTerm('elections', 'ru')).toBe('~elect');
    expect(queryStemTerms('країни')).toEqual(['~країн']);
    expect(queryStemTerms('выборы')).toEqual(['~выбор']);
    expect(queryStemLangs('школи')).toEqual(['ru', 'uk']);
  });
});

describe('morphology recall on word-form pairs', () => {
  const pairs = JSON.parse(
    readFileSync(new URL('../fixtures/search/morphology.json', import.meta.url).pathname, 'utf8'),
  ) as Record<string, [string, string][]>;
  for (const lang of ['ru', 'uk', 'en'] as const) {
    it(`finds at least 95% of the ${lang} pairs`, () => {
      const list = pairs[lang] ?? [];
      const found = list.filter(([indexed, query]) => {
        const doc = new Set(tokenize(indexed).flatMap((t) => [t.term, docStemTerm(t.term, lang)]));
        return parseQuery(query).words.every(
          (w) => doc.has(w.text) || queryStemTerms(w.text).some((s) => doc.has(s)),
        );
      });
      expect(list.length).toBeGreaterThanOrEqual(75);
      expect(found.length / list.length).toBeGreaterThanOrEqual(0.95);
    });
  }
});
