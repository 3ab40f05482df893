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

/**
 * How much a record carries: the richest of a set of copies is the one kept. The parts a
 * merge leaves alone (all but the tags) come first, so a compact draft of an article
 * (dedupePlan) adds its parts up in the same order, to the same float.
 */
export function richness(a: Article): number {
  return richnessOf(fixedRichness(a), a.tags.length, a.authors.length, bodyRichness(a));
}

/** The part of `richness` from the summary, image, credit and URL (small integers). */
export const fixedRichness = (a: Article) =>
  (a.summary_from_source ? 2 : 0) + (a.image ? 2 : 0) + (a.image_credit ? 1 : 0) + (a.url ? 1 : 0);
export const bodyRichness = (a: Article) => Math.min(Math.log10(1 + a.body.length), 5);
const richnessOf = (fixed: number, tags: number, authors: number, body: number) =>
  fixed + Math.min(tags, 3) + Math.min(authors, 2) + body;

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

/** What the three rules decide on, for articles or for compact drafts of them (dedupePlan). */
interface DedupItem {
  id: string;
  /** Publication time, ms. */
  time: number;
  /** `titleKey` of the title. */
  key: string;
  richness: number;
}

/** The copy a group keeps first: richest, then earliest, then smallest id. */
const keepOrder = (a: DedupItem, b: DedupItem) =>
  b.richness - a.richness || a.time - b.time || (a.id < b.id ? -1 : 1);

/** Keeps the richest of `group`, listing the others that came from elsewhere. */
function mergeGroup(group: Article[]): Article {
  const items = group.map(itemOf);
  const [keep, ...rest] = group
    .map((a, i) => ({ a, item: items[i]! }))
    .sort((x, y) => keepOrder(x.item, y.item))
    .map((x) => x.a);
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
  return { ...keep!, tags: mergedTags(keep!.tags, rest), duplicates };
}

const mergedTags = (keep: readonly string[], rest: readonly { tags: readonly string[] }[]) => [
  ...new Set([...keep, ...rest.flatMap((r) => r.tags)]),
];

/** A near-duplicate leader with its followers (rule 3) listed among its duplicates. */
function withNear(a: Article, near: readonly Article[]): Article {
  const seen = new Set([a.id, ...a.duplicates.map((d) => d.id)]);
  const extra = near
    .flatMap((n) => [ref(n), ...n.duplicates])
    .filter((d) => !seen.has(d.id) && seen.add(d.id));
  return { ...a, duplicates: [...a.duplicates, ...extra] };
}

const itemOf = (a: Article): DedupItem => ({
  id: a.id,
  time: time(a),
  key: titleKey(a.title),
  richness: richness(a),
});

export function dedupe(input: readonly Article[]): DedupResult {
  const { items, merged, grouped } = dedupeItems(input, {
    item: itemOf,
    merge: mergeGroup,
    near: withNear,
  });
  return { articles: items, merged, grouped };
}

/** How the rules see and combine one kind of item. */
interface DedupOps<T> {
  item(t: T): DedupItem;
  merge(group: T[]): T;
  near(leader: T, followers: T[]): T;
}

/** The three rules over any item: articles (dedupe), or compact drafts (dedupePlan). */
function dedupeItems<T>(
  input: readonly T[],
  ops: DedupOps<T>,
): { items: T[]; merged: number; grouped: number } {
  let merged = 0;
  // Rule 1: same id means same canonical URL (or same source, title and time).
  const byId = new Map<string, T[]>();
  for (const a of input) {
    const id = ops.item(a).id;
    const group = byId.get(id);
    if (group) group.push(a);
    else byId.set(id, [a]);
  }
  // One item per group, counting what merged away; each with what the rules read of it.
  const collapse = (groups: T[][]) =>
    groups.map((g) => {
      merged += g.length - 1;
      const one = g.length === 1 ? g[0]! : ops.merge(g);
      return { one, item: ops.item(one) };
    });
  const byTime = (a: { item: DedupItem }, b: { item: DedupItem }) =>
    a.item.time - b.item.time || (a.item.id < b.item.id ? -1 : 1);
  let articles = collapse([...byId.values()]);

  // Rule 2: same folded title close in time. Sorted by time, a group is a run of
  // copies each within the window of the group's first.
  articles.sort(byTime);
  const open = new Map<string, { start: number; items: T[] }>();
  const groups: T[][] = [];
  for (const { one, item } of articles) {
    const current = open.get(item.key);
    if (current && item.time - current.start <= SAME_TITLE_WINDOW) {
      current.items.push(one);
    } else {
      const group = { start: item.time, items: [one] };
      open.set(item.key, group);
      groups.push(group.items);
    }
  }
  open.clear();
  articles = collapse(groups);

  // Rule 3: near-duplicates, found through an inverted index of title words over a
  // sliding time window so the cost stays near-linear in the number of articles.
  articles.sort(byTime);
  // Numbers are kept whatever their length (see sameNumbers). Made as the window reaches
  // an article and dropped once it has left the window: only the window's are held.
  const words: (Set<string> | null)[] = new Array<Set<string> | null>(articles.length).fill(null);
  const wordsOf = (i: number) =>
    (words[i] ??= new Set(
      articles[i]!.item.key.split(' ').filter((w) => w.length > 2 || isNumber(w)),
    ));
  const leader = articles.map((_, i) => i);
  // Per word: the articles holding it, and where the time window starts in that list (a
  // moving head instead of shift(), which would copy the list on every step).
  const postings = new Map<string, { ids: number[]; head: number }>();
  let windowStart = 0;
  let grouped = 0;
  for (let i = 0; i < articles.length; i++) {
    const t = articles[i]!.item.time;
    while (articles[windowStart]!.item.time < t - NEAR_WINDOW) words[windowStart++] = null;
    const mine = wordsOf(i);
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
        const theirs = wordsOf(j);
        const score = common / (mine.size + theirs.size - common);
        if (score >= NEAR_JACCARD && score > bestScore && sameNumbers(mine, theirs)) {
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
      if (list) {
        // The ids before the head are out of the window for good: drop them now and then.
        if (list.head > 1024 && list.head * 2 > list.ids.length) {
          list.ids = list.ids.slice(list.head);
          list.head = 0;
        }
        list.ids.push(i);
      } else postings.set(w, { ids: [i], head: 0 });
    }
  }
  const followers = new Map<number, T[]>();
  for (let i = 0; i < articles.length; i++) {
    if (leader[i] === i) continue;
    const list = followers.get(leader[i]!);
    if (list) list.push(articles[i]!.one);
    else followers.set(leader[i]!, [articles[i]!.one]);
  }
  const result: T[] = [];
  for (let i = 0; i < articles.length; i++) {
    if (leader[i] !== i) continue;
    const near = followers.get(i);
    result.push(near ? ops.near(articles[i]!.one, near) : articles[i]!.one);
  }
  return { items: result, merged, grouped };
}

/**
 * How a deduplicated article is made from the input: one record (its number), the merge of
 * a group (rules 1 and 2, `m`: the group in the order merged), or a leader with its
 * near-duplicates (rule 3, `n` and `f`). `materialize` makes the article from it.
 */
export type DedupPlan = number | { m: DedupPlan[] } | { n: DedupPlan; f: DedupPlan[] };

/**
 * What dedupePlan holds of one article instead of the article: what the rules decide on,
 * the parts of its richness, its tags (a merge unions them), and the fields its lists
 * are named by. About 200 bytes, against kilobytes for the article with its body.
 */
export interface Draft {
  id: string;
  published: string;
  key: string;
  fixed: number;
  authors: number;
  body: number;
  tags: readonly string[];
  lang: string;
  section: string;
  source: string;
  plan: DedupPlan;
}

const interned = new Map<string, string>();
/** One copy of each language, section and source string across a million drafts. */
const intern = (s: string) => {
  const known = interned.get(s);
  if (known !== undefined) return known;
  interned.set(s, s);
  return s;
};
const NO_TAGS: readonly string[] = [];

/** The draft of input article number `record`. */
export function draftOf(a: Article, record: number): Draft {
  return {
    id: a.id,
    published: a.published,
    key: titleKey(a.title),
    fixed: fixedRichness(a),
    authors: a.authors.length,
    body: bodyRichness(a),
    tags: a.tags.length ? a.tags : NO_TAGS,
    lang: intern(a.lang),
    section: intern(a.section),
    source: intern(a.source),
    plan: record,
  };
}

/**
 * A draft made by `draftOf` on another thread (a worker of the streaming build), whose
 * strings came over as copies: interned here like one made here, and numbered `record`.
 */
export function adoptDraft(d: Draft, record: number): Draft {
  return {
    ...d,
    tags: d.tags.length ? d.tags : NO_TAGS,
    lang: intern(d.lang),
    section: intern(d.section),
    source: intern(d.source),
    plan: record,
  };
}

const draftItem = (d: Draft): DedupItem => ({
  id: d.id,
  time: Date.parse(d.published),
  key: d.key,
  richness: richnessOf(d.fixed, d.tags.length, d.authors, d.body),
});

/**
 * The rules of `dedupe` over drafts: the same decisions (the same ids, order and counts) and,
 * for each resulting article, the plan that `materialize` turns into exactly the article
 * `dedupe` would give. A build of a million articles deduplicates this way without holding
 * them (scripts/lib/stream-build.ts).
 */
export function dedupePlan(drafts: readonly Draft[]): {
  drafts: Draft[];
  merged: number;
  grouped: number;
} {
  const { items, merged, grouped } = dedupeItems(drafts, {
    item: draftItem,
    merge: (group) => {
      const [keep, ...rest] = [...group].sort((a, b) => keepOrder(draftItem(a), draftItem(b)));
      const tags = mergedTags(keep!.tags, rest);
      return {
        ...keep!,
        tags: tags.length ? tags : NO_TAGS,
        plan: { m: group.map((d) => d.plan) },
      };
    },
    near: (leader, followers) => ({
      ...leader,
      plan: { n: leader.plan, f: followers.map((d) => d.plan) },
    }),
  });
  return { drafts: items, merged, grouped };
}

/** The article a plan makes, reading input articles by number. */
export function materialize(plan: DedupPlan, read: (record: number) => Article): Article {
  if (typeof plan === 'number') return read(plan);
  if ('m' in plan) return mergeGroup(plan.m.map((p) => materialize(p, read)));
  return withNear(
    materialize(plan.n, read),
    plan.f.map((p) => materialize(p, read)),
  );
}
