/**
 * The fixed query mix of the benchmark: one word (rare and common), two words, a prefix
 * typed so far, a typo, a filtered query, and the two rewrites other engines lack
 * (transliteration, keyboard layout). Words are common in ../shared/data's Russian news
 * and so present in the generated text too.
 */
export interface BenchQuery {
  kind:
    | 'one word'
    | 'common word'
    | 'two words'
    | 'prefix'
    | 'typo'
    | 'filter'
    | 'transliteration'
    | 'layout'
    | 'english';
  q: string;
  /** Extra query-string parameters of /v1/search. */
  params?: Record<string, string>;
}

export const QUERIES: readonly BenchQuery[] = [
  { kind: 'one word', q: 'трамп' },
  { kind: 'common word', q: 'россии' },
  { kind: 'two words', q: 'путин заявил ' },
  { kind: 'prefix', q: 'прези' },
  { kind: 'typo', q: 'презедент ' },
  { kind: 'filter', q: 'метро ', params: { lang: 'ru', from: '2024-01-01' } },
  { kind: 'english', q: 'oil prices ' },
  { kind: 'transliteration', q: 'sobyanin ' },
  { kind: 'layout', q: 'vjcrdt ' },
];

export const searchPath = (query: BenchQuery) =>
  `/v1/search?${new URLSearchParams({ q: query.q, ...query.params }).toString()}`;
