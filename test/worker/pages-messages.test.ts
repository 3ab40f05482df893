/**
 * The UI text (src/pages/messages.ts with Russian and Ukrainian in the Text module
 * src/pages/messages.txt): each language has every English key, plural forms follow the
 * CLDR rules, and a catalog that differs from the English shape is refused by name.
 */
import { describe, expect, it } from 'vitest';
import TRANSLATIONS from '../../src/pages/messages.txt';
import { MESSAGES, messagesOf } from '../../src/pages/messages.ts';

const catalog = () => JSON.parse(TRANSLATIONS) as { ru: Record<string, unknown> };

describe('UI messages', () => {
  it('reads Russian and Ukrainian from the Text module as UTF-8 with every English key', () => {
    expect(typeof TRANSLATIONS).toBe('string');
    for (const lang of ['ru', 'uk'] as const)
      expect(Object.keys(MESSAGES[lang]).sort()).toEqual(Object.keys(MESSAGES.en).sort());
    expect(MESSAGES.ru.adsToday).toBe('Частные объявления сегодня');
    expect(MESSAGES.uk.categories.realty).toBe('Нерухомість');
  });

  it('counts with one, few and many in Russian and Ukrainian, one and other in English', () => {
    const ns = [0, 1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111, 112];
    expect(ns.map((n) => MESSAGES.ru.alsoReported(n))).toEqual(
      ns.map((n) => {
        const form =
          n % 10 === 1 && n % 100 !== 11
            ? 'источник'
            : [2, 3, 4].includes(n % 10) && ![12, 13, 14].includes(n % 100)
              ? 'источника'
              : 'источников';
        return `также сообщают ${n} ${form}`;
      }),
    );
    expect([1, 3, 5, 21].map((n) => MESSAGES.uk.articles(n))).toEqual([
      '1 новина',
      '3 новини',
      '5 новин',
      '21 новина',
    ]);
    expect([1, 2].map((n) => MESSAGES.en.searchResultsAbout(n))).toEqual([
      'about 1 result',
      'about 2 results',
    ]);
  });

  it('refuses a catalog with a missing key, an extra key or wrong plural forms, naming it', () => {
    const missing = catalog().ru;
    delete (missing.sections as Record<string, string>).politics;
    expect(() => messagesOf('ru', missing)).toThrow(
      'src/pages/messages.txt: ru.sections has no "politics"',
    );
    expect(() => messagesOf('ru', { ...catalog().ru, tagline: 'x' })).toThrow(
      'src/pages/messages.txt: ru has "tagline", which English does not',
    );
    expect(() =>
      messagesOf('ru', { ...catalog().ru, articles: ['# новость', '# новости'] }),
    ).toThrow('src/pages/messages.txt: ru.articles must be 3 plural forms, each with #');
    expect(() => messagesOf('ru', { ...catalog().ru, home: 42 })).toThrow(
      'src/pages/messages.txt: ru.home must be a string',
    );
  });
});
