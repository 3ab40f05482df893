/**
 * Snippets and highlights: character ranges (UTF-16 offsets, end exclusive) into the
 * returned title and snippet, never HTML, so a client marks them up its own way.
 *
 * A snippet is cut from the whole article when the route could read it (`articleText`),
 * else from the record's stored text (the first SNIPPET_SOURCE_CHARS of the summary or
 * body, format.ts): the window that holds the most query words, wherever it is.
 */
import { docStemTerm, STEM_MARK, tokenize } from './analyze.ts';
import type { DocRecord } from './format.ts';
import { hasWords, summarize } from '../content/text.ts';
import type { Article } from '../content/article.ts';

/** Longest snippet returned, in characters. */
export const SNIPPET_CHARS = 200;
/**
 * A window starts at the sentence holding its first match when that sentence starts at most
 * this many characters before it, else at a word boundary WORD_LEAD characters before.
 */
const SENTENCE_LEAD = 80;
const WORD_LEAD = 40;
/** Matches looked at to place the window (a long article naming the word 500 times needs few). */
const MAX_MATCHES = 256;

interface MatchWord {
  text: string;
  prefix: boolean;
  variants: readonly { term: string }[];
}

interface Range {
  start: number;
  end: number;
}

/** A match in a text, and which query word it is. */
interface Match extends Range {
  word: number;
}

/** Which query word (index) a normalised term of a document in `lang` is, or -1. */
export function matcher(words: readonly MatchWord[], lang: string) {
  const surfaces = new Map<string, number>();
  const stems = new Map<string, number>();
  words.forEach((word, i) => {
    for (const { term } of word.variants) {
      const into = term.startsWith(STEM_MARK) ? stems : surfaces;
      if (!into.has(term)) into.set(term, i);
    }
  });
  const prefixes = words.flatMap((w, i) => (w.prefix ? [[w.text, i] as const] : []));
  // A word shares its first two letters with its stem (the place-name exceptions too:
  // києві -> київ), so most words of a title need no stemming to be ruled out.
  const stemHeads = new Set(
    [...stems.keys()].map((s) => s.slice(STEM_MARK.length, STEM_MARK.length + 2)),
  );
  return (term: string): number => {
    const surface = surfaces.get(term);
    if (surface !== undefined) return surface;
    for (const [p, i] of prefixes) if (term.startsWith(p)) return i;
    if (!stemHeads.has(term.slice(0, 2))) return -1;
    return stems.get(docStemTerm(term, lang) ?? '') ?? -1;
  };
}

function matches(text: string, wordOf: (term: string) => number): Match[] {
  const found: Match[] = [];
  for (const token of tokenize(text)) {
    if (token.compound) continue;
    const word = wordOf(token.term);
    if (word < 0) continue;
    const last = found.at(-1);
    // Parts of one hyphenated word, or touching words, make one range.
    if (last && token.start <= last.end) last.end = Math.max(last.end, token.end);
    else found.push({ start: token.start, end: token.end, word });
    if (found.length >= MAX_MATCHES) break;
  }
  return found;
}

/**
 * The first match of the best window: the one whose following SNIPPET_CHARS - WORD_LEAD
 * characters hold the most distinct query words, then the most matches; the earliest wins
 * a tie (a lead paragraph says what the article is about).
 */
function bestStart(found: readonly Match[]): number {
  let best = 0;
  let bestScore = -1;
  for (let i = 0; i < found.length; i++) {
    const limit = found[i]!.start + SNIPPET_CHARS - WORD_LEAD;
    const distinct = new Set<number>();
    let count = 0;
    for (let j = i; j < found.length && found[j]!.end <= limit; j++) {
      distinct.add(found[j]!.word);
      count++;
    }
    const score = distinct.size * MAX_MATCHES + count;
    if (score > bestScore) {
      best = i;
      bestScore = score;
    }
  }
  return found[best]?.start ?? 0;
}

const SENTENCE_START = /[.!?…]\s+(?=\S)/g;

/** Where a window whose first match is at `first` begins: its sentence, or a word boundary. */
function windowStart(text: string, first: number): number {
  if (first < SNIPPET_CHARS / 2) return 0;
  const from = Math.max(0, first - SENTENCE_LEAD);
  SENTENCE_START.lastIndex = from;
  let sentence = -1;
  for (let m = SENTENCE_START.exec(text); m && m.index < first; m = SENTENCE_START.exec(text))
    sentence = m.index + m[0].length;
  if (sentence >= 0 && sentence <= first) return sentence;
  return Math.max(0, text.lastIndexOf(' ', first - WORD_LEAD) + 1);
}

/** The window of `text` around its best matches, with the ranges inside it. */
function cut(text: string, found: readonly Match[]): { snippet: string; ranges: Range[] } {
  if (text.length <= SNIPPET_CHARS) return { snippet: text, ranges: found.map(toRange) };
  const start = windowStart(text, bestStart(found));
  let end = Math.min(text.length, start + SNIPPET_CHARS);
  if (end < text.length) {
    const space = text.lastIndexOf(' ', end);
    if (space > start + SNIPPET_CHARS / 2) end = space;
  }
  const prefix = start > 0 ? '…' : '';
  const suffix = end < text.length && !text.slice(start, end).endsWith('…') ? '…' : '';
  const shift = prefix.length - start;
  return {
    snippet: prefix + text.slice(start, end) + suffix,
    ranges: found
      .filter((r) => r.start >= start && r.end <= end)
      .map((r) => ({ start: r.start + shift, end: r.end + shift })),
  };
}

const toRange = ({ start, end }: Range): Range => ({ start, end });

/**
 * The text a snippet may come from: the source's summary (when it wrote one) and the body,
 * on one line, without the lines that say nothing but a link. A summary made of the body's
 * first sentences would only repeat them.
 */
export function articleText(article: Pick<Article, 'summary' | 'summary_from_source' | 'body'>) {
  const parts = article.summary_from_source ? [article.summary, article.body] : [article.body];
  if (!article.body) parts.push(article.summary);
  return parts.join('\n').split('\n').filter(hasWords).join(' ').replace(/\s+/g, ' ').trim();
}

/**
 * The snippet and highlights of one hit. `whole` is the article's text (articleText): the
 * window comes from it when it holds a match; otherwise, or without it, from the stored
 * text. A stored text with no words (an old index whose summary was a bare link) gives way
 * to the whole text's first sentences.
 */
export function highlight(record: DocRecord, words: readonly MatchWord[], whole?: string) {
  const { title, text, lang } = record;
  const wordOf = matcher(words, lang);
  const titleRanges = matches(title, wordOf).map(toRange);
  if (whole !== undefined) {
    const found = matches(whole, wordOf);
    if (found.length > 0) {
      const { snippet, ranges } = cut(whole, found);
      return { snippet, highlights: { title: titleRanges, snippet: ranges } };
    }
  }
  const source = hasWords(text) || whole === undefined ? text : summarize(whole, SNIPPET_CHARS);
  const { snippet, ranges } = cut(source, matches(source, wordOf));
  return { snippet, highlights: { title: titleRanges, snippet: ranges } };
}
