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
 * Latin-to-Cyrillic rules, longest first; a letter with several readings branches
 * (BGN/PCGN, ISO 9 and passport spellings all occur in the wild: sobyanin, zelenskyy).
 */
const TRANSLIT: readonly [string, readonly string[]][] = [
  ['shch', ['щ']],
  ['sch', ['щ', 'ш']],
  ['zh', ['ж']],
  ['kh', ['х']],
  ['ts', ['ц', 'тс']],
  ['tz', ['ц']],
  ['ch', ['ч']],
  ['sh', ['ш']],
  ['yu', ['ю']],
  ['iu', ['ю']],
  ['ya', ['я']],
  ['ia', ['я', 'ия']],
  ['yo', ['е', 'йо']],
  ['ye', ['е', 'є', 'ые']],
  ['yi', ['ї', 'ый']],
  ['yy', ['ий', 'ый']],
  ['ij', ['ий']],
  ['iy', ['ий']],
  ['a', ['а']],
  ['b', ['б']],
  ['c', ['к', 'ц']],
  ['d', ['д']],
  ['e', ['е', 'э']],
  ['f', ['ф']],
  ['g', ['г']],
  ['h', ['х', 'г']],
  ['i', ['и', 'і']],
  ['j', ['й', 'дж']],
  ['k', ['к']],
  ['l', ['л']],
  ['m', ['м']],
  ['n', ['н']],
  ['o', ['о']],
  ['p', ['п']],
  ['q', ['к']],
  ['r', ['р']],
  ['s', ['с']],
  ['t', ['т']],
  ['u', ['у']],
  ['v', ['в']],
  ['w', ['в']],
  ['x', ['кс']],
  ['y', ['ы', 'й', 'и']],
  ['z', ['з']],
  ["'", ['ь', '']],
];

/** Cap on spellings per word: the branches multiply, the cap keeps a query's look-ups few. */
const MAX_SPELLINGS = 24;

/** Cyrillic spellings of a Latin word, most likely first (first reading of each rule). */
export function transliterations(word: string): string[] {
  let spellings = [''];
  let i = 0;
  while (i < word.length) {
    const rule = TRANSLIT.find(([latin]) => word.startsWith(latin, i));
    if (!rule) {
      spellings = spellings.map((s) => s + word[i]);
      i++;
      continue;
    }
    const [latin, readings] = rule;
    const next: string[] = [];
    for (const reading of readings) for (const s of spellings) next.push(s + reading);
    spellings = next.slice(0, MAX_SPELLINGS);
    i += latin.length;
  }
  return [...new Set(spellings)];
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
