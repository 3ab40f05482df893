/**
 * Query rewrites that find Cyrillic articles from a query typed in Latin letters:
 * the wrong keyboard layout (ghbdtn -> привет) and transliteration (lukashenko ->
 * лукашенко), plus the bounded edit distance that typo tolerance uses.
 */

// Physical keys: the same key on a US QWERTY, Russian ЙЦУКЕН and Ukrainian keyboard.
const QWERTY = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`";
const RUSSIAN = 'йцукенгшщзхъфывапролджэячсмитьбюё';
const UKRAINIAN = "йцукенгшщзхїфівапролджєячсмитьбю'";

function keyMap(from: string, to: string): Map<string, string> {
  return new Map([...from].map((ch, i) => [ch, to[i] ?? ch]));
}

const LATIN_TO = { ru: keyMap(QWERTY, RUSSIAN), uk: keyMap(QWERTY, UKRAINIAN) };
const RUSSIAN_TO_LATIN = keyMap(RUSSIAN, QWERTY);

export type Layout = 'ru' | 'uk';

/** The text as it would read had it been typed with the Cyrillic layout on. */
export function latinToCyrillicLayout(text: string, layout: Layout): string {
  const map = LATIN_TO[layout];
  return [...text.toLowerCase()].map((ch) => map.get(ch) ?? ch).join('');
}

/** The text as it would read had it been typed with the Latin layout on. */
export function cyrillicToLatinLayout(text: string): string {
  return [...text.toLowerCase()].map((ch) => RUSSIAN_TO_LATIN.get(ch) ?? ch).join('');
}

/**
 * Latin-to-Cyrillic readings: each rule gives the Cyrillic a Latin letter group is read as,
 * with a cost (0: the reading of the systems below; 1: a rarer one). Every rule that matches
 * at a position is tried, not only the longest (kiyev is k-i-ye-v, not k-iy-e-v), and a
 * spelling's cost is the sum of its readings', plus 1 for each place a shorter rule was taken
 * where a longer one matched. Sources of the readings:
 * - BGN/PCGN 1947 for Russian (й y, ы y, е ye at the start and after vowels, ий iy, ый yy);
 * - Russia's passport table since 2013 (ICAO Doc 9303: й i, ю iu, я ia, ий ii);
 * - Ukraine's national system (Cabinet of Ministers resolution 55 of 2010, also its passports:
 *   г h, и y, і i, ї i/yi, й i/y, є ie/ye, ь and the apostrophe dropped);
 * - common English spellings (-sky, -y for -ий, kh/h, ya/ia, yu/iu, German tsch and tz).
 */
type Reading = readonly [cyrillic: string, cost: number];
const R = (...list: (string | Reading)[]): Reading[] =>
  list.map((r) => (typeof r === 'string' ? [r, 0] : r));

const RULES: ReadonlyMap<string, readonly Reading[]> = new Map([
  ['shch', R('щ')],
  // ё after a hissing consonant is o in English spellings (gorbachov, khrushchov).
  ['shcho', R('що', ['ще', 1])],
  ['cho', R('чо', ['че', 1])],
  ['sho', R('шо', ['ше', 1])],
  ['zho', R('жо', ['же', 1])],
  ['tsk', R('цк', 'цьк')],
  ['ay', R('ай')],
  ['ey', R('ей', ['еы', 1])],
  ['oy', R('ой', ['оы', 1])],
  ['uy', R('уй', ['уы', 1])],
  ['tsch', R('ч')],
  ['sch', R('щ', ['ш', 1])],
  ['tch', R('ч')],
  ['zh', R('ж')],
  ['kh', R('х')],
  ['ts', R('ц', ['ць', 1], ['тс', 1])],
  ['tz', R('ц')],
  ['ch', R('ч')],
  ['sh', R('ш')],
  ['ph', R('ф')],
  ['ck', R('к')],
  ['yu', R('ю')],
  ['iu', R('ю', ['ию', 1])],
  ['ju', R(['ю', 1])],
  ['ya', R('я')],
  ['ia', R('я', ['ия', 1])],
  ['ja', R(['я', 1])],
  ['ye', R('е', 'є', ['ые', 1])],
  ['ie', R('є', ['е', 1], ['ие', 1])],
  ['yo', R('е', ['йо', 1])],
  ['yë', R('е')],
  ['jo', R(['е', 1])],
  ['yi', R('ї', 'ий', ['ый', 1], ['иї', 1])],
  ['yy', R('ий', 'ый', ['иї', 1])],
  ['ii', R('ий', ['ии', 1], ['ії', 1])],
  ['iy', R('ий', ['ый', 1])],
  ['ij', R(['ий', 1])],
  ['sk', R('ск', 'ськ')],
  ['a', R('а')],
  ['b', R('б')],
  ['c', R('к', 'ц')],
  ['d', R('д')],
  ['e', R('е', ['э', 1], ['є', 1])],
  ['ë', R('е')],
  ['f', R('ф')],
  ['g', R('г', ['ґ', 1])],
  ['h', R('г', 'х')],
  ['i', R('и', 'і', ['ї', 1], ['й', 1])],
  ['j', R('й', ['дж', 1])],
  ['k', R('к')],
  ['l', R('л', ['ль', 1])],
  ['m', R('м')],
  ['n', R('н', ['нь', 1])],
  ['o', R('о')],
  ['p', R('п')],
  ['q', R('к')],
  ['r', R('р')],
  ['s', R('с', ['сь', 1])],
  ['t', R('т', ['ть', 1])],
  ['u', R('у')],
  ['v', R('в')],
  ['w', R('в')],
  ['x', R('кс')],
  ['y', R('и', 'ы', 'й')],
  ['z', R('з')],
  ["'", R('ь', '')],
]);
const LONGEST_RULE = Math.max(...[...RULES.keys()].map((k) => k.length));
/** A final -y after a consonant is -ий/-ый in English spellings (zelensky, navalny, grozny). */
const FINAL_Y = R('ий', 'ый', ['и', 1], ['ы', 1]);

const VOWELS = 'aeiouyë';

/** Spellings kept per position while reading a word, and returned. */
const BEAM = 32;
const MAX_SPELLINGS = 32;

/** Cyrillic spellings of a Latin word, cheapest first (ties: the order of the rules). */
export function transliterations(word: string): string[] {
  // best[i]: the cheapest spellings of word[0, i), each once.
  const best: Map<string, number>[] = Array.from({ length: word.length + 1 }, () => new Map());
  best[0]!.set('', 0);
  for (let i = 0; i < word.length; i++) {
    const here = [...best[i]!].sort((a, b) => a[1] - b[1]).slice(0, BEAM);
    if (here.length === 0) continue;
    const matched: [number, readonly Reading[]][] = [];
    for (let length = Math.min(LONGEST_RULE, word.length - i); length >= 1; length--) {
      const latin = word.slice(i, i + length);
      let readings = RULES.get(latin);
      if (latin === 'y' && i === word.length - 1 && !VOWELS.includes(word[i - 1] ?? 'a'))
        readings = FINAL_Y;
      if (readings) matched.push([length, readings]);
    }
    // A character no rule reads (a digit, a letter with a diacritic) stays as it is.
    if (matched.length === 0) matched.push([1, [[word[i]!, 0]]]);
    const longest = matched[0]![0];
    for (const [length, readings] of matched) {
      const next = best[i + length]!;
      const beforeVowel = VOWELS.includes(word[i + length] ?? '');
      for (const [spelling, cost] of here)
        for (const [cyrillic, extra] of readings) {
          // A soft sign stands before a consonant or at the end (львів, ельцин, тернопіль),
          // never before a vowel: that is я, ю, є, ї.
          if (cyrillic.endsWith('ь') && cyrillic.length > 1 && beforeVowel) continue;
          const total = cost + extra + (length < longest ? 1 : 0);
          const key = spelling + cyrillic;
          if ((next.get(key) ?? Infinity) > total) next.set(key, total);
        }
    }
  }
  return [...best[word.length]!]
    .sort((a, b) => a[1] - b[1])
    .slice(0, MAX_SPELLINGS)
    .map(([spelling]) => spelling);
}

/** Edits a word of this length may carry and still match: none under 5, 1 from 5, 2 from 9. */
export function maxEdits(length: number): number {
  return length >= 9 ? 2 : length >= 5 ? 1 : 0;
}

/** Two rows of the distance table, reused: the typo scan calls this for thousands of words. */
let rows = [new Int32Array(64), new Int32Array(64)] as const;

/** Levenshtein distance, or `max + 1` as soon as it must exceed `max`. */
export function boundedDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (rows[0].length <= b.length)
    rows = [new Int32Array(b.length + 1), new Int32Array(b.length + 1)];
  let [previous, current] = rows;
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      const value = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
      current[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > max) return max + 1;
    [previous, current] = [current, previous];
  }
  return previous[b.length] ?? max + 1;
}
