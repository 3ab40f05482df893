/**
 * Snippets and highlights: character ranges (UTF-16 offsets, end exclusive) into the
 * returned title and snippet, never HTML, so a client marks them up its own way.
 */
import { docStemTerm, STEM_MARK, tokenize } from './analyze.ts';
import type { DocRecord } from './format.ts';

/** Longest snippet returned, in characters. */
export const SNIPPET_CHARS = 200;

interface MatchWord {
  text: string;
  prefix: boolean;
  variants: readonly { term: string }[];
}

interface Range {
  start: number;
  end: number;
}

function matcher(words: readonly MatchWord[], lang: string) {
  const surfaces = new Set<string>();
  const stems = new Set<string>();
  for (const word of words) {
    for (const { term } of word.variants) (term.startsWith(STEM_MARK) ? stems : surfaces).add(term);
  }
  const prefixes = words.filter((w) => w.prefix).map((w) => w.text);
  // A word shares its first two letters with its stem (the place-name exceptions too:
  // києві -> київ), so most words of a title need no stemming to be ruled out.
  const stemHeads = new Set([...stems].map((s) => s.slice(STEM_MARK.length, STEM_MARK.length + 2)));
  return (term: string) =>
    surfaces.has(term) ||
    prefixes.some((p) => term.startsWith(p)) ||
    (stemHeads.has(term.slice(0, 2)) && stems.has(docStemTerm(term, lang) ?? ''));
}

function ranges(text: string, matches: (term: string) => boolean): Range[] {
  const found: Range[] = [];
  for (const token of tokenize(text)) {
    if (token.compound || !matches(token.term)) continue;
    const last = found.at(-1);
    // Parts of one hyphenated word, or touching words, make one range.
    if (last && token.start <= last.end) last.end = Math.max(last.end, token.end);
    else found.push({ start: token.start, end: token.end });
  }
  return found;
}

export function highlight(record: DocRecord, words: readonly MatchWord[]) {
  const { title, text, lang } = record;
  const matches = matcher(words, lang);
  let snippet = text;
  let snippetRanges = ranges(text, matches);
  if (text.length > SNIPPET_CHARS) {
    // A window that starts a little before the first match, cut at word boundaries.
    const first = snippetRanges[0]?.start ?? 0;
    let start = first < SNIPPET_CHARS / 2 ? 0 : text.lastIndexOf(' ', first - 40) + 1;
    if (start < 0) start = 0;
    let end = Math.min(text.length, start + SNIPPET_CHARS);
    if (end < text.length) {
      const space = text.lastIndexOf(' ', end);
      if (space > start + SNIPPET_CHARS / 2) end = space;
    }
    const prefix = start > 0 ? '…' : '';
    const suffix = end < text.length && !text.slice(start, end).endsWith('…') ? '…' : '';
    snippet = prefix + text.slice(start, end) + suffix;
    const shift = prefix.length - start;
    snippetRanges = snippetRanges
      .filter((r) => r.start >= start && r.end <= end)
      .map((r) => ({ start: r.start + shift, end: r.end + shift }));
  }
  return { snippet, highlights: { title: ranges(title, matches), snippet: snippetRanges } };
}
