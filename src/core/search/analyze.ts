/**
 * Text analysis shared by the index build and the query: one module, so a word is cut,
 * folded and stemmed the same way on both sides (MiniSearch's `loadJSON` likewise needs
 * the very options that built the index; ours live in ./options.ts).
 *
 * - Unicode NFC, then case folding. NFC keeps й ї і ў ґ as single letters; only the stress
 *   marks U+0300/U+0301 that Russian texts sometimes carry are dropped (no blanket accent
 *   stripping). ё is folded to е (Russian writes both for the same word).
 * - Apostrophe variants ’ ʼ ‘ ` ' keep a word whole (м’ясо is one token), then are dropped
 *   from the term, so м’ясо, м'ясо and мясо are the same word.
 * - A hyphenated word yields its parts and the whole compound.
 * - Stems: Snowball (Porter2) for English and Russian, our suffix stripper for Ukrainian
 *   (ukrainian.ts: @orama/stemmers, the well-kept option, finds 89% of our word-form pairs),
 *   after an exceptions dictionary of place names the stemmers split (Київ/Києві, Киев/Киеве, ...).
 */
import snowball from './snowball.ts';
import { stemUkrainian } from './ukrainian.ts';

export type StemLang = 'ru' | 'uk' | 'en';

/** A word in its original text: `start`/`end` are UTF-16 offsets into that text. */
export interface Token {
  /** Normalised surface form (what the index stores as the exact term). */
  term: string;
  /** The parts of a hyphenated word joined (e-mail -> email); indexed, never queried. */
  compound?: true;
  start: number;
  end: number;
}

/** Prefix that marks a stem in the term space, so stems never collide with surface forms. */
export const STEM_MARK = '~';

const APOSTROPHES = /[’ʼ‘`′]/g;
/** Stress marks on Cyrillic vowels (decomposed); é in café keeps its accent. */
const STRESS_MARKS = /([аеиоуыэюяіїєАЕИОУЫЭЮЯІЇЄ])[\u0300\u0301]/g;
/** Combining marks, and the Cyrillic letters whose NFD carries a stress mark (ѐ ѝ). */
const COMBINING = /[\u0300-\u036f\u0400\u040d\u0450\u045d]/;
/** Letters or digits, joined by apostrophes or hyphens inside a word. */
const WORD =
  /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*(?:['’ʼ‘`′\u2010\u2011-][\p{L}\p{N}][\p{L}\p{N}\p{M}]*)*/gu;
const HYPHENS = /[\u2010\u2011-]/;

export function normalize(text: string): string {
  return text
    .normalize('NFD')
    .replace(STRESS_MARKS, '$1')
    .normalize('NFC')
    .toLowerCase()
    .replaceAll('ё', 'е')
    .replace(APOSTROPHES, "'");
}

/**
 * The apostrophe holds a word together while it is cut out of the text, then goes: readers
 * type м'ясо, м’ясо and мясо for the same word. Possessive `'s` carries nothing in English.
 */
function trimWord(term: string): string {
  const bare = term.endsWith("'s") && /^[a-z0-9']+$/.test(term) ? term.slice(0, -2) : term;
  return bare.replaceAll("'", '');
}

/**
 * Words of a text with their offsets. A hyphenated word gives its parts joined (marked
 * `compound`, so e-mail is found by email), then each part with its own offsets.
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  // Most text is already NFC without stress marks: then a word needs only case folding
  // (normalising every word was a fifth of the index build).
  const plain = !COMBINING.test(text) && text.normalize('NFC') === text;
  const fold = plain
    ? (word: string) => word.toLowerCase().replaceAll('ё', 'е').replace(APOSTROPHES, "'")
    : normalize;
  for (const match of text.matchAll(WORD)) {
    const raw = match[0];
    const start = match.index;
    const term = trimWord(fold(raw));
    if (term === '') continue;
    if (!HYPHENS.test(raw)) {
      tokens.push({ term, start, end: start + raw.length });
      continue;
    }
    const joined = term.replace(/[\u2010\u2011-]/g, '');
    tokens.push({ term: joined, start, end: start + raw.length, compound: true });
    let offset = 0;
    for (const part of raw.split(HYPHENS)) {
      const partTerm = trimWord(fold(part));
      if (partTerm !== '')
        tokens.push({ term: partTerm, start: start + offset, end: start + offset + part.length });
      offset += part.length + 1;
    }
  }
  return tokens;
}

const CYRILLIC = /[\u0400-\u04ff]/;
const LATIN = /[a-z]/;
const ONLY_UKRAINIAN = /[іїєґ]/;
const ONLY_RUSSIAN = /[ыэъ]/;

export function isCyrillic(term: string): boolean {
  return CYRILLIC.test(term);
}

export function isLatin(term: string): boolean {
  return LATIN.test(term) && !CYRILLIC.test(term);
}

/**
 * Place names that the stemmers cut into different stems across their cases
 * (Snowball: киев -> ки, киеве -> киев). Each form maps to one fixed stem, the same for the
 * Russian and the Ukrainian name of one city: Киеве finds У Києві, and every romanisation
 * (kyiv, kiev, kiyev, rewrite.ts) that reads as either finds both.
 */
const EXCEPTIONS: Record<StemLang, Record<string, string>> = {
  uk: Object.fromEntries([
    ...['київ', 'києва', 'києві', 'києвом', 'києве'].map((w) => [w, 'київ']),
    ...['львів', 'львова', 'львові', 'львовом', 'львове'].map((w) => [w, 'львів']),
    ...['одеса', 'одеси', 'одесі', 'одесу', 'одесою', 'одесо'].map((w) => [w, 'одес']),
    ...['харків', 'харкова', 'харкові', 'харковом'].map((w) => [w, 'харків']),
    ...['дніпро', 'дніпра', 'дніпрі', 'дніпром'].map((w) => [w, 'дніпр']),
    ...['ужгород', 'ужгорода', 'ужгороді'].map((w) => [w, 'ужгород']),
    ...['чернігів', 'чернігова', 'чернігові'].map((w) => [w, 'чернігів']),
  ]),
  ru: Object.fromEntries([
    ...['киев', 'киева', 'киеве', 'киеву', 'киевом'].map((w) => [w, 'київ']),
    ...['львов', 'львова', 'львове', 'львову', 'львовом'].map((w) => [w, 'львів']),
    ...['одесса', 'одессы', 'одессе', 'одессу', 'одессой'].map((w) => [w, 'одес']),
    ...['харьков', 'харькова', 'харькове', 'харькову', 'харьковом'].map((w) => [w, 'харків']),
    ...['орел', 'орла', 'орле', 'орлу', 'орлом'].map((w) => [w, 'орел']),
  ]),
  en: {},
};

const snowballRussian = snowball.newStemmer('russian');
const snowballEnglish = snowball.newStemmer('english');

/** A fleeting о/е before a final к or ц: котёнок/котёнка, ребёнок/ребёнку, отец/отца, ошибок/ошибка. */
const FLEETING_K = /(?<=[^аеиоуыэюяь])[ое](?=к$)/;
const FLEETING_TS = /(?<=[^аеиоуыэюяьй])е(?=ц$)/;
/** The present stem's vowel (отверга-ют, помога-ют) beside the past's bare stem (отверг-ли, помог-ли). */
const PRESENT_VOWEL = /(?<=[^аеиоуыэюяь])[ая]$/;
/** The past's -л after a stem ending in г к б п з х (отвергл-и, помогл-и, погибл-и, исчезл-и). */
const PAST_L = /(?<=[гкбпзх])л$/;
const SOFT_NK = /ньк$/;

/**
 * Snowball Russian leaves some forms of one word on different stems; three classes are
 * joined here (test/fixtures/search/morphology.json has pairs of each):
 * - the fleeting vowel of -ок/-ек/-ец (котенок -> котенок, котенка -> котенк: both котенк);
 * - verbs in -нуть whose past drops the suffix the present keeps (отвергли -> отвергл,
 *   отвергают -> отверга: both отверг);
 * - -ньк- of the diminutive beside -нёк (огонька, огонёк: both огонк).
 * Measured on the 44,803 distinct words of the first 5,000 posts of
 * ../shared/data/news-ru-telegram.jsonl.gz: 18,640 stems become 17,999 (627 stems join
 * others), nearly all inflections of one word (ошибок/ошибк, девушек/девушк,
 * прибегли/прибегают); the few false friends seen (отдал/отдаля, удал/удаля) share a root.
 */
function stemRussian(term: string): string {
  let s = snowballRussian.stem(term);
  if (s.length >= 6 && SOFT_NK.test(s)) s = `${s.slice(0, -3)}нк`;
  if (s.length >= 5 && FLEETING_K.test(s)) return s.replace(FLEETING_K, '');
  if (s.length >= 4 && FLEETING_TS.test(s)) return s.replace(FLEETING_TS, '');
  if (s.length >= 5 && PRESENT_VOWEL.test(s)) return s.slice(0, -1);
  if (s.length >= 5 && PAST_L.test(s)) return s.slice(0, -1);
  return s;
}

const STEMMERS: Record<StemLang, (term: string) => string> = {
  ru: stemRussian,
  en: (t) => snowballEnglish.stem(t),
  uk: stemUkrainian,
};

/** Stems repeat (every title of a result page is stemmed to highlight it): a bounded memo. */
const STEM_MEMO_LIMIT = 50_000;
const stemMemo: Record<StemLang, Map<string, string>> = {
  ru: new Map(),
  uk: new Map(),
  en: new Map(),
};

/** Stem of a normalised term in one language; digits and short words stay as they are. */
export function stem(term: string, lang: StemLang): string {
  const exception = EXCEPTIONS[lang][term];
  if (exception !== undefined) return exception;
  if (term.length < 3 || /\d/.test(term)) return term;
  const memo = stemMemo[lang];
  let stemmed = memo.get(term);
  if (stemmed === undefined) {
    // Apostrophes are gone by now (see trimWord), so the stemmers see plain letters.
    stemmed = STEMMERS[lang](term) || term;
    if (memo.size >= STEM_MEMO_LIMIT) memo.clear();
    memo.set(term, stemmed);
  }
  return stemmed;
}

/** Which stemmer a document's language tag picks for a term of a given script. */
export function docStemLang(docLang: string, term: string): StemLang | null {
  if (isLatin(term)) return 'en';
  if (!isCyrillic(term)) return null;
  const lang = docLang.toLowerCase().slice(0, 2);
  if (lang === 'uk' || lang === 'ru') return lang;
  if (lang === 'be') return 'ru';
  return ONLY_UKRAINIAN.test(term) ? 'uk' : 'ru';
}

/**
 * The smallest set of language tags that stem alike: documents whose tags share a group
 * get the same stem for every word (the build runs one MiniSearch per group).
 */
export function stemGroup(docLang: string): string {
  const lang = docLang.toLowerCase().slice(0, 2);
  if (lang === 'uk') return 'uk';
  if (lang === 'ru' || lang === 'be') return 'ru';
  return '*';
}

/** The languages a query word can be in, judged by its letters alone. */
export function queryStemLangs(term: string): StemLang[] {
  if (isLatin(term)) return ['en'];
  if (!isCyrillic(term)) return [];
  if (ONLY_UKRAINIAN.test(term)) return ['uk'];
  if (ONLY_RUSSIAN.test(term)) return ['ru'];
  return ['ru', 'uk'];
}

/** Index terms of one token in a document: the stem, marked, besides the surface form. */
export function docStemTerm(term: string, docLang: string): string | null {
  const lang = docStemLang(docLang, term);
  if (lang === null) return null;
  return STEM_MARK + stem(term, lang);
}

/** Stem terms (marked) a query word may match, one per language it can be in. */
export function queryStemTerms(term: string): string[] {
  return [...new Set(queryStemLangs(term).map((lang) => STEM_MARK + stem(term, lang)))];
}

/**
 * Words too common to narrow a query. Dropped from a query that has other words (never
 * from the index: a query of stop words alone still works).
 */
export const STOP_WORDS = new Set(
  (
    'и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было вот от меня еще нет о из ему ' +
    'теперь когда даже ну вдруг ли если уже или ни быть был него до вас нибудь опять уж вам ведь там потом себя ничего ей может они ' +
    'тут где есть надо ней для мы тебя их чем была сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому этого ' +
    'какой совсем ним здесь этом один почти мой тем чтобы нее были куда зачем всех никогда можно при наконец два об другой хоть после ' +
    'над больше тот через эти нас про всего них какая много разве три эту моя впрочем хорошо свою этой перед иногда лучше чуть том ' +
    'нельзя такой им более всегда конечно всю между ' +
    'і й та але що як це не на в у з із до від за по про для його її їх він вона воно вони ми ви ти я або чи ж же б би вже ще також ' +
    'the a an and or of to in on at for with by from is are was were be been it its this that as not but if into than then so'
  ).split(' '),
);
