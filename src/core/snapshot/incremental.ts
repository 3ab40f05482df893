/**
 * The next snapshot from the live one plus new articles, reading only what the new articles
 * touch: their own ids (the same URL anywhere in the archive), the unfiltered list's pages
 * around their publish times (the same or a near-duplicate title within dedup's windows),
 * and the newest pages of the lists they join. It writes the new and changed articles (a
 * revision appended), the pages from the lowest one a change reaches up to the newest, and
 * the manifest; every other value is the parent's, named again. Pure over a `KvStore`:
 * scripts/build.ts and the source poller run it.
 */
import { type Article, type ArticleSummary, toSummary } from '../content/article.ts';
import { dedupe, NEAR_WINDOW, SAME_TITLE_WINDOW } from '../content/dedup.ts';
import type { BuildStats } from '../content/pipeline.ts';
import {
  compareKeys,
  keyOf,
  listsOf,
  PAGE_SIZE,
  pageBounds,
  pageCount,
  pageOfIndex,
  seekPages,
  type SortKey,
} from '../feed/paging.ts';
import { getMany, type KvStore, parseStored } from '../lib/kv-store.ts';
import {
  type BuildBase,
  type BuiltSnapshot,
  EntryWriter,
  manifestFor,
  newestFirst,
  searchSegment,
  snapshotId,
} from './build.ts';
import { ArticleRevisions, FeedPageV2, Folded, type ManifestV2, Sections } from './format.ts';
import { moveSections } from './sections.ts';
import { articleV2Key, feedV2Key, foldedV2Key, searchKey, sectionsV2Key } from './keys.ts';
import type { SearchMeta } from '../search/format.ts';
import {
  buildSegment,
  deadDocuments,
  indexAverages,
  planMerge,
  type SegmentMeta,
  segmentArticlesToKeep,
} from '../search/segments.ts';
import { buildSearchParts, type SearchPart } from '../search/build.ts';
import { pageGeneration, revisionOf } from './publish.ts';

export interface DeltaSummary {
  /** Articles new to the archive. */
  added: number;
  /** Incoming records that joined another article (in the batch or in the archive). */
  merged: number;
  /** Archive articles rewritten (a new duplicate, a richer copy). */
  changed: number;
  /** Archive articles that joined another one and left the lists. */
  removed: number;
}

export interface IncrementalSnapshot extends BuiltSnapshot {
  summary: DeltaSummary;
  /** What the merge policy rebuilt (null: the delta was appended as a segment of its own). */
  compaction: Compaction | null;
  /** Values named again from the parent, not written. */
  reused: number;
}

const ALL = '*.*.*';

/** Reads a list's pages of the parent once each, with their sizes in bytes. */
class ParentPages {
  readonly #cache = new Map<string, Promise<{ items: ArticleSummary[]; bytes: number }>>();
  readonly store: KvStore;
  readonly parent: ManifestV2;
  constructor(store: KvStore, parent: ManifestV2) {
    this.store = store;
    this.parent = parent;
  }
  size(list: string): number {
    return this.parent.lists[list]?.[0] ?? 0;
  }
  page(list: string, page: number) {
    const runs = this.parent.lists[list];
    if (!runs) return Promise.resolve({ items: [], bytes: 0 });
    const key = feedV2Key(list, page, pageGeneration(runs, page));
    let hit = this.#cache.get(key);
    if (!hit) {
      hit = this.store.get(key).then((text) => ({
        items: parseStored(key, text, FeedPageV2)?.items ?? [],
        bytes: sizeOf(text),
      }));
      this.#cache.set(key, hit);
    }
    return hit;
  }
  /** Newest-first index of the first item strictly after `key`; the top pages are tried first. */
  async seek(list: string, key: SortKey): Promise<number> {
    const n = this.size(list);
    const top = pageCount(n) - 1;
    for (const k of [top, top - 1]) {
      if (k < 0) break;
      const { items } = await this.page(list, k);
      const first = items.findIndex((a) => compareKeys(keyOf(a), key) > 0);
      // Nothing newer is after the key (the pages above had none), so the boundary is here.
      if (first >= 0) return pageBounds(n, k)[0] + first;
    }
    return seekPages(n, async (k) => (await this.page(list, k)).items, key);
  }
}

/** A summary seen in a page, as an article dedup can compare (body and duplicates unknown). */
const light = (s: ArticleSummary): Article => {
  const { duplicate_count: _count, ...rest } = s;
  return { ...rest, body: '', duplicates: [] };
};

const iso = (ms: number) => new Date(ms).toISOString();
const utf8 = new TextEncoder();
const sizeOf = (text: string | null) => (text === null ? 0 : utf8.encode(text).length);

export async function buildIncremental(
  store: KvStore,
  base: BuildBase,
  input: { articles: readonly Article[]; stats: BuildStats },
  options: {
    builtAt?: Date;
    onProgress?: (stage: string, done: number, total: number) => void;
    /**
     * The most articles a merge may rebuild in this publish; a bigger merge waits for a
     * publish that may (the Worker's cron passes a bound that fits its KV operations).
     */
    compactUpTo?: number;
  } = {},
): Promise<IncrementalSnapshot> {
  const parent = base.parent;
  if (!parent)
    throw new Error(
      'an incremental build needs a live format-2 snapshot: publish a full build first',
    );
  const gen = base.generation;
  const epoch = parent.epoch;
  const builtAt = options.builtAt ?? new Date();
  const pages = new ParentPages(store, parent);
  const incoming = input.articles;
  const incomingIds = new Set(incoming.map((a) => a.id));

  // Every stored value of the ids involved, raw (revisions are appended to them) and as the parent holds them.
  const stored = new Map<string, { revisions: ArticleRevisions | null; bytes: number }>();
  const inParent = new Map<string, Article>();
  async function load(ids: readonly string[]) {
    const todo = ids.filter((id) => !stored.has(id));
    const values = await getMany(
      store,
      todo.map((id) => articleV2Key(epoch, id)),
    );
    for (const id of todo) {
      const key = articleV2Key(epoch, id);
      const text = values.get(key) ?? null;
      const revisions = parseStored(key, text, ArticleRevisions);
      stored.set(id, { revisions, bytes: sizeOf(text) });
      const held = revisions ? revisionOf(revisions, parent!) : null;
      if (held) inParent.set(id, held);
    }
  }
  // Rule 1 of dedup across the whole archive: an incoming id may already be there.
  await load([...incomingIds]);
  options.onProgress?.('read', incoming.length, incoming.length);

  // The archive's articles near the incoming ones in time, from the unfiltered list.
  const window = Math.max(SAME_TITLE_WINDOW, NEAR_WINDOW);
  const times = incoming.map((a) => Date.parse(a.published));
  const neighbours: Article[] = [];
  if (incoming.length > 0) {
    const newest: SortKey = [iso(Math.max(...times) + window), '\uffff'];
    const oldest = iso(Math.min(...times) - window);
    const n = pages.size(ALL);
    for (let k = pageOfIndex(n, await pages.seek(ALL, newest)); k >= 0; k--) {
      const { items } = await pages.page(ALL, k);
      for (const s of items)
        if (s.published >= oldest && !incomingIds.has(s.id)) neighbours.push(light(s));
      if (items.length === 0 || items.at(-1)!.published < oldest) break;
    }
  }

  // Which archive articles the incoming ones join (found on the light copies), then the
  // exact dedup over their full records and the incoming ones.
  const archiveIds = new Set([...neighbours.map((a) => a.id), ...inParent.keys()]);
  const probe = dedupe([...neighbours, ...inParent.values(), ...incoming]);
  const touched = new Set<string>(inParent.keys());
  for (const a of probe.articles) {
    const ids = [a.id, ...a.duplicates.map((d) => d.id)];
    if (ids.some((id) => incomingIds.has(id)))
      for (const id of ids) if (archiveIds.has(id)) touched.add(id);
  }
  await load([...touched]);
  const old = [...touched].map((id) => inParent.get(id)).filter((a): a is Article => !!a);
  const final = dedupe([...old, ...incoming]);

  const oldById = new Map(old.map((a) => [a.id, a]));
  const outIds = new Set(final.articles.map((a) => a.id));
  const added = final.articles.filter((a) => !oldById.has(a.id));
  const changed = final.articles.filter(
    (a) => oldById.has(a.id) && JSON.stringify(a) !== JSON.stringify(oldById.get(a.id)),
  );
  const removed = old.filter((a) => !outIds.has(a.id));

  const out = new EntryWriter();
  let replacedBytes = 0;
  // Articles: a revision appended (null for one that left), earlier revisions kept for older snapshots.
  const revise = (id: string, article: Article | null) => {
    const prior = stored.get(id);
    replacedBytes += prior?.bytes ?? 0;
    out.add(articleV2Key(epoch, id), { r: [...(prior?.revisions?.r ?? []), [gen, article]] });
  };
  for (const a of [...added, ...changed]) revise(a.id, a);
  for (const a of removed) revise(a.id, null);
  options.onProgress?.('articles', added.length + changed.length, added.length + changed.length);

  // Lists: per list, what leaves (by its old key) and what arrives.
  const leaving = new Map<string, Map<string, SortKey>>();
  const arriving = new Map<string, ArticleSummary[]>();
  for (const a of [...changed.map((c) => oldById.get(c.id)!), ...removed])
    for (const list of listsOf(a)) {
      const map = leaving.get(list) ?? new Map<string, SortKey>();
      map.set(a.id, keyOf(a));
      leaving.set(list, map);
    }
  for (const a of [...added, ...changed])
    for (const list of listsOf(a)) {
      const items = arriving.get(list) ?? [];
      items.push(toSummary(a));
      arriving.set(list, items);
    }
  const lists: ManifestV2['lists'] = { ...parent.lists };
  const touchedLists = new Set([...leaving.keys(), ...arriving.keys()]);
  let done = 0;
  for (const list of touchedLists) {
    const gone = leaving.get(list) ?? new Map<string, SortKey>();
    const come = arriving.get(list) ?? [];
    const keys = [...gone.values(), ...come.map(keyOf)];
    // The oldest key a change reaches: pages wholly older than it keep their items and ranks.
    const oldestKey = keys.reduce((m, k) => (compareKeys(k, m) > 0 ? k : m));
    const n = pages.size(list);
    const from = n === 0 ? 0 : Math.floor((n - (await pages.seek(list, oldestKey))) / PAGE_SIZE);
    const tail: ArticleSummary[] = [];
    const above = n === 0 ? [] : Array.from({ length: pageCount(n) - from }, (_, i) => from + i);
    for (const page of await Promise.all(above.map((k) => pages.page(list, k)))) {
      replacedBytes += page.bytes;
      for (const s of page.items) if (!gone.has(s.id)) tail.push(s);
    }
    tail.push(...come);
    tail.sort((a, b) => compareKeys(keyOf(a), keyOf(b)));
    const size = from * PAGE_SIZE + tail.length;
    if (size === 0 && list !== ALL) {
      delete lists[list];
      continue;
    }
    // The tail's pages, counted from the oldest end (ranks from * PAGE_SIZE up).
    for (let k = from; k < pageCount(size); k++) {
      const end = tail.length - (k - from) * PAGE_SIZE;
      const items = tail.slice(Math.max(0, end - PAGE_SIZE), end);
      out.add(feedV2Key(list, k, gen), { list, page: k, items });
    }
    const runs = parent.lists[list] ?? [0, 0, gen];
    const kept: number[] = [];
    for (let r = 1; r < runs.length && runs[r]! < from; r += 2) kept.push(runs[r]!, runs[r + 1]!);
    lists[list] = [size, ...kept, ...(from < pageCount(size) ? [from, gen] : [])];
    options.onProgress?.('feeds', ++done, touchedLists.size);
  }

  // Sections: the parent's counts, moved by what left and what arrived.
  let sectionsGen = parent.sections;
  if (added.length + changed.length + removed.length > 0) {
    const key = sectionsV2Key(parent.sections);
    const sections = parseStored(key, await store.get(key), Sections) ?? { sections: [] };
    sectionsGen = gen;
    out.add(
      sectionsV2Key(gen),
      moveSections(
        sections,
        [...changed.map((c) => oldById.get(c.id)!), ...removed],
        [...added, ...changed],
      ),
    );
  }
  let foldedGen = parent.folded;
  const newlyFolded = input.stats.folded ?? [];
  if (newlyFolded.length > 0) {
    const key = foldedV2Key(parent.folded);
    const prior = parseStored(key, await store.get(key), Folded)?.ids ?? [];
    const ids = [...new Set([...prior, ...newlyFolded])];
    if (ids.length > prior.length) {
      foldedGen = gen;
      out.add(foldedV2Key(gen), { ids });
    }
  }

  // Search: a delta segment over the new and changed articles, tombstoning the documents of
  // older segments they replace and those of the articles that left (src/core/search/segments.ts);
  // then the merge policy, which may rebuild some or all segments from their live articles.
  let segments = [...parent.search.segments];
  let compaction: Compaction | null = null;
  let head: BuiltSnapshot['searchHead'] = null;
  if (added.length + changed.length + removed.length > 0) {
    const read = (index: string, part: string) => store.get(searchKey(index, part));
    const base = await Promise.all(
      segments.map(async (s) => ({
        id: s.id,
        meta: JSON.parse((await read(s.id, 'meta')) ?? 'null') as SearchMeta,
      })),
    );
    const fresh = newestFirst([...added, ...changed]);
    const built = await buildSegment(fresh, { base, read, removed: removed.map((a) => a.id) });
    const merged = await compact(store, parent, base, built, fresh, {
      upTo: options.compactUpTo ?? Infinity,
      onProgress: options.onProgress,
    });
    const reuse = new Set(segments.map((s) => s.id));
    if (merged) {
      compaction = merged.compaction;
      const kept = segments.filter((s) => !merged.compaction.merged.includes(s.id));
      const segment = searchSegment(out, merged.parts, reuse);
      segments = [...kept, segment.segment];
      // A new base: the search head names it (the routes read the head of the base).
      if (kept.length === 0 && segment.meta)
        head = { index: segment.segment.id, meta: segment.meta };
    } else {
      const delta = searchSegment(out, built.parts, reuse);
      if (delta.written) segments.push(delta.segment);
    }
  }

  const stats = input.stats;
  const sectionsEntry = out.entries.find((e) => e.key === sectionsV2Key(gen));
  const id = snapshotId(builtAt, `${gen}:${parent.snapshot}:${added.map((a) => a.id).join(',')}`);
  const manifest = manifestFor({
    id,
    builtAt,
    generation: gen,
    epoch,
    parent: parent.snapshot,
    skip:
      gen > parent.generation + 1
        ? [...parent.skip, [parent.generation + 1, gen - 1]]
        : [...parent.skip],
    lists,
    sections: sectionsGen,
    folded: foldedGen,
    segments,
    tally: {
      articles: parent.counts.articles + added.length - removed.length,
      read: parent.counts.read + stats.read,
      skipped: parent.counts.skipped + stats.skipped,
      merged: parent.counts.merged + stats.merged + final.merged,
      grouped: parent.counts.grouped + stats.grouped + final.grouped,
      sections: sectionsEntry
        ? parseStored(sectionsEntry.key, sectionsEntry.value, Sections)!.sections.length
        : parent.counts.sections,
      bytes: Math.max(0, parent.counts.bytes - replacedBytes) + out.bytes,
    },
    written: { keys: out.count, bytes: out.bytes },
  });
  const counts = manifest.counts;
  return {
    id,
    builtAt: manifest.built_at,
    entries: out.entries,
    manifest,
    counts,
    // The search head is the base segment's: already the live one unless a full merge made a new base.
    searchHead: head,
    reused: manifest.written.reused,
    compaction,
    summary: {
      added: added.length,
      merged: stats.merged + stats.grouped + incoming.length - added.length,
      changed: changed.length,
      removed: removed.length,
    },
  };
}

export interface Compaction {
  /** The segments rebuilt into one (the new delta among them), oldest first. */
  merged: string[];
  /** Live articles the rebuilt segment holds. */
  articles: number;
  /** The base was kept (only the deltas were merged) or rebuilt too. */
  kind: 'deltas' | 'full';
}

/**
 * The merge policy of src/core/search/segments.ts (`planMerge`) over the parent's segments
 * plus the new delta: when it asks for a merge, the segments it names are rebuilt as one from
 * their live articles (their ids parts, less every tombstoned document), read at the revision
 * the parent holds, or taken from the delta for the new and changed ones. A merge of the
 * deltas only keeps the base, so the new segment carries the base's tombstones over from the
 * deltas it replaces; a full merge is a new base with no tombstones at all.
 */
async function compact(
  store: KvStore,
  parent: ManifestV2,
  base: readonly SegmentMeta[],
  delta: { parts: readonly SearchPart[]; meta: SearchMeta },
  fresh: readonly Article[],
  options: { upTo: number; onProgress?: ((s: string, d: number, t: number) => void) | undefined },
): Promise<{ parts: SearchPart[]; compaction: Compaction } | null> {
  const deltaId = '(new delta)';
  const all: SegmentMeta[] = [...base, { id: deltaId, meta: delta.meta }];
  const plan = planMerge(all);
  if (!plan) return null;
  const deltaParts = new Map(delta.parts.map((p) => [p.part, p.value]));
  const read = (index: string, part: string) =>
    index === deltaId
      ? Promise.resolve(deltaParts.get(part) ?? null)
      : store.get(searchKey(index, part));
  const ids = await segmentArticlesToKeep(plan.merge, all, read);
  if (ids.length > options.upTo) return null;
  const byId = new Map(fresh.map((a) => [a.id, a]));
  const older = ids.filter((id) => !byId.has(id));
  const keys = older.map((id) => articleV2Key(parent.epoch, id));
  const values = await getMany(store, keys);
  const articles = [...fresh];
  for (const key of keys) {
    const held = revisionOf(parseStored(key, values.get(key) ?? null, ArticleRevisions)!, parent);
    if (held) articles.push(held);
  }
  const kept = all.filter((s) => !plan.merge.includes(s.id));
  const progress = (done: number, total: number) => options.onProgress?.('compact', done, total);
  const dead = deadDocuments(all);
  const parts = buildSearchParts(
    newestFirst(articles),
    progress,
    kept.length === 0
      ? {}
      : {
          avgLength: indexAverages(kept),
          deletes: new Map(
            kept.flatMap((s) => {
              const docs = dead.get(s.id);
              return docs?.size ? [[s.id, [...docs].sort((a, b) => a - b)] as const] : [];
            }),
          ),
        },
  );
  return {
    parts,
    compaction: {
      merged: plan.merge.filter((id) => id !== deltaId),
      articles: articles.length,
      kind: kept.length === 0 ? 'full' : 'deltas',
    },
  };
}
