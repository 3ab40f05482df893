/**
 * Deduplication. Aggregated news repeats itself: the seed page lists one headline four
 * times. Three rules, in order:
 *
 * 1. Same canonical URL (tracking parameters already removed): one article.
 * 2. Same folded title (see `titleKey`) within SAME_TITLE_WINDOW: one article.
 *    For 1 and 2 the richest record is kept; copies from other sources are listed in
 *    its `duplicates` so readers can still reach them.
 * 3. Near-duplicate titles (word-set Jaccard >= NEAR_JACCARD) within NEAR_WINDOW: kept
 *    out of the feed as separate items but grouped on the article they repeat, never
 *    silently dropped.
 */
import type { Article, DuplicateRef } from './article.ts';
import { titleKey } from './normalize.ts';

const HOUR = 3_600_000;
export const SAME_TITLE_WINDOW = 48 * HOUR;
export const NEAR_WINDOW = 48 * HOUR;
/** Measured on the sample: 0.7 joins reworded copies, not different stories on one topic. */
export const NEAR_JACCARD = 0.7;
/** Titles this short are too generic to call near-duplicates ("Дни рождения"). */
const NEAR_MIN_WORDS = 4;
/** Words in more than this many titles inside the window are not used to find candidates. */
const COMMON_WORD_POSTINGS = 500;

export interface DedupResult {
  articles: Article[];
  /** Records folded into another by rule 1 or 2. */
  merged: number;
  /** Articles grouped under another by rule 3. */
  grouped: number;
}

/** How much a record carries: the richest of a set of copies is the one kept. */
export function richness(a: Article): number {
  return (
    (a.summary_from_source ? 2 : 0) +
    (a.image ? 2 : 0) +
    (a.image_credit ? 1 : 0) +
    (a.url ? 1 : 0) +
    Math.min(a.tags.length, 3) +
    Math.min(a.authors.length, 2) +
    Math.min(Math.log10(1 + a.body.length), 5)
  );
}

const isNumber = (w: string) => /^\d+$/.test(w);

/** "22 contracts" and "23 contracts" are different news, however alike the words. */
function sameNumbers(a: Set<string>, b: Set<string>): boolean {
  const na = [...a].filter(isNumber);
  const nb = [...b].filter(isNumber);
  return na.length === nb.length && na.every((n) => b.has(n));
}

const ref = (a: Article): DuplicateRef => ({
  id: a.id,
  source: a.source,
  url: a.url,
  title: a.title,
});
const time = (a: Article) => Date.parse(a.published);

/** Keeps the richest of `group`, listing the others that came from elsewhere. */
function mergeGroup(group: Article[]): Article {
  const [keep, ...rest] = [...group].sort(
    (a, b) => richness(b) - richness(a) || time(a) - time(b) || (a.id < b.id ? -1 : 1),
  );
  const seen = new Set([keep!.id]);
  const duplicates = [...keep!.duplicates];
  for (const other of rest) {
    for (const d of [ref(other), ...other.duplicates]) {
      if (seen.has(d.id)) continue;
      seen.add(d.id);
      // A copy at the very same URL from the same source adds nothing to list.
      if (d.url !== null && d.url === keep!.url && d.source === keep!.source) continue;
      duplicates.push(d);
    }
  }
  return {
    ...keep!,
    tags: [...new Set([...keep!.tags, ...rest.flatMap((r) => r.tags)])],
    duplicates,
  };
}

export function dedupe(input: readonly Article[]): DedupResult {
  let merged = 0;
  // Rule 1: same id means same canonical URL (or same source, title and time).
  const byId = new Map<string, Article[]>();
  for (const a of input) {
    const group = byId.get(a.id);
    if (group) group.push(a);
    else byId.set(a.id, [a]);
  }
  // One article per group, counting what merged away.
  const collapse = (groups: Article[][]) =>
    groups.map((g) => {
      merged += g.length - 1;
      return g.length === 1 ? g[0]! : mergeGroup(g);
    });
  const byTime = (a: Article, b: Article) => time(a) - time(b) || (a.id < b.id ? -1 : 1);
  let articles = collapse([...byId.values()]);

  // Rule 2: same folded title close in time. Sorted by time, a group is a run of
  // copies each within the window of the group's first.
  articles.sort(byTime);
  const open = new Map<string, { start: number; items: Article[] }>();
  const groups: Article[][] = [];
  for (const a of articles) {
    const key = titleKey(a.title);
    const current = open.get(key);
    if (current && time(a) - current.start <= SAME_TITLE_WINDOW) {
      current.items.push(a);
    } else {
      const group = { start: time(a), items: [a] };
      open.set(key, group);
      groups.push(group.items);
    }
  }
  articles = collapse(groups);

  // Rule 3: near-duplicates, found through an inverted index of title words over a
  // sliding time window so the cost stays near-linear in the number of articles.
  articles.sort(byTime);
  // Numbers are kept whatever their length (see sameNumbers).
  const words = articles.map(
    (a) =>
      new Set(
        titleKey(a.title)
          .split(' ')
          .filter((w) => w.length > 2 || isNumber(w)),
      ),
  );
  const leader = articles.map((_, i) => i);
  // Per word: the articles holding it, and where the time window starts in that list (a
  // moving head instead of shift(), which would copy the list on every step).
  const postings = new Map<string, { ids: number[]; head: number }>();
  let windowStart = 0;
  let grouped = 0;
  for (let i = 0; i < articles.length; i++) {
    const t = time(articles[i]!);
    while (time(articles[windowStart]!) < t - NEAR_WINDOW) windowStart++;
    const mine = words[i]!;
    if (mine.size >= NEAR_MIN_WORDS) {
      const shared = new Map<number, number>();
      for (const w of mine) {
        const list = postings.get(w);
        if (!list) continue;
        while (list.head < list.ids.length && list.ids[list.head]! < windowStart) list.head++;
        if (list.ids.length - list.head > COMMON_WORD_POSTINGS) continue;
        for (let k = list.head; k < list.ids.length; k++) {
          const j = list.ids[k]!;
          shared.set(j, (shared.get(j) ?? 0) + 1);
        }
      }
      let best = -1;
      let bestScore = 0;
      for (const [j, common] of shared) {
        const score = common / (mine.size + words[j]!.size - common);
        if (score >= NEAR_JACCARD && score > bestScore && sameNumbers(mine, words[j]!)) {
          best = j;
          bestScore = score;
        }
      }
      if (best >= 0) {
        leader[i] = leader[best]!;
        grouped++;
      }
    }
    for (const w of mine) {
      const list = postings.get(w);
      if (list) list.ids.push(i);
      else postings.set(w, { ids: [i], head: 0 });
    }
  }
  const followers = new Map<number, Article[]>();
  for (let i = 0; i < articles.length; i++) {
    if (leader[i] === i) continue;
    const list = followers.get(leader[i]!);
    if (list) list.push(articles[i]!);
    else followers.set(leader[i]!, [articles[i]!]);
  }
  const result: Article[] = [];
  for (let i = 0; i < articles.length; i++) {
    if (leader[i] !== i) continue;
    const a = articles[i]!;
    const near = followers.get(i);
    if (!near) {
      result.push(a);
      continue;
    }
    const seen = new Set([a.id, ...a.duplicates.map((d) => d.id)]);
    const extra = near
      .flatMap((n) => [ref(n), ...n.duplicates])
      .filter((d) => !seen.has(d.id) && seen.add(d.id));
    result.push({ ...a, duplicates: [...a.duplicates, ...extra] });
  }
  return { articles: result, merged, grouped };
}
