/**
 * Builds the KV values of one format-2 snapshot from normalised, deduplicated articles: the
 * full build, which starts a new epoch (every article, page and search part written by this
 * generation). `incremental.ts` builds the next snapshot from a live one instead. Pure: the
 * build script, the tests' seeding and `npm start` all go through here.
 */
import { type Article, type ArticleSummary, toSummary } from '../content/article.ts';
import {
  compareKeys,
  keyOf,
  listsOf,
  pageCount,
  pageOfIndex,
  pagesFromOldest,
} from '../feed/paging.ts';
import { articleV2Key, feedV2Key, foldedV2Key, searchKey, sectionsV2Key } from './keys.ts';
import type { KvEntry } from '../lib/kv-store.ts';
import { fnv1a64 } from '../content/normalize.ts';
import { averageLengths, SearchBuilder, type SearchPart } from '../search/build.ts';
import type { BuildStats } from '../content/pipeline.ts';
import { moveSections } from './sections.ts';
import {
  type ArticleRevisions,
  type Counts,
  type FeedPageV2,
  type ManifestV2,
  type Pointer,
  type Sections,
  SNAPSHOT_FORMAT,
} from './format.ts';

/** KV's limit is 25 MiB per value; we keep every value far below it, as Pagefind keeps its chunks small (pagefind/src/options.rs). */
export const MAX_VALUE_BYTES = 5 * 1024 * 1024;

export interface BuiltSnapshot {
  id: string;
  builtAt: string;
  /** Values this snapshot needs that do not exist yet; the manifest and pointer follow them. */
  entries: KvEntry[];
  manifest: ManifestV2;
  counts: Counts;
  /** The search meta of the snapshot's newest segment, for the search head (publish.ts). */
  searchHead: { index: string; meta: string } | null;
}

/** Where a build starts: the generation handed to it, and the snapshot it follows (if any). */
export interface BuildBase {
  generation: number;
  parent: ManifestV2 | null;
}

export function snapshotId(builtAt: Date, fingerprint: string): string {
  const stamp = builtAt
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${fnv1a64(fingerprint).slice(0, 8)}`;
}

const utf8 = new TextEncoder();

/**
 * 64 bits of content hash, as two 32-bit FNV-1a over the UTF-16 code units with different
 * offsets (the BigInt fnv1a64 of normalize.ts is ~50x slower on the megabytes of a search
 * index). Names search indexes by content: the same articles give the same index id.
 */
export function contentHash(parts: Iterable<string>): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (const text of parts) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193) >>> 0;
      b = Math.imul(b ^ c, 0x01000193) >>> 0;
      b = (b ^ (b >>> 15)) >>> 0;
    }
    // A separator, so ["ab", "c"] and ["a", "bc"] differ.
    a = Math.imul(a ^ 0xff, 0x01000193) >>> 0;
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}

/** Collects entries with their sizes, refusing any value over MAX_VALUE_BYTES. */
export class EntryWriter {
  /** Entries not yet taken (`take`): a streaming build hands them on as it goes. */
  entries: KvEntry[] = [];
  bytes = 0;
  /** Entries added in all, taken or not. */
  count = 0;
  /** The entries added since the last call, handed over. */
  take(): KvEntry[] {
    const taken = this.entries;
    this.entries = [];
    this.#pending = 0;
    return taken;
  }
  /** Bytes of the entries not yet taken. */
  #pending = 0;
  /**
   * Enough is waiting to hand on: STREAM_BATCH entries, or STREAM_BYTES of them (the search
   * parts of a large index run to megabytes each, and a value read back from a spill file
   * keeps the chunk it was read in).
   */
  get full(): boolean {
    return this.entries.length >= STREAM_BATCH || this.#pending >= STREAM_BYTES;
  }
  add(key: string, value: unknown): number {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    const size = utf8.encode(text).length;
    if (size > MAX_VALUE_BYTES)
      throw new Error(
        `snapshot value ${key} is ${size} bytes, over the ${MAX_VALUE_BYTES} byte limit`,
      );
    this.bytes += size;
    this.#pending += size;
    this.count++;
    this.entries.push({ key, value: text });
    return size;
  }
}

/** Newest first: the order of every feed list. */
export const newestFirst = (articles: readonly Article[]) =>
  [...articles].sort((a, b) => compareKeys(keyOf(a), keyOf(b)));

/** Every list's summaries, newest first; the unfiltered list exists even when empty. */
export function listItems(sorted: readonly Article[]): Map<string, ArticleSummary[]> {
  const lists = new Map<string, ArticleSummary[]>();
  for (const a of sorted) {
    const summary = toSummary(a);
    for (const list of listsOf(a)) {
      const items = lists.get(list);
      if (items) items.push(summary);
      else lists.set(list, [summary]);
    }
  }
  if (!lists.has('*.*.*')) lists.set('*.*.*', []);
  return lists;
}

/** Writes pages `from`.. of a list (items newest first) with generation `gen`; returns their bytes. */
export function writePages(
  out: EntryWriter,
  list: string,
  items: readonly ArticleSummary[],
  from: number,
  gen: number,
): number {
  let bytes = 0;
  pagesFromOldest(items).forEach((pageItems, page) => {
    if (page < from) return;
    const value: FeedPageV2 = { list, page, items: pageItems };
    bytes += out.add(feedV2Key(list, page, gen), value);
  });
  return bytes;
}

/** What names a search segment (src/core/search/segments.ts): its id (by content), size and meta. */
export type SegmentInfo = {
  segment: ManifestV2['search']['segments'][number];
  meta: string | null;
};

/** A segment's id, key count, bytes and meta, in one pass over its parts (meta first). */
export function segmentInfo(parts: Iterable<SearchPart>): SegmentInfo {
  let keys = 0;
  let bytes = 0;
  let meta: string | null = null;
  const values = function* () {
    for (const part of parts) {
      keys++;
      // Each part's size was checked by the search build (MAX_PART_BYTES, the same bound).
      bytes += part.bytes;
      if (part.part === 'meta') meta = part.value;
      yield part.value;
    }
  };
  const id = `x${contentHash(values())}`;
  return { segment: { id, keys, bytes }, meta };
}

/** A search segment's parts named by their content, written unless reused. */
export function searchSegment(
  out: EntryWriter,
  parts: readonly SearchPart[],
  reuse: ReadonlySet<string>,
): SegmentInfo & { written: boolean } {
  const info = segmentInfo(parts);
  const written = !reuse.has(info.segment.id);
  if (written) for (const part of parts) out.add(searchKey(info.segment.id, part.part), part.value);
  return { ...info, written };
}

interface BuildOptions {
  builtAt?: Date;
  /** The generation and parent from `nextBuild` (publish.ts); alone, generation 1. */
  base?: BuildBase;
  onProgress?: (stage: string, done: number, total: number) => void;
}

/** A streaming build hands its values on in batches of about this many. */
export const STREAM_BATCH = 2_000;
/** ... or of about this many bytes, whichever comes first (EntryWriter `full`). */
const STREAM_BYTES = 16 * 1024 * 1024;

/** What lists an article joins: the fields of it that name them. */
type Listed = { lang: string; section: string; source: string };

/**
 * The length of every list, in the order the lists first appear in the newest-first
 * articles (the order of the manifest's lists); the unfiltered list exists even when empty.
 */
export function listLengths(sorted: Iterable<Listed>): Map<string, number> {
  const lengths = new Map<string, number>();
  for (const a of sorted)
    for (const list of listsOf(a)) lengths.set(list, (lengths.get(list) ?? 0) + 1);
  if (!lengths.has('*.*.*')) lengths.set('*.*.*', 0);
  return lengths;
}

/**
 * The values of a full build (a new epoch: every article, page and search part written by
 * this generation), made from its articles as they come, newest first, in batches of any
 * size, so that a caller need not hold them: each article's value is made at once, each
 * feed page as soon as it is full (the lists' lengths are known up front, and pages are
 * counted from the oldest end: feed/paging.ts), the sections as running counts. What it
 * holds is one page per list. The in-memory build below and the streaming one
 * (scripts/lib/stream-build.ts) both make their values here.
 */
export class FullBuild {
  readonly out = new EntryWriter();
  readonly #gen: number;
  readonly #parent: ManifestV2 | null;
  readonly #builtAt: Date;
  readonly #id: string;
  readonly #lists = new Map<
    string,
    { length: number; done: number; page: number; items: ArticleSummary[] }
  >();
  #sections: Sections = { sections: [] };
  readonly #sectionNames = new Set<string>();
  #articles = 0;

  /** `ids`: every article's id, newest first (they name the snapshot); `lists`: listLengths. */
  constructor(ids: readonly string[], lists: ReadonlyMap<string, number>, options: BuildOptions) {
    this.#builtAt = options.builtAt ?? new Date();
    const { generation, parent } = options.base ?? { generation: 1, parent: null };
    this.#gen = generation;
    this.#parent = parent;
    this.#id = snapshotId(this.#builtAt, `${generation}:${ids.join(',')}`);
    for (const [list, length] of lists)
      this.#lists.set(list, { length, done: 0, page: pageCount(length) - 1, items: [] });
  }

  /** The next articles, newest first after every article added before. */
  add(batch: readonly Article[]): void {
    const gen = this.#gen;
    for (const a of batch) {
      this.out.add(articleV2Key(gen, a.id), { r: [[gen, a]] } as ArticleRevisions);
      const summary = toSummary(a);
      for (const name of this.#listsOf(a)) {
        const list = this.#lists.get(name);
        if (!list) throw new Error(`full build: article ${a.id} is in list ${name}, not counted`);
        const page = pageOfIndex(list.length, list.done++);
        if (page !== list.page) this.#writePage(name, list);
        list.page = page;
        list.items.push(summary);
      }
      this.#sectionNames.add(a.section);
    }
    this.#sections = moveSections(this.#sections, [], batch);
    this.#articles += batch.length;
  }

  /** listsOf, once per language, section and source (it slugifies the source each time). */
  readonly #listNames = new Map<string, string[]>();
  #listsOf(a: Listed): string[] {
    const key = `${a.lang}\n${a.section}\n${a.source}`;
    let names = this.#listNames.get(key);
    if (!names) this.#listNames.set(key, (names = listsOf(a)));
    return names;
  }

  #writePage(name: string, list: { page: number; items: ArticleSummary[] }): void {
    const value: FeedPageV2 = { list: name, page: list.page, items: list.items };
    this.out.add(feedV2Key(name, list.page, this.#gen), value);
    list.items = [];
  }

  /** Parent segments a new index with the same content reuses instead of writing. */
  get reuse(): Set<string> {
    return new Set(this.#parent?.search.segments.map((s) => s.id) ?? []);
  }

  /**
   * The snapshot, once every article was added and the search segment written (searchSegment
   * with `reuse`); its `entries` are the values not yet taken.
   */
  finish(stats: BuildStats, search: SegmentInfo & { written: boolean }): BuiltSnapshot {
    const gen = this.#gen;
    const lists: ManifestV2['lists'] = {};
    for (const [name, list] of this.#lists) {
      if (list.done !== list.length)
        throw new Error(`full build: list ${name} got ${list.done} of ${list.length} articles`);
      // The last page of each list (an empty list: its one empty page).
      this.#writePage(name, list);
      lists[name] = [list.length, 0, gen];
    }
    const out = this.out;
    out.add(sectionsV2Key(gen), this.#sections);
    out.add(foldedV2Key(gen), { ids: [...(stats.folded ?? [])] });
    const manifest = manifestFor({
      id: this.#id,
      builtAt: this.#builtAt,
      generation: gen,
      epoch: gen,
      parent: this.#parent?.snapshot ?? null,
      skip: [],
      lists,
      sections: gen,
      folded: gen,
      segments: [search.segment],
      tally: {
        articles: this.#articles,
        read: stats.read,
        skipped: stats.skipped,
        merged: stats.merged,
        grouped: stats.grouped,
        sections: this.#sectionNames.size,
        bytes: out.bytes + (search.written ? 0 : search.segment.bytes),
      },
      written: { keys: out.count, bytes: out.bytes },
    });
    return {
      id: this.#id,
      builtAt: manifest.built_at,
      entries: out.entries,
      manifest,
      counts: manifest.counts,
      searchHead: search.meta ? { index: search.segment.id, meta: search.meta } : null,
    };
  }
}

/**
 * The full build in memory, as a generator: it yields batches of values as they are made
 * (every STREAM_BATCH) and returns the snapshot with the values not yet yielded. The search
 * index is fed through `SearchBuilder` in the same pass as the articles.
 */
function* fullBuild(
  articles: readonly Article[],
  stats: BuildStats,
  options: BuildOptions,
): Generator<KvEntry[], BuiltSnapshot> {
  const sorted = newestFirst(articles);
  const build = new FullBuild(
    sorted.map((a) => a.id),
    listLengths(sorted),
    options,
  );
  const index = new SearchBuilder({
    avgLength: averageLengths(sorted),
    total: sorted.length,
    onProgress: (done, total) => options.onProgress?.('search', done, total),
  });
  for (let i = 0; i < sorted.length; i += SEARCH_BATCH) {
    const batch = sorted.slice(i, i + SEARCH_BATCH);
    build.add(batch);
    index.add(batch);
    options.onProgress?.('articles', i + batch.length, sorted.length);
    if (build.out.full) yield build.out.take();
  }
  return build.finish(stats, searchSegment(build.out, index.finish(), build.reuse));
}

/** Articles per batch fed to the search builder (and per progress report). */
const SEARCH_BATCH = 5_000;

/** The full build, every value in `entries`. */
export function buildSnapshot(
  articles: readonly Article[],
  stats: BuildStats,
  options: BuildOptions = {},
): BuiltSnapshot {
  const run = fullBuild(articles, stats, options);
  const entries: KvEntry[] = [];
  for (;;) {
    const step = run.next();
    if (step.done) {
      for (const e of step.value.entries) entries.push(e);
      return { ...step.value, entries };
    }
    for (const e of step.value) entries.push(e);
  }
}

/**
 * The full build handing its values to `sink` as they are made, so they are not all held at
 * once: a publish of a large archive writes while it builds (the values first, then the
 * manifest and pointer, as publish.ts orders them). The returned snapshot's `entries` are the
 * values still to write.
 */
export async function streamSnapshot(
  articles: readonly Article[],
  stats: BuildStats,
  sink: (entries: KvEntry[]) => Promise<void>,
  options: BuildOptions = {},
): Promise<BuiltSnapshot> {
  const run = fullBuild(articles, stats, options);
  for (;;) {
    const step = run.next();
    if (step.done) return step.value;
    await sink(step.value);
  }
}

/**
 * The one place a format-2 manifest is made (full and incremental builds): the keys a snapshot
 * names are its articles, its feed pages (from the lists' runs), its sections and folded ids,
 * its search segments' parts, the manifest and the pointer; what it reuses is what it names but
 * did not write. `written.keys` counts the values written, before the manifest and pointer.
 */
export function manifestFor(m: {
  id: string;
  builtAt: Date;
  generation: number;
  epoch: number;
  parent: string | null;
  skip: ManifestV2['skip'];
  lists: ManifestV2['lists'];
  sections: number;
  folded: number;
  segments: ManifestV2['search']['segments'];
  tally: Omit<Counts, 'keys' | 'feed_pages'>;
  written: { keys: number; bytes: number };
}): ManifestV2 {
  const feedPages = Object.values(m.lists).reduce((s, runs) => s + pageCount(runs[0]!), 0);
  const searchKeys = m.segments.reduce((s, g) => s + g.keys, 0);
  // + sections + folded, + manifest + pointer
  const keys = m.tally.articles + feedPages + 2 + searchKeys + 2;
  const written = m.written.keys + 2;
  return {
    format: SNAPSHOT_FORMAT,
    snapshot: m.id,
    built_at: m.builtAt.toISOString(),
    counts: { ...m.tally, feed_pages: feedPages, keys },
    generation: m.generation,
    epoch: m.epoch,
    parent: m.parent,
    skip: m.skip,
    lists: m.lists,
    sections: m.sections,
    folded: m.folded,
    search: { segments: m.segments },
    written: { keys: written, bytes: m.written.bytes, reused: Math.max(0, keys - written) },
  };
}

export function pointerFor(manifest: ManifestV2, publishedAt: Date): Pointer {
  return {
    format: 2,
    snapshot: manifest.snapshot,
    built_at: manifest.built_at,
    published_at: publishedAt.toISOString(),
    counts: manifest.counts,
    manifest,
  };
}
