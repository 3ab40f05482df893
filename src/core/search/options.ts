/**
 * MiniSearch options in exactly one place: the index build (./build.ts), the ranking parity
 * test, the "MiniSearch as-is" benchmark baseline and the ads index run MiniSearch with these,
 * so tokens and terms never differ between them.
 */
import type { Options } from 'minisearch';
import { docStemTerm, stemGroup, tokenize } from './analyze.ts';
import { FIELDS } from './format.ts';

export interface IndexedDoc {
  id: number;
  title: string;
  summary: string;
  body: string;
  /** The document's language tag (articleIndexOptions stems each document by its own). */
  lang?: string;
}

/** Stems repeat a lot across a corpus; a bounded memo halves the build's stemming time. */
const STEM_MEMO_LIMIT = 200_000;

type ProcessTerm = (term: string) => string | string[];

/** Every word as its surface form and its marked stem, stemmed for one language tag. */
function termProcessor(lang: string): ProcessTerm {
  const memo = new Map<string, string | null>();
  return (term) => {
    let stemTerm = memo.get(term);
    if (stemTerm === undefined) {
      stemTerm = docStemTerm(term, lang);
      if (memo.size >= STEM_MEMO_LIMIT) memo.clear();
      memo.set(term, stemTerm);
    }
    return stemTerm === null ? term : [term, stemTerm];
  };
}

const tokenizeTerms = (text: string) => tokenize(text).map((token) => token.term);

/**
 * Options for a MiniSearch over documents of one language tag: the tag picks the stemmer
 * of Cyrillic words, and every word is indexed as its surface form and its marked stem.
 */
export function miniSearchOptions(lang: string): Options<IndexedDoc> {
  const processTerm = termProcessor(lang);
  return { fields: [...FIELDS], tokenize: tokenizeTerms, processTerm: (term) => processTerm(term) };
}

/**
 * Options for one MiniSearch over articles of every language: each document is stemmed by
 * its own `lang` (its stem group, analyze.ts stemGroup), as miniSearchOptions(lang) would.
 * MiniSearch's `add` extracts a document's id before its fields, and that is where the
 * document's stemmer is picked (node_modules/minisearch/dist/es/index.js, `add`).
 */
export function articleIndexOptions(): Options<IndexedDoc> {
  const byGroup = new Map<string, ProcessTerm>();
  let current: ProcessTerm = termProcessor('');
  return {
    fields: [...FIELDS],
    tokenize: tokenizeTerms,
    extractField(doc, field) {
      if (field === 'id') {
        const group = stemGroup(doc.lang ?? '');
        let found = byGroup.get(group);
        if (!found) {
          found = termProcessor(group);
          byGroup.set(group, found);
        }
        current = found;
      }
      return (doc as unknown as Record<string, unknown>)[field] as string;
    },
    processTerm: (term) => current(term),
  };
}
