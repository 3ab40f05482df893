/**
 * The query syntax of /v1/search (NewsAPI's `/everything` is the model), read once per
 * request, and the checks the index cannot make itself.
 *
 *   word            must match (as today: exact form, stem, typo neighbour; the last word
 *                   typed also as a prefix)
 *   "two words"     a phrase: its words, consecutive and in order, in one field
 *   -word, NOT word the article must not hold the word (exact form or stem)
 *   a OR b          either word; OR binds tighter than the implicit AND of the others
 *   +word, AND      accepted and ignored: every word must match anyway
 *
 * A query without any operator reads exactly as before (understand.ts parseQuery), the
 * any-word fallback and the keyboard-layout rewrite included. With an operator, the query
 * means what it says: no any-word fallback, no layout rewrite of the whole text.
 *
 * The index has no positions, so a phrase is matched as all its words (postings), then each
 * candidate is checked: the title and the snippet text of its record first, then, only if
 * the phrase is not there, the article's summary and body (read in bulk). `in=title`
 * reads the title's own posting lists where the index has them (format 2), so only its
 * phrases are checked on the title; over a format-1 index (fields merged) every word,
 * phrase and exclusion is checked on the record's title. docs/sync.md, "Query syntax", says what this guarantees
 * and what it costs.
 */
import { baseVariants, type QuerySyntax, type ParsedQuery, parseQuery } from './understand.ts';
import { STOP_WORDS, tokenize } from './analyze.ts';
import { matcher } from './highlight.ts';

export type { QuerySyntax } from './understand.ts';

/** The most words a query with operators may hold (understand.ts caps plain queries alike). */
export const MAX_SYNTAX_WORDS = 12;

/** A query the syntax cannot read; the message is what the client reads. */
export class QuerySyntaxError extends Error {
  override readonly name = 'QuerySyntaxError';
}

/** Straight and typographic double quotes open and close a phrase. */
const QUOTES = /["\u201c\u201d\u201e]/;

type Item =
  | { kind: 'words'; text: string; negative: boolean }
  | { kind: 'phrase'; text: string }
  | { kind: 'or' };

/** Splits the query into runs of words, phrases and operators (nothing tokenized yet). */
function scan(q: string): { items: Item[]; operators: boolean } {
  const items: Item[] = [];
  let operators = false;
  let negate = false;
  let i = 0;
  while (i < q.length) {
    const ch = q[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (QUOTES.test(ch)) {
      const close = q.slice(i + 1).search(QUOTES);
      // An unbalanced quote is ignored: the words after it are plain words.
      if (close === -1) {
        i++;
        continue;
      }
      if (negate)
        throw new QuerySyntaxError(
          'excludes a phrase: exclude single words (-word), a phrase cannot be excluded',
        );
      items.push({ kind: 'phrase', text: q.slice(i + 1, i + 1 + close) });
      operators = true;
      i += close + 2;
      continue;
    }
    let end = i;
    while (end < q.length && !/\s/.test(q[end]!) && !QUOTES.test(q[end]!)) end++;
    const run = q.slice(i, end);
    i = end;
    if (run === 'OR') {
      items.push({ kind: 'or' });
      operators = true;
    } else if (run === 'AND') {
      operators = true;
    } else if (run === 'NOT' || run === '-') {
      operators = true;
      negate = true;
      continue;
    } else if (run.startsWith('-')) {
      operators = true;
      items.push({ kind: 'words', text: run.slice(1), negative: true });
    } else {
      items.push({ kind: 'words', text: run, negative: negate });
    }
    negate = false;
  }
  if (negate) throw new QuerySyntaxError('ends in NOT or -: name the word to exclude after it');
  return { items, operators };
}

/** The words of a text as the index cuts them (hyphenated words as their parts). */
const termsOf = (text: string) =>
  tokenize(text)
    .filter((t) => !t.compound)
    .map((t) => t.term);

/**
 * Reads a query: the plain reading when it has no operator, else its words (for
 * understanding), its clauses, phrases and excluded words. Throws QuerySyntaxError.
 */
export function parseSearchQuery(q: string): ParsedQuery {
  const { items, operators } = scan(q);
  if (!operators) return parseQuery(q);

  const words: { text: string; prefix: boolean }[] = [];
  const indexOf = (text: string) => {
    const at = words.findIndex((w) => w.text === text);
    return at !== -1 ? at : words.push({ text, prefix: false }) - 1;
  };
  const clauses: number[][] = [];
  const phrases: QuerySyntax['phrases'] = [];
  const exclude: string[] = [];
  /** Plain words standing alone: dropped when stop words and other words remain. */
  const loose: { clause: number[]; term: string }[] = [];
  let joinNext = false;
  /** The clause of the last word of the run before, the left side of an OR. */
  let left: number[] | null = null;

  items.forEach((item, k) => {
    if (item.kind === 'or') {
      const previous = items[k - 1];
      const next = items[k + 1];
      if (
        previous?.kind !== 'words' ||
        previous.negative ||
        next?.kind !== 'words' ||
        next.negative
      )
        throw new QuerySyntaxError('has an OR that does not stand between two words to look for');
      joinNext = true;
      return;
    }
    const leftOfOr = left;
    left = null;
    if (item.kind === 'phrase') {
      const terms = termsOf(item.text);
      if (terms.length === 0) return;
      const content = terms.filter((t) => !STOP_WORDS.has(t));
      const required = content.length > 0 ? content : terms;
      for (const term of required) clauses.push([indexOf(term)]);
      // A phrase of one word is that word: nothing to check.
      if (terms.length > 1)
        phrases.push({ terms: terms.map((t) => (required.includes(t) ? indexOf(t) : t)) });
      return;
    }
    const terms = termsOf(item.text);
    if (item.negative) {
      // A hyphenated word is excluded as written (the index holds its joined form too).
      const joined = tokenize(item.text).find((t) => t.compound)?.term;
      exclude.push(...(joined ? [joined] : terms));
      return;
    }
    if (joinNext && (leftOfOr === null || terms.length === 0))
      throw new QuerySyntaxError('has an OR that does not stand between two words to look for');
    terms.forEach((term, t) => {
      if (joinNext && t === 0 && leftOfOr) {
        // An OR clause is never dropped as a stop word (its length is above one).
        leftOfOr.push(indexOf(term));
        left = leftOfOr;
      } else {
        const clause = [indexOf(term)];
        clauses.push(clause);
        loose.push({ clause, term });
        left = clause;
      }
    });
    joinNext = false;
  });

  // Stop words standing alone are dropped when other clauses remain (as parseQuery does).
  const drop = new Set(
    loose.filter((l) => STOP_WORDS.has(l.term) && l.clause.length === 1).map((l) => l.clause),
  );
  const content = clauses.filter((c) => !drop.has(c));
  const finalClauses = content.length > 0 ? content : clauses;
  if (finalClauses.length === 0)
    throw new QuerySyntaxError(
      exclude.length > 0
        ? 'has only excluded words: name at least one word to look for'
        : 'must contain at least one word',
    );
  // Words no clause kept (stop words dropped) are not looked up.
  const used = [...new Set(finalClauses.flat())].sort((a, b) => a - b);
  if (used.length > MAX_SYNTAX_WORDS)
    throw new QuerySyntaxError(`must contain at most ${MAX_SYNTAX_WORDS} different words`);
  const renumber = new Map(used.map((old, i) => [old, i]));
  const kept = used.map((old) => ({ ...words[old]! }));
  // The last word of the query is a prefix when it is a plain word typed up to the end.
  const last = items.at(-1);
  if (last?.kind === 'words' && !last.negative && q === q.trimEnd()) {
    const lastTerm = termsOf(last.text).at(-1);
    const at = lastTerm === undefined ? undefined : renumber.get(indexOf(lastTerm));
    const inPhrase = phrases.some((p) =>
      p.terms.some((t) => t === lastTerm || (typeof t === 'number' && renumber.get(t) === at)),
    );
    if (at !== undefined && !inPhrase) kept[at]!.prefix = true;
  }
  return {
    text: q,
    words: kept,
    syntax: {
      clauses: finalClauses.map((c) => c.map((i) => renumber.get(i)!)),
      phrases: phrases.map((p) => ({
        terms: p.terms.map((t) => (typeof t === 'number' ? renumber.get(t)! : t)),
      })),
      exclude: [...new Set(exclude)],
    },
  };
}

/** A word as matching sees it: its text and the index terms it may match. */
interface MatchWord {
  text: string;
  prefix: boolean;
  variants: readonly { term: string }[];
}

/** Where phrases occur in a text: [start, end) UTF-16 ranges, each a whole phrase. */
export function phraseRanges(
  text: string,
  phrases: QuerySyntax['phrases'],
  words: readonly MatchWord[],
  lang: string,
): { start: number; end: number }[] {
  if (phrases.length === 0 || text === '') return [];
  const tokens = tokenize(text).filter((t) => !t.compound);
  const matchers = words.map((w) => matcher([{ ...w, prefix: false }], lang));
  const found: { start: number; end: number }[] = [];
  for (const { terms } of phrases) {
    const fits = (term: string, want: number | string) =>
      typeof want === 'string' ? term === want : (matchers[want]?.(term) ?? -1) >= 0;
    for (let i = 0; i + terms.length <= tokens.length; i++) {
      if (terms.every((want, k) => fits(tokens[i + k]!.term, want)))
        found.push({ start: tokens[i]!.start, end: tokens[i + terms.length - 1]!.end });
    }
  }
  return found.sort((a, b) => a.start - b.start || b.end - a.end);
}

interface Range {
  start: number;
  end: number;
}

/** Ranges sorted, overlapping ones merged. */
function union(a: readonly Range[], b: readonly Range[]): Range[] {
  const out: Range[] = [];
  for (const r of [...a, ...b].sort((x, y) => x.start - y.start)) {
    const last = out.at(-1);
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}

/**
 * Highlights with each phrase found in the title or the snippet marked as one range (its
 * words, and what stands between them), merged with the words' own ranges.
 */
export function markPhrases<
  H extends { snippet: string; highlights: { title: Range[]; snippet: Range[] } },
>(
  record: { title: string; lang: string },
  highlighted: H,
  phrases: QuerySyntax['phrases'],
  words: readonly MatchWord[],
): H {
  if (phrases.length === 0) return highlighted;
  const { title, snippet } = highlighted.highlights;
  return {
    ...highlighted,
    highlights: {
      title: union(title, phraseRanges(record.title, phrases, words, record.lang)),
      snippet: union(snippet, phraseRanges(highlighted.snippet, phrases, words, record.lang)),
    },
  };
}

/** What the checks need of a candidate. */
export interface CheckedRecord {
  title: string;
  /** The snippet text the record carries (the start of the summary or body). */
  text: string;
  lang: string;
}

/** The article text past the record, for a phrase not found in the title or snippet text. */
export interface ArticleText {
  summary: string;
  body: string;
}

/**
 * The checks of one query that its postings cannot make, or null when there are none:
 * `record` answers from the record alone (true, false, or 'body' when only the article's
 * own text can tell), `body` with the article's text.
 */
export function syntaxChecks(
  syntax: QuerySyntax | undefined,
  words: readonly MatchWord[],
  within: 'all' | 'title' = 'all',
  /** `any`: the any-word fallback of a plain query, where one clause is enough. */
  mode: 'all' | 'any' = 'all',
  /**
   * `in=title` over title postings (format 2): they decided the words and exclusions, and
   * only a phrase (the index has no positions) is left to check on the title.
   */
  titlePostings = false,
): {
  record: (r: CheckedRecord) => boolean | 'body';
  body: (r: CheckedRecord, text: ArticleText) => boolean;
} | null {
  const phrases = syntax?.phrases ?? [];
  if (within === 'all' && phrases.length === 0) return null;
  const clauses = syntax?.clauses ?? words.map((_, i) => [i]);
  const excluded = (syntax?.exclude ?? []).map((text) => ({
    text,
    prefix: false,
    variants: baseVariants(text),
  }));
  const hasPhrases = (text: string, lang: string) =>
    phrases.every((p) => phraseRanges(text, [p], words, lang).length > 0);
  if (within === 'title' && titlePostings) {
    if (phrases.length === 0) return null;
    return { record: ({ title, lang }) => hasPhrases(title, lang), body: () => false };
  }
  if (within === 'title') {
    return {
      record({ title, lang }) {
        const terms = termsOf(title);
        const matchers = words.map((w) => matcher([w], lang));
        const notOut = matcher(excluded, lang);
        return (
          clauses[mode === 'all' ? 'every' : 'some']((c) =>
            c.some((i) => terms.some((t) => (matchers[i]?.(t) ?? -1) >= 0)),
          ) &&
          !terms.some((t) => excluded.length > 0 && notOut(t) >= 0) &&
          hasPhrases(title, lang)
        );
      },
      body: () => false,
    };
  }
  // Every phrase must be in one field: a phrase found in the title or the snippet text is
  // there; the others need the summary and the body.
  return {
    record: ({ title, text, lang }) =>
      phrases.every(
        (p) =>
          phraseRanges(title, [p], words, lang).length > 0 ||
          phraseRanges(text, [p], words, lang).length > 0,
      ) || 'body',
    body: ({ title, lang }, { summary, body }) =>
      phrases.every((p) =>
        [title, summary, body].some((field) => phraseRanges(field, [p], words, lang).length > 0),
      ),
  };
}

/**
 * Candidates examined at most to fill a page of a checked query (twice the page when that
 * is more): the cost bound of a phrase or `in=title` query (docs/sync.md).
 */
export const MAX_CHECKED = 400;
/** Candidates examined at least (when there are that many), so small counts are exact. */
export const EXACT_UP_TO = 100;
/** Candidates whose records are read per round. */
export const CHECK_BATCH = 50;

/**
 * The first `want` candidates, in their order, that pass the checks: records read a batch
 * at a time, article texts only for those the record cannot decide, in one bulk read per
 * batch. Stops when `want` passed and EXACT_UP_TO were examined, or at the cap.
 */
export async function checkCandidates<C, R extends CheckedRecord & { id: string }>(
  candidates: readonly C[],
  want: number,
  checks: NonNullable<ReturnType<typeof syntaxChecks>>,
  read: {
    records: (batch: readonly C[]) => Promise<R[]>;
    texts: (records: readonly R[]) => Promise<(ArticleText | null)[]>;
  },
): Promise<{ passed: { candidate: C; record: R }[]; examined: number; texts: number }> {
  const passed: { candidate: C; record: R }[] = [];
  const cap = Math.min(candidates.length, Math.max(MAX_CHECKED, 2 * want));
  let examined = 0;
  let texts = 0;
  while (examined < cap && (passed.length < want || examined < EXACT_UP_TO)) {
    const batch = candidates.slice(examined, Math.min(examined + CHECK_BATCH, cap));
    const records = await read.records(batch);
    const verdicts = records.map((r) => checks.record(r));
    const unsure = records.filter((_, k) => verdicts[k] === 'body');
    const bodies = unsure.length > 0 ? await read.texts(unsure) : [];
    texts += unsure.length;
    const bodyOf = new Map(unsure.map((r, k) => [r, bodies[k] ?? null]));
    batch.forEach((candidate, k) => {
      const record = records[k]!;
      const verdict = verdicts[k];
      const text = bodyOf.get(record);
      if (verdict === true || (verdict === 'body' && text && checks.body(record, text)))
        passed.push({ candidate, record });
    });
    examined += batch.length;
  }
  return { passed, examined, texts };
}
