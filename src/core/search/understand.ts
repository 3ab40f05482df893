/**
 * Query understanding: what a query's words are and which index terms each may match,
 * before anything is matched or ranked (./query.ts does that).
 *
 *   parseQuery      tokenizes the text once per request (the route's schema does it, and the
 *                   prefetch and the search reuse the result)
 *   prefetchPlan    the terms parts the first round of look-ups will need
 *   understand      rewrites (keyboard layout, transliteration), completions of the last word
 *                   and typo neighbours, returned as `{ words, corrections, capped }`
 *
 * Every function that may stop at a cap says so in what it returns: nothing is carried in
 * hidden state, so a typo scan answered from the cache reports its cap as the scan did.
 */
import { isCyrillic, isLatin, queryStemTerms, STEM_MARK, STOP_WORDS, tokenize } from './analyze.ts';
import type { PartStore } from '../lib/part-cache.ts';
import {
  boundedDistance,
  cyrillicToLatinLayout,
  latinToCyrillicLayout,
  maxEdits,
  transliterations,
} from './rewrite.ts';

/** Variant weights relative to the exact word; prefix and fuzzy are MiniSearch's defaults. */
export const WEIGHTS = { exact: 1, stem: 0.7, prefix: 0.375, fuzzy: 0.45 } as const;
/** Completions of the last word that a query expands to, most frequent first. */
export const PREFIX_EXPANSIONS = 8;
/** Typo neighbours per word, nearest and most frequent first. */
export const FUZZY_EXPANSIONS = 4;
/** A word this rare (exact and stem) also matches its typo neighbours. */
export const FUZZY_BELOW_DF = 3;
/** Vocabulary parts a suggest or typo look-up may read (bounds a cold query at 1M). */
export const MAX_VOCAB_PARTS = 4;
/** Terms parts a prefix expansion may read. */
export const MAX_TERM_PARTS = 3;
export const MAX_QUERY_WORDS = 12;

/** A word of the query as typed (lower-cased, normalised); the last one may be a prefix. */
export interface QueryWord {
  text: string;
  prefix: boolean;
}

/** A query tokenized once: its text and its words. */
export interface ParsedQuery {
  text: string;
  words: readonly QueryWord[];
  /** Operators of the query (./syntax.ts): absent for a query without any. */
  syntax?: QuerySyntax;
}

/** What ./syntax.ts read in a query with operators, by index into `words`. */
export interface QuerySyntax {
  /** Every clause must match; a clause of several words is their OR. */
  clauses: number[][];
  /** Phrases: each term a required word (its index) or a stop word matched as written. */
  phrases: { terms: (number | string)[] }[];
  /** Words no result may hold (exact form or stem). */
  exclude: string[];
}

export interface Variant {
  term: string;
  weight: number;
}

/** A query word with every index term it may match, each with its weight. */
export interface Word extends QueryWord {
  variants: Variant[];
}

export interface Correction {
  from: string;
  to: string;
  kind: 'layout' | 'transliteration' | 'typo';
}

export interface Understood {
  words: Word[];
  corrections: Correction[];
  /** A completion or typo look-up stopped at its cap: more documents may match. */
  capped: boolean;
}

/** A sorted range of words with their document frequency, and whether the range is whole. */
export interface WordRange {
  words: [string, number][];
  complete: boolean;
}

/**
 * What understanding needs of an index: document frequencies and sorted ranges of terms and
 * of the vocabulary. An IndexReader is one, and so is a set of segments (./segments.ts).
 */
export interface Lexicon {
  /** Names the index in cache keys (a snapshot id, or a segment set's). */
  readonly snapshot: string;
  readonly cache: PartStore;
  lookup(term: string): Promise<{ df: number } | null>;
  termRange(from: string, to: string, maxParts: number): Promise<WordRange>;
  vocabRange(from: string, to: string, maxParts: number, around?: string): Promise<WordRange>;
}

/** The words of a query: stop words dropped when others remain, last word a prefix. */
export function parseQuery(q: string): ParsedQuery {
  const tokens = tokenize(q).filter((t) => !t.compound);
  const endsInWord =
    tokens.length > 0 && (tokens.at(-1)?.end ?? 0) === q.trimEnd().length && q === q.trimEnd();
  let words = tokens.map((t, i) => ({
    text: t.term,
    prefix: endsInWord && i === tokens.length - 1,
  }));
  const content = words.filter((w) => !STOP_WORDS.has(w.text));
  if (content.length > 0) words = words.filter((w) => !STOP_WORDS.has(w.text) || w.prefix);
  const seen = new Set<string>();
  return {
    text: q,
    words: words.filter((w) => !seen.has(w.text) && seen.add(w.text)).slice(0, MAX_QUERY_WORDS),
  };
}

export const baseVariants = (text: string): Variant[] => [
  { term: text, weight: WEIGHTS.exact },
  ...queryStemTerms(text).map((term) => ({ term, weight: WEIGHTS.stem })),
];

const withVariants = (words: readonly QueryWord[]): Word[] =>
  words.map((w) => ({ ...w, variants: baseVariants(w.text) }));

/**
 * Every term the first round of look-ups may need, for the reader to fetch at once: each
 * word's exact form and stems, the last word's completions (as a range), and for a Latin
 * query its Cyrillic readings. On a Cyrillic news site a Latin query is often Cyrillic typed
 * in the wrong layout or transliterated; the reverse (English typed in a Cyrillic layout) is
 * rare enough to cost its own round when it happens.
 */
export function prefetchPlan(query: ParsedQuery): {
  terms: string[];
  prefix?: { from: string; to: string; maxParts: number };
} {
  const words = withVariants(query.words);
  const terms = words.flatMap((w) => w.variants.map((v) => v.term));
  if (words.some((w) => isLatin(w.text))) {
    for (const layout of ['ru', 'uk'] as const)
      for (const w of withVariants(parseQuery(latinToCyrillicLayout(query.text, layout)).words))
        terms.push(...w.variants.map((v) => v.term));
    for (const w of words)
      if (isLatin(w.text))
        terms.push(...transliterations(w.text).flatMap((t) => baseVariants(t).map((v) => v.term)));
  }
  const last = words.at(-1);
  return last?.prefix && last.text.length >= 2
    ? { terms, prefix: { from: last.text, to: `${last.text}\uffff`, maxParts: MAX_TERM_PARTS } }
    : { terms };
}

interface Neighbour {
  term: string;
  distance: number;
  df: number;
}

/**
 * Completions of a word, most documents first: for a query from the terms parts (the part
 * holding the word itself holds its completions and their postings, so no extra read), for
 * suggest from the lighter vocabulary.
 */
export async function completions(
  lex: Lexicon,
  word: string,
  limit: number,
  from: 'terms' | 'vocab',
): Promise<{ words: [string, number][]; capped: boolean }> {
  const { words, complete } =
    from === 'terms'
      ? await lex.termRange(word, `${word}\uffff`, MAX_TERM_PARTS)
      : await lex.vocabRange(word, `${word}\uffff`, MAX_VOCAB_PARTS);
  return {
    words: words.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, limit),
    capped: !complete,
  };
}

/**
 * Vocabulary words within the allowed edits, same first letter (Lucene's prefix length 1).
 * The scan reads a whole first-letter range of the vocabulary: its answer, cap included, is
 * kept with the parts, so a repeated typo costs a look-up and says what the scan said.
 */
function neighbours(lex: Lexicon, word: string): Promise<{ found: Neighbour[]; capped: boolean }> {
  if (maxEdits(word.length) === 0) return Promise.resolve({ found: [], capped: false });
  return lex.cache.get(`${lex.snapshot}/near/${word}`, async () => {
    const value = await scanNeighbours(lex, word);
    return { value, bytes: 64 + value.found.length * 48 };
  });
}

async function scanNeighbours(
  lex: Lexicon,
  word: string,
): Promise<{ found: Neighbour[]; capped: boolean }> {
  const edits = maxEdits(word.length);
  const first = word.slice(0, 1);
  const { words, complete } = await lex.vocabRange(first, `${first}\uffff`, MAX_VOCAB_PARTS, word);
  const found: Neighbour[] = [];
  for (const [term, df] of words) {
    if (term === word || Math.abs(term.length - word.length) > edits) continue;
    const distance = boundedDistance(word, term, edits);
    if (distance <= edits) found.push({ term, distance, df });
  }
  found.sort((a, b) => a.distance - b.distance || b.df - a.df);
  return { found: found.slice(0, FUZZY_EXPANSIONS), capped: !complete };
}

/** Collects the caps of the look-ups one understanding made. */
class Caps {
  capped = false;
  note<T extends { capped: boolean }>(result: T): T {
    if (result.capped) this.capped = true;
    return result;
  }
}

/** Whether each word is in the index: one of its variants, or, for a word being typed, a completion. */
function known(lex: Lexicon, words: readonly Word[]): Promise<boolean[]> {
  return Promise.all(
    words.map(async (w) => {
      const found = await Promise.all(w.variants.map((v) => lex.lookup(v.term)));
      if (found.some((p) => p !== null)) return true;
      return (
        w.prefix &&
        w.text.length >= 2 &&
        (await lex.termRange(w.text, `${w.text}\uffff`, MAX_TERM_PARTS)).words.length > 0
      );
    }),
  );
}

/** Cyrillic readings of one Latin word that a query keeps (zelensky: Зеленский and Зеленський). */
const MAX_READINGS = 3;
/**
 * The shortest stem through which a reading of a Latin word of `length` letters may match.
 * Snowball cuts a spelling that is no word to almost nothing (оил -> о, киив -> ки), which
 * would match words at random (oil would find every Russian text with the word о); a name of
 * five letters or more may have a stem of two (yuriy -> юрий -> юр, as Юрия).
 * test/fixtures/search/romanisations.json: 3 everywhere loses Юрий and Юлия (6 spellings).
 */
const minReadingStem = (length: number) => (length >= 5 ? 2 : 3);

/** What a Cyrillic reading of a Latin word matches: its exact form and its stems long enough. */
const readingVariants = (term: string, latinLength: number): Variant[] =>
  baseVariants(term).filter(
    (v) =>
      !v.term.startsWith(STEM_MARK) ||
      v.term.length - STEM_MARK.length >= minReadingStem(latinLength),
  );

/**
 * The Cyrillic readings of a Latin word that the index holds, as a word or through its stem
 * (kiev reads as киев, which is in the index only as the stem of Києві and Киеву), most
 * documents first, each with that frequency.
 */
async function transliterate(
  lex: Lexicon,
  caps: Caps,
  word: string,
  allowNear: boolean,
): Promise<{ term: string; df: number }[]> {
  const spellings = transliterations(word);
  // From the terms parts, not the vocabulary: the chosen spellings' postings come with them.
  const found = await Promise.all(
    spellings.map(async (term) => {
      const terms = readingVariants(term, word.length).map((v) => v.term);
      const hits = await Promise.all(terms.map((t) => lex.lookup(t)));
      const held = terms.filter((_, i) => hits[i] !== null);
      return {
        term,
        df: Math.max(0, ...hits.map((p) => p?.df ?? 0)),
        held,
        word: hits[0] !== null,
      };
    }),
  );
  // Spellings that are words of the index first, then the cheapest: a reading that finds no
  // term the ones before it found adds nothing (конференця only finds конференция's stem).
  const seen = new Set<string>();
  const readings = [...found.filter((r) => r.word), ...found.filter((r) => !r.word)]
    .filter((r) => r.held.some((t) => !seen.has(t)) && r.held.every((t) => seen.add(t)))
    .sort((a, b) => b.df - a.df)
    .slice(0, MAX_READINGS)
    .map(({ term, df }) => ({ term, df }));
  if (readings.length > 0 || !allowNear) return readings;
  // A transliteration one letter off (navalny -> навальный) is still a match.
  for (const s of spellings.slice(0, 4)) {
    const [near] = caps.note(await neighbours(lex, s)).found;
    if (near) return [{ term: near.term, df: near.df }];
  }
  return [];
}

/** Rewrites words nothing matches: keyboard layout (whole query), then transliteration. */
async function rewrite(
  lex: Lexicon,
  caps: Caps,
  query: ParsedQuery,
  words: Word[],
  corrections: Correction[],
): Promise<Word[]> {
  const isKnown = await known(lex, words);
  // An unknown word may be a typo: start its vocabulary scan now, beside the layout check.
  words.forEach((w, i) => {
    if (!isKnown[i]) neighbours(lex, w.text).catch(() => undefined);
  });
  const latin = words.some((w) => isLatin(w.text));
  const cyrillic = words.some((w) => isCyrillic(w.text));
  // A query with operators is not retyped whole: the layout would turn its quotes into letters.
  if (latin !== cyrillic && !isKnown.every(Boolean) && !query.syntax) {
    const alternatives = latin
      ? [latinToCyrillicLayout(query.text, 'ru'), latinToCyrillicLayout(query.text, 'uk')]
      : [cyrillicToLatinLayout(query.text)];
    for (const alternative of alternatives) {
      const altWords = withVariants(parseQuery(alternative).words);
      if (altWords.length === 0) continue;
      const altKnown = await known(lex, altWords);
      if (
        altKnown.every(Boolean) &&
        altKnown.filter(Boolean).length > isKnown.filter(Boolean).length
      ) {
        corrections.push({ from: query.text.trim(), to: alternative.trim(), kind: 'layout' });
        return altWords;
      }
    }
  }
  // A Latin word also reads as a Cyrillic name (lukashenko -> лукашенко): an unknown word
  // is replaced by its transliteration, a known one gains it when the Cyrillic reading is
  // at least as common (a name, not an English word).
  const rewritten = await Promise.all(
    words.map(async (word, i) => {
      const from = word.text;
      if (!isLatin(from)) return { from, word, readings: [] };
      let readings = await transliterate(lex, caps, word.text, !isKnown[i]);
      if (isKnown[i]) {
        const own = (await lex.lookup(word.text))?.df ?? 0;
        readings = readings.filter((r) => r.df >= own);
      }
      if (readings.length === 0) return { from, word, readings };
      const variants = readings.flatMap((r) => readingVariants(r.term, from.length));
      return {
        from,
        readings,
        word: isKnown[i]
          ? { ...word, variants: [...word.variants, ...variants] }
          : { text: readings[0]!.term, prefix: false, variants },
      };
    }),
  );
  // In the order of the words, every reading that joined the query.
  for (const { from, readings } of rewritten)
    for (const r of readings) corrections.push({ from, to: r.term, kind: 'transliteration' });
  return rewritten.map((r) => r.word);
}

/** Adds completions of a word being typed, and typo neighbours of a rare or unknown word. */
async function expand(
  lex: Lexicon,
  caps: Caps,
  words: Word[],
  corrections: Correction[],
): Promise<void> {
  await Promise.all(
    words.map(async (word) => {
      const exact = await Promise.all(word.variants.map((v) => lex.lookup(v.term)));
      const df = Math.max(0, ...exact.map((p) => p?.df ?? 0));
      let completed = 0;
      if (word.prefix && word.text.length >= 2) {
        const found = caps.note(await completions(lex, word.text, PREFIX_EXPANSIONS + 1, 'terms'));
        for (const [term] of found.words) {
          if (term === word.text) continue;
          word.variants.push({ term, weight: (WEIGHTS.prefix * word.text.length) / term.length });
          completed++;
        }
      }
      // A word still being typed that has completions is not a typo (and the vocabulary
      // scan would cost a cold query another round trip).
      if (df < FUZZY_BELOW_DF && completed === 0) {
        const near = caps.note(await neighbours(lex, word.text)).found;
        for (const n of near) {
          const weight = (WEIGHTS.fuzzy * word.text.length) / (word.text.length + n.distance);
          word.variants.push({ term: n.term, weight });
          for (const stemTerm of queryStemTerms(n.term))
            word.variants.push({ term: stemTerm, weight: weight * WEIGHTS.stem });
        }
        // Every neighbour matched alongside is reported: a rare name that also matched a
        // common word one edit away would otherwise show results nothing explains.
        for (const n of near) corrections.push({ from: word.text, to: n.term, kind: 'typo' });
      }
    }),
  );
}

/** The words of a query with every term each may match, what was rewritten, and any cap hit. */
export async function understand(
  lex: Lexicon,
  query: ParsedQuery,
  /** false: no layout or transliteration rewrites (the ranking parity test compares without). */
  rewrites = true,
): Promise<Understood> {
  const caps = new Caps();
  const corrections: Correction[] = [];
  const words = rewrites
    ? await rewrite(lex, caps, query, withVariants(query.words), corrections)
    : withVariants(query.words);
  await expand(lex, caps, words, corrections);
  return {
    words: words.filter((w) => w.variants.length > 0),
    corrections,
    capped: caps.capped,
  };
}
