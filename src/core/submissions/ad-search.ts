/**
 * Search within live ads: a small, changing, in-memory MiniSearch index, where MiniSearch
 * fits best. The text analysis is article search's (src/core/search: `tokenize` and the
 * stemming `processTerm` of options.ts, the query words and their stem variants of
 * understand.ts), so ads get the same stemming, prefixes and typo tolerance. Like the
 * article build, one MiniSearch per stem group (analyze.ts `stemGroup`): a document's
 * language picks the stemmer of its Cyrillic words, and MiniSearch's `processTerm` sees no
 * document. The Durable Object (src/storage/submissions/store.ts) builds it from SQLite and
 * keeps it in step with approve, edit, expiry and delete through `sync`.
 */
import MiniSearch, { type Query } from 'minisearch';
import { stemGroup } from '../search/analyze.ts';
import { miniSearchOptions } from '../search/options.ts';
import { maxEdits } from '../search/rewrite.ts';
import { baseVariants, parseQuery, type QueryWord, WEIGHTS } from '../search/understand.ts';
import { type AdRecord, isLive } from './records.ts';

interface AdDoc {
  id: string;
  title: string;
  text: string;
  location: string;
}

/** What an ad is filtered by, kept beside the index (MiniSearch's stored fields are untyped). */
interface AdMeta {
  group: string;
  category: string;
  lang: string;
  amount: number | null;
  expires_at: number;
}

export interface AdSearchQuery {
  /** Words anywhere in the ad (title, text, location). */
  q?: string | undefined;
  /** Words of the location only. */
  location?: string | undefined;
  category?: string | undefined;
  lang?: string | undefined;
  price_min?: number | undefined;
  price_max?: number | undefined;
}

/** A title word says more than a word of the text; the location is asked for by name. */
const BOOST = { title: 2, text: 1, location: 1 };
const FIELDS = ['title', 'text', 'location'];

function options(group: string) {
  // The article index's own analysis: tokenize, then each word as its surface form and stem.
  const { tokenize, processTerm } = miniSearchOptions(group);
  return {
    fields: FIELDS,
    tokenize,
    processTerm,
    // Query leaves are terms already cut and folded by parseQuery / baseVariants.
    searchOptions: { tokenize: (term: string) => [term], processTerm: (term: string) => term },
  };
}

/**
 * Every word must match (AND); a word matches as itself (a prefix while typed; one or two
 * typos when `fuzzy`) or as one of its stems.
 */
function wordsQuery(words: readonly QueryWord[], fuzzy: boolean, fields = FIELDS): Query {
  return {
    combineWith: 'AND',
    fields,
    queries: words.map((word) => ({
      combineWith: 'OR',
      queries: baseVariants(word.text).map((variant) =>
        variant.weight === WEIGHTS.exact
          ? {
              queries: [variant.term],
              prefix: word.prefix,
              fuzzy: (fuzzy && maxEdits(word.text.length)) || false,
              weights: { fuzzy: WEIGHTS.fuzzy, prefix: WEIGHTS.prefix },
            }
          : {
              queries: [variant.term],
              prefix: false,
              fuzzy: false,
              boostTerm: () => variant.weight,
            },
      ),
    })),
  };
}

function matches(meta: AdMeta | undefined, q: AdSearchQuery, now: number): boolean {
  if (meta === undefined || meta.expires_at <= now) return false;
  if (q.category !== undefined && meta.category !== q.category) return false;
  if (q.lang !== undefined && meta.lang !== q.lang) return false;
  if (q.price_min === undefined && q.price_max === undefined) return true;
  return (
    meta.amount !== null &&
    meta.amount >= (q.price_min ?? -Infinity) &&
    meta.amount <= (q.price_max ?? Infinity)
  );
}

/**
 * Ranked hit lists kept for repeated queries. The index lives in one Durable Object that
 * answers every ad search of the site, so a popular query, or the next page of one, should not
 * score every matching ad again. Any change to the index empties it.
 */
const RESULT_CACHE_ENTRIES = 128;

export class AdIndex {
  private readonly groups = new Map<string, MiniSearch<AdDoc>>();
  private readonly meta = new Map<string, AdMeta>();
  /** The earliest expiry in the index: nothing needs dropping before it. */
  private nextExpiry = Infinity;
  /** Query (its normalised JSON, the page's end included) -> its best ids; least recently used first. */
  private readonly results = new Map<string, string[]>();

  /** An index of the live ads among `records`. */
  static of(records: Iterable<AdRecord>, now: number): AdIndex {
    const index = new AdIndex();
    for (const record of records) index.sync(record.id, record, now);
    return index;
  }

  get size(): number {
    return this.meta.size;
  }

  /** Brings one ad in step with its record: added or replaced when live, else discarded. */
  sync(id: string, record: AdRecord | null, now: number): void {
    this.results.clear();
    const before = this.meta.get(id);
    if (record === null || !isLive(record, now)) {
      if (before !== undefined) this.drop(id, before);
      return;
    }
    const c = record.content;
    const meta: AdMeta = {
      group: stemGroup(c.lang),
      category: c.category,
      lang: c.lang,
      amount: c.price?.amount ?? null,
      expires_at: record.expires_at,
    };
    const doc: AdDoc = { id, title: c.title, text: c.text, location: c.location };
    if (before !== undefined && before.group === meta.group) this.group(meta.group).replace(doc);
    else {
      if (before !== undefined) this.drop(id, before);
      this.group(meta.group).add(doc);
    }
    this.meta.set(id, meta);
    this.nextExpiry = Math.min(this.nextExpiry, meta.expires_at);
  }

  /**
   * Live ads matching every word of `q` and of `location`, best first (ties: by id), from
   * `offset`. `more` says whether there are more after this page.
   */
  search(
    q: AdSearchQuery,
    now: number,
    page: { offset: number; limit: number },
  ): { ids: string[]; more: boolean } {
    this.expire(now);
    const key = JSON.stringify([
      q.q,
      q.location,
      q.category,
      q.lang,
      q.price_min,
      q.price_max,
      // A page beyond the unfuzzy hits asks for typo neighbours (below): part of the answer.
      page.offset + page.limit,
    ]);
    let ids = this.results.get(key);
    if (ids !== undefined) this.results.delete(key);
    else ids = this.ranked(q, now, page.offset + page.limit);
    this.results.set(key, ids);
    for (const old of this.results.keys()) {
      if (this.results.size <= RESULT_CACHE_ENTRIES) break;
      this.results.delete(old);
    }
    return {
      ids: ids.slice(page.offset, page.offset + page.limit),
      more: ids.length > page.offset + page.limit,
    };
  }

  /**
   * The best `wanted` live ads matching `q` (and one more, when there is one), best first;
   * typo neighbours only if fewer than `wanted` match as typed.
   */
  private ranked(q: AdSearchQuery, now: number, wanted: number): string[] {
    const parts = [
      q.q === undefined ? null : parseQuery(q.q).words,
      q.location === undefined ? null : parseQuery(q.location).words,
    ];
    if (parts.every((words) => words === null) || parts.some((words) => words?.length === 0))
      return [];
    const [text, location] = parts;
    const run = (fuzzy: boolean) => {
      const queries: Query[] = [];
      if (text) queries.push(wordsQuery(text, fuzzy));
      if (location) queries.push(wordsQuery(location, fuzzy, ['location']));
      return this.run({ combineWith: 'AND', queries }, q, now, wanted + 1);
    };
    // Typo tolerance costs most (a fuzzy walk of the term tree per word) and is needed least:
    // only when the words as typed do not fill the page (as article search asks for typo
    // neighbours only of rare words, src/core/search/understand.ts).
    let hits = run(false);
    if (hits.count < wanted) hits = run(true);
    return hits.best;
  }

  /**
   * One query over every stem group's index: the best `keep` ids, best first (ties: by id),
   * and how many matched. MiniSearch returns each group's hits sorted by score, so only the
   * head of each list is merged and sorted again, not every hit: a common word matches
   * thousands of ads, and a page shows 20 (the cache keeps ids only as far as the page
   * asked, so a popular query holds 21 ids, not thousands, until the index changes).
   */
  private run(
    query: Query,
    q: AdSearchQuery,
    now: number,
    keep: number,
  ): { best: string[]; count: number } {
    const filtered =
      q.category !== undefined ||
      q.lang !== undefined ||
      q.price_min !== undefined ||
      q.price_max !== undefined;
    const lists: { id: string; score: number }[][] = [];
    let count = 0;
    for (const mini of this.groups.values()) {
      const found = mini.search(query, {
        boost: BOOST,
        // Expired ads are dropped by `expire` before every search; the rest is the filters.
        ...(filtered ? { filter: (result) => matches(this.meta.get(result.id), q, now) } : {}),
      });
      count += found.length;
      if (found.length > 0) lists.push(found);
    }
    const head: { id: string; score: number }[] = [];
    for (const found of lists) {
      // Each list is sorted by score; ties at the cut need every hit of that score.
      let end = Math.min(found.length, keep);
      const last = found[end - 1]?.score;
      while (end < found.length && found[end]!.score === last) end++;
      for (let i = 0; i < end; i++) head.push({ id: String(found[i]!.id), score: found[i]!.score });
    }
    head.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { best: head.slice(0, keep).map((h) => h.id), count };
  }

  /** Drops the ads whose expiry has passed (they are already filtered out of every search). */
  private expire(now: number): void {
    if (now < this.nextExpiry) return;
    this.nextExpiry = Infinity;
    for (const [id, meta] of this.meta) {
      if (meta.expires_at <= now) this.drop(id, meta);
      else this.nextExpiry = Math.min(this.nextExpiry, meta.expires_at);
    }
  }

  private drop(id: string, meta: AdMeta): void {
    this.results.clear();
    this.groups.get(meta.group)?.discard(id);
    this.meta.delete(id);
  }

  private group(name: string): MiniSearch<AdDoc> {
    let mini = this.groups.get(name);
    if (mini === undefined) {
      mini = new MiniSearch<AdDoc>(options(name));
      this.groups.set(name, mini);
    }
    return mini;
  }
}
