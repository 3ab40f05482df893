/**
 * MiniSearch options in exactly one place: the index build, the "MiniSearch as-is"
 * benchmark baseline and anything else that runs MiniSearch over articles use these, so
 * tokens and terms never differ between them.
 */
import type { Options } from 'minisearch';
import { docStemTerm, tokenize } from './analyze.ts';
import { FIELDS } from './format.ts';

export interface IndexedDoc {
  id: number;
  title: string;
  summary: string;
  body: string;
}

/** Stems repeat a lot across a corpus; a bounded memo halves the build's stemming time. */
const STEM_MEMO_LIMIT = 200_000;

/**
 * Options for a MiniSearch over documents of one language tag: the tag picks the stemmer
 * of Cyrillic words, and every word is indexed as its surface form and its marked stem.
 */
export function miniSearchOptions(lang: string): Options<IndexedDoc> {
  const memo = new Map<string, string | null>();
  return {
    fields: [...FIELDS],
    tokenize: (text) => tokenize(text).map((token) => token.term),
    processTerm(term) {
      let stemTerm = memo.get(term);
      if (stemTerm === undefined) {
        stemTerm = docStemTerm(term, lang);
        if (memo.size >= STEM_MEMO_LIMIT) memo.clear();
        memo.set(term, stemTerm);
      }
      return stemTerm === null ? term : [term, stemTerm];
    },
  };
}
