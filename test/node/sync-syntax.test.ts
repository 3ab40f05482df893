/** How src/core/search/syntax.ts reads a query: exact readings, and the plain path unchanged. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSearchQuery, QuerySyntaxError } from '../../src/core/search/syntax.ts';
import { parseQuery } from '../../src/core/search/understand.ts';

const read = (q: string) => {
  const { words, syntax } = parseSearchQuery(q);
  return { words: words.map((w) => (w.prefix ? `${w.text}*` : w.text)), syntax };
};

describe('parseSearchQuery', () => {
  it.each([
    [
      '"the old bridge" ferry',
      ['old', 'bridge', 'ferry*'],
      { clauses: [[0], [1], [2]], phrases: [{ terms: ['the', 0, 1] }], exclude: [] },
    ],
    [
      'ferry OR tunnel OR bridge market',
      ['ferry', 'tunnel', 'bridge', 'market*'],
      { clauses: [[0, 1, 2], [3]], phrases: [], exclude: [] },
    ],
    [
      '(ferry OR tunnel) -storm NOT Council',
      ['ferry', 'tunnel'],
      { clauses: [[0, 1]], phrases: [], exclude: ['storm', 'council'] },
    ],
    [
      'the ferry AND +bridge ',
      ['ferry', 'bridge'],
      { clauses: [[0], [1]], phrases: [], exclude: [] },
    ],
    [
      '“матч завершился” -e-mail',
      ['матч', 'завершился'],
      { clauses: [[0], [1]], phrases: [{ terms: [0, 1] }], exclude: ['email'] },
    ],
    ['"one" word', ['one', 'word*'], { clauses: [[0], [1]], phrases: [], exclude: [] }],
  ])('%s', (q, words, syntax) => {
    expect(read(q)).toEqual({ words, syntax });
  });

  it('reads a query without operators exactly as parseQuery (an unbalanced quote included)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('ferry', 'the', 'bridge', 'e-mail', 'or', 'a', '"', ' ', '  '), {
          maxLength: 8,
        }),
        (parts) => {
          const q = parts.join(' ');
          if ((q.match(/"/g) ?? []).length >= 2) return;
          expect(parseSearchQuery(q)).toEqual(parseQuery(q));
          // The lone quote reads as a space.
          expect(parseSearchQuery(q).words).toEqual(parseQuery(q.replaceAll('"', ' ')).words);
        },
      ),
    );
  });

  it.each([
    ['-storm', 'has only excluded words: name at least one word to look for'],
    ['OR ferry', 'has an OR that does not stand between two words to look for'],
    ['a OR "b c"', 'has an OR that does not stand between two words to look for'],
    ['- "b c" d', 'excludes a phrase: exclude single words (-word), a phrase cannot be excluded'],
    ['ferry -', 'ends in NOT or -: name the word to exclude after it'],
    ['a1 a2 a3 a4 a5 a6 a7 a8 a9 b1 b2 b3 "c d"', 'must contain at most 12 different words'],
  ])('refuses %s', (q, message) => {
    expect(() => parseSearchQuery(q)).toThrow(new QuerySyntaxError(message));
  });
});
