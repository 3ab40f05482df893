/**
 * Builds the search index parts of a snapshot (format in ./format.ts).
 *
 * MiniSearch builds the index: each batch of articles goes through MiniSearch's `addAll`
 * with the options of ./options.ts, and what it holds (what its `toJSON()` would copy out:
 * every term's frequency per field and document, every document's field lengths) is read
 * into a run of per-field posting lists, then the batch's MiniSearch is dropped; the runs are
 * merged in term order at the end (mergeRuns). Each posting's level is MiniSearch's BM25+
 * term-frequency part for that field (format.ts fieldLevel); the query multiplies it by the
 * field's boost and the term's idf in that field, as MiniSearch's `termResults` does.
 * Field lengths are MiniSearch's (distinct tokens of the field), and so are the averages the
 * lengths are normalised by, over the whole index (`averageLengths`).
 */
import type { Article } from '../content/article.ts';
import { summarize } from '../content/text.ts';
import { tokenize } from './analyze.ts';
import MiniSearch from 'minisearch';
import {
  DOCS_PER_CHUNK,
  encodePosting,
  encodeRecord,
  FACET_MARK,
  type StoredRecord,
  type Facet,
  FACETS,
  facetTerm,
  FIELD_LEVELS,
  FIELD_SEPARATOR,
  fieldLevel,
  FIELDS,
  IMPACT_LEVELS,
  IDS_CHUNK_CHARS,
  MAX_DATE_SAMPLES,
  MAX_PART_BYTES,
  partName,
  SEARCH_FORMAT,
  type SearchMeta,
  SNIPPET_SOURCE_CHARS,
  TERMS_CHUNK_CHARS,
  tfPart,
  VOCAB_CHUNK_CHARS,
  vlqEncode,
} from './format.ts';
import { articleIndexOptions, type IndexedDoc } from './options.ts';

/** One KV value of the search index, written at `searchKey(snapshot, part)`. */
export interface SearchPart {
  part: string;
  value: string;
  /** UTF-8 length of `value`, checked against MAX_PART_BYTES when the part was made. */
  bytes: number;
}

/** What a segment of a larger index shares with it (./segments.ts). */
export interface SegmentOptions {
  /** Field averages of the whole index, so impacts match one index over all its articles. */
  avgLength?: readonly number[] | undefined;
  /** Tombstones on older segments: segment id -> sorted local document numbers. */
  deletes?: ReadonlyMap<string, readonly number[]> | undefined;
}

const PROGRESS_EVERY = 5_000;
/**
 * Articles per MiniSearch in buildSearchParts: one MiniSearch over a whole archive would hold
 * it all at once (MiniSearch as-is is 123 MiB at 100k, docs/search.md), and its toJSON as much
 * again; a batch's MiniSearch is dropped once folded.
 */
const BUILD_BATCH = 5_000;
/**
 * Documents sampled for the average field lengths BM25 normalises by: every document of an
 * index up to twice this size, so such an index normalises exactly as one MiniSearch does.
 */
const LENGTH_SAMPLE = 20_000;
/** Below this many documents the vocabulary keeps words seen once (a small site needs them). */
const SMALL_INDEX_DOCS = 20_000;

const minutes = (ms: number) => Math.floor(ms / 60_000);
const utf8 = new TextEncoder();

/** Sorted newest first (ties by id, so the order is stable across builds): document order. */
export function newestFirst(articles: readonly Article[]): Article[] {
  return [...articles].sort(
    (a, b) =>
      Date.parse(b.published) - Date.parse(a.published) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

const snippetSource = (article: Article): string =>
  summarize(article.summary || article.body, SNIPPET_SOURCE_CHARS);

/**
 * The summary the index holds: the source's own, or nothing. A summary made from the body's
 * first sentences (content/records.ts) would count those words twice, once in each field.
 */
export const indexedSummary = (article: Article): string =>
  article.summary_from_source === true ? article.summary : '';

/** The fields of an article as MiniSearch indexes them (options.ts IndexedDoc). */
export const indexedDoc = (article: Article, id: number): IndexedDoc => ({
  id,
  title: article.title,
  summary: indexedSummary(article),
  body: article.body,
  lang: article.lang,
});

/** MiniSearch's length of a field: its distinct tokens (MiniSearch `add`, uniqueTerms). */
const fieldLength = (text: string) => new Set(tokenize(text).map((t) => t.term)).size;

/**
 * Mean length per field, from an even sample of the documents (all of them up to
 * 2 * LENGTH_SAMPLE). BM25 normalises by it; segments of one index are built with the same
 * averages (./segments.ts), and a streaming build is given them up front.
 */
export function averageLengths(docs: readonly Article[]): number[] {
  return averageLengthsOf(docs.length, (i) => docs[i]);
}

/** The documents `averageLengths` samples out of `count`, as document numbers. */
export function lengthSample(count: number): number[] {
  const step = Math.max(1, Math.floor(count / LENGTH_SAMPLE));
  const sample: number[] = [];
  for (let i = 0; i < count; i += step) sample.push(i);
  return sample;
}

/** `averageLengths` over `count` documents read by number (only the sampled ones are read). */
export function averageLengthsOf(count: number, doc: (i: number) => Article | undefined): number[] {
  const sums = FIELDS.map(() => 0);
  let n = 0;
  for (const i of lengthSample(count)) {
    const article = doc(i);
    if (!article) continue;
    sums[0] = (sums[0] ?? 0) + fieldLength(article.title);
    sums[1] = (sums[1] ?? 0) + fieldLength(indexedSummary(article));
    sums[2] = (sums[2] ?? 0) + fieldLength(article.body);
    n++;
  }
  // A field empty everywhere (no term to score in it) still needs a positive average.
  return sums.map((sum) => (sum > 0 ? sum / n : 1));
}

function assertPartSize(part: Omit<SearchPart, 'bytes'>): SearchPart {
  const bytes = utf8.encode(part.value).length;
  if (bytes > MAX_PART_BYTES) {
    throw new Error(
      `search index: part "${part.part}" is ${bytes} bytes, over the ${MAX_PART_BYTES}-byte limit per KV value`,
    );
  }
  return { ...part, bytes };
}

/** Where a builder puts the parts it makes, by kind, in the order made (a part's number order). */
export interface PartSink {
  add(kind: PartKind, part: SearchPart): void;
}
type PartKind = 'terms' | 'vocab' | 'docs' | 'ids';
const PART_KINDS: readonly PartKind[] = ['terms', 'vocab', 'docs', 'ids'];

/** The parts kept in memory; `all` gives them in the order of the index (after the meta). */
export class MemorySink implements PartSink {
  readonly #parts = new Map<PartKind, SearchPart[]>(PART_KINDS.map((k) => [k, []]));
  add(kind: PartKind, part: SearchPart): void {
    this.#parts.get(kind)!.push(part);
  }
  all(): SearchPart[] {
    return PART_KINDS.flatMap((k) => this.#parts.get(k)!);
  }
}

/** What a streaming build is given besides its articles. */
export type BuilderOptions = SegmentOptions & {
  onProgress?: ((done: number, total: number) => void) | undefined;
  /** Articles the whole build will add, for progress only. */
  total?: number | undefined;
  /** Where the terms, vocab, docs and ids parts go as they are made; default a MemorySink. */
  sink?: PartSink | undefined;
};

/**
 * One term of a run: its document frequency in the run and, per field (a facet term has one
 * list), the first posting of the list apart (document and level: it is encoded when the runs
 * are merged, as a gap from the last document of the runs before), the rest of the list
 * encoded, and the list's last document. A field without postings has first document -1.
 */
export type RunTerm = [
  term: string,
  df: number,
  first: number[],
  level: number[],
  rest: string[],
  last: number[],
];

/**
 * The index of one batch of documents, numbered from `first`: what indexRun makes from one
 * MiniSearch (on any thread: scripts/lib/search-workers.ts runs it in worker threads) and
 * SearchBuilder folds in, in document order.
 */
export interface IndexRun {
  first: number;
  docs: number;
  /** In index order (termOrder). */
  terms: RunTerm[];
  records: StoredRecord[];
  ids: string[];
  minutes: number[];
  /** Publication time (ms) of the run's first document. */
  newest: number;
  facets: Record<Facet, [string, number][]>;
}

/**
 * A batch's MiniSearch, read where it holds its index: the same maps its `toJSON()` copies
 * into plain objects (`_index`: term -> field id -> short id -> term frequency;
 * `_fieldLength`: short id -> distinct tokens per field; `_fieldIds`), read in place, which
 * spares the build a copy of every posting (minisearch/dist/es/index.js toJSON).
 */
class BatchIndex extends MiniSearch<IndexedDoc> {
  termData() {
    return this._index;
  }
  fieldLengths() {
    return this._fieldLength;
  }
  fieldId(field: string): number {
    return this._fieldIds[field] ?? -1;
  }
}

/** The order of terms in an index: facet terms (FACET_MARK) first, then by UTF-16 code units. */
export function termOrder(a: string, b: string): number {
  const facetA = a.startsWith(FACET_MARK);
  if (facetA !== b.startsWith(FACET_MARK)) return facetA ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A batch of articles through one MiniSearch: its `addAll` with the options of ./options.ts,
 * then what it holds (BatchIndex) read into per-field lists. The documents were added in
 * document order to a fresh MiniSearch, so a document's short id is its place in the batch
 * (MiniSearch `addDocumentId` counts from 0), and each term's map of documents is in the
 * order they were added: each field's list is in document order. `indexOptions` may be kept across
 * batches: its stem memos are what make stemming cheap.
 */
export function indexRun(
  batch: readonly Article[],
  first: number,
  avg: readonly number[],
  indexOptions = articleIndexOptions(),
): IndexRun {
  const index = new BatchIndex(indexOptions);
  index.addAll(batch.map((article, i) => indexedDoc(article, first + i)));
  const lengths = index.fieldLengths();
  const fieldIds = FIELDS.map((field) => index.fieldId(field));
  const terms: RunTerm[] = [];
  // Which documents of the batch already counted towards the current term's df.
  const counted = new Int32Array(batch.length).fill(-1);
  let termNo = 0;
  for (const [term, data] of index.termData()) {
    termNo++;
    let df = 0;
    const firsts = FIELDS.map(() => -1);
    const levels = FIELDS.map(() => 0);
    const rests = FIELDS.map(() => '');
    const lasts = FIELDS.map(() => -1);
    for (let f = 0; f < FIELDS.length; f++) {
      const fieldId = fieldIds[f]!;
      const freqs = data.get(fieldId);
      if (!freqs) continue;
      let rest = '';
      let last = -1;
      for (const [short, tf] of freqs) {
        const doc = first + short;
        const level = fieldLevel(tfPart(tf, lengths.get(short)![fieldId]!, avg[f]!));
        if (last < 0) {
          firsts[f] = doc;
          levels[f] = level;
        } else rest += encodePosting(doc, last, level, FIELD_LEVELS);
        last = doc;
        if (counted[short] !== termNo) {
          counted[short] = termNo;
          df++;
        }
      }
      rests[f] = rest;
      lasts[f] = last;
    }
    terms.push([term, df, firsts, levels, rests, lasts]);
  }

  // Facets: one list each, level 0 (filters match, they do not score).
  const facetLists = new Map<string, RunTerm>();
  const counts = { section: new Map(), lang: new Map(), source: new Map() } as Record<
    Facet,
    Map<string, number>
  >;
  batch.forEach((article, i) => {
    const doc = first + i;
    for (const facet of Object.keys(FACETS) as Facet[]) {
      const term = facetTerm(facet, article[facet]);
      const list = facetLists.get(term);
      if (!list) facetLists.set(term, [term, 1, [doc], [0], [''], [doc]]);
      else {
        list[4][0] += encodePosting(doc, list[5][0]!, 0);
        list[5][0] = doc;
        list[1]++;
      }
      counts[facet].set(article[facet], (counts[facet].get(article[facet]) ?? 0) + 1);
    }
  });
  for (const list of facetLists.values()) terms.push(list);
  terms.sort((a, b) => termOrder(a[0], b[0]));

  return {
    first,
    docs: batch.length,
    terms,
    records: batch.map((article) => encodeRecord({ ...article, text: snippetSource(article) })),
    ids: batch.map((article) => article.id),
    minutes: batch.map((article) => minutes(Date.parse(article.published))),
    newest: batch.length ? Date.parse(batch[0]!.published) : 0,
    facets: {
      section: [...counts.section],
      lang: [...counts.lang],
      source: [...counts.source],
    },
  };
}

/**
 * The runs' terms merged into the index's, in index order: a k-way merge over the runs'
 * sorted terms (a binary heap; a term in several runs is taken from each in run order, so
 * every list stays in document order). Yields [term, df, postings] with the postings as the
 * index stores them (per field, joined by FIELD_SEPARATOR; a facet's one list). Reads one
 * term of each run at a time: runs spilled to disk merge in bounded memory.
 */
export function* mergeRuns(
  runs: readonly Iterator<RunTerm>[],
): Generator<[string, number, string]> {
  const heads: (RunTerm | null)[] = runs.map((run) => run.next().value ?? null);
  const before = (a: number, b: number) => {
    const order = termOrder(heads[a]![0], heads[b]![0]);
    return order < 0 || (order === 0 && a < b);
  };
  const heap: number[] = [];
  const push = (run: number) => {
    let i = heap.push(run) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  };
  const pop = (): number => {
    const top = heap[0]!;
    const end = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = end;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  };
  heads.forEach((head, run) => head && push(run));
  const group: RunTerm[] = [];
  const taken: number[] = [];
  while (heap.length > 0) {
    const term = heads[heap[0]!]![0];
    group.length = 0;
    taken.length = 0;
    while (heap.length > 0 && heads[heap[0]!]![0] === term) {
      const run = pop();
      group.push(heads[run]!);
      taken.push(run);
    }
    const fields = group[0]![2].length;
    const levels = term.startsWith(FACET_MARK) ? IMPACT_LEVELS : FIELD_LEVELS;
    const lists: string[] = [];
    let df = 0;
    for (const t of group) df += t[1];
    for (let f = 0; f < fields; f++) {
      let list = '';
      let last = -1;
      for (const t of group) {
        if (t[2][f]! < 0) continue;
        list += encodePosting(t[2][f]!, last, t[3][f]!, levels) + t[4][f]!;
        last = t[5][f]!;
      }
      lists.push(list);
    }
    yield [term, df, lists.join(FIELD_SEPARATOR)];
    for (const run of taken) {
      heads[run] = runs[run]!.next().value ?? null;
      if (heads[run]) push(run);
    }
  }
}

/**
 * A search index built from batches of articles, in document order (newest first across
 * the whole build), so a caller can stream an archive through it and drop each batch after
 * `add`: what it holds between batches is each batch's run (flat postings, or only how to
 * re-read a run spilled to disk: `addRun`), the ids and dates, not the articles; the docs
 * parts go to the sink as they fill. `avgLength` must be given (a streaming build cannot
 * sample what it has not seen yet): `averageLengths` over the first few thousand articles.
 * Its interface for the snapshot builder: docs/search.md, "Interface for the snapshot builder".
 */
export class SearchBuilder {
  readonly #avg: readonly number[];
  readonly #options: BuilderOptions;
  readonly #sink: PartSink;
  /** Kept across batches: its stem memos are what make stemming cheap. */
  readonly #indexOptions = articleIndexOptions();
  readonly #runs: (() => Iterator<RunTerm>)[] = [];
  /** Every document's article id, by document number. */
  readonly #ids: string[] = [];
  /** Publication minute of every document, sampled at `finish` once the count is known. */
  readonly #minutes: number[] = [];
  readonly #facets = { section: new Map(), lang: new Map(), source: new Map() } as Record<
    Facet,
    Map<string, number>
  >;
  /** Records of the docs part being filled. */
  #records: StoredRecord[] = [];
  #docsParts = 0;
  #newest = 0;
  #docs = 0;
  #finished = false;

  constructor(options: BuilderOptions = {}) {
    if (!options.avgLength)
      throw new Error('search index: a streaming build needs avgLength (see averageLengths)');
    this.#avg = options.avgLength;
    this.#options = options;
    this.#sink = options.sink ?? new MemorySink();
  }

  /** Documents added so far: the number the next batch starts at. */
  get docs(): number {
    return this.#docs;
  }

  /** Adds a batch of articles, numbered after every article added before. */
  add(batch: readonly Article[]): void {
    if (this.#finished) throw new Error('search index: add after finish');
    if (batch.length === 0) return;
    this.addRun(indexRun(batch, this.#docs, this.#avg, this.#indexOptions));
  }

  /**
   * Folds in a run made elsewhere (indexRun in a worker thread), which must start at `docs`.
   * `reopen` reads its terms again at `finish` (a run spilled to disk); by default the run's
   * own terms are kept until then.
   */
  addRun(run: IndexRun, reopen?: () => Iterator<RunTerm>): void {
    if (this.#finished) throw new Error('search index: add after finish');
    if (run.first !== this.#docs)
      throw new Error(`search index: a run from document ${run.first} added at ${this.#docs}`);
    const first = this.#docs;
    const terms = run.terms;
    this.#runs.push(reopen ?? (() => terms[Symbol.iterator]()));
    for (const id of run.ids) this.#ids.push(id);
    for (const m of run.minutes) this.#minutes.push(m);
    if (first === 0 && run.docs > 0) this.#newest = run.newest;
    for (const facet of Object.keys(FACETS) as Facet[]) {
      const counts = this.#facets[facet];
      for (const [value, n] of run.facets[facet]) counts.set(value, (counts.get(value) ?? 0) + n);
    }
    for (const record of run.records) {
      this.#records.push(record);
      if (this.#records.length === DOCS_PER_CHUNK) this.#flushDocs();
    }
    this.#docs += run.docs;
    const done = this.#docs;
    const every = PROGRESS_EVERY;
    if (Math.floor(done / every) > Math.floor(first / every) || done === this.#options.total)
      this.#options.onProgress?.(done, this.#options.total ?? done);
  }

  #flushDocs(): void {
    const value = JSON.stringify({ d: this.#records });
    this.#sink.add('docs', assertPartSize({ part: partName('docs', this.#docsParts++), value }));
    this.#records = [];
  }

  /**
   * Merges the runs and writes the rest of the index to the sink. Returns the parts in the
   * index's order, meta first: all of them with the default sink, only the meta with another
   * (the caller reads the others back from where its sink put them). Call once.
   */
  finish(): SearchPart[] {
    if (this.#finished) throw new Error('search index: finish called twice');
    this.#finished = true;
    if (this.#records.length > 0) this.#flushDocs();
    const meta = assemble(
      {
        docs: this.#docs,
        newest: this.#newest,
        minutes: this.#minutes,
        ids: this.#ids,
        facets: this.#facets,
      },
      [...this.#avg],
      mergeRuns(this.#runs.map((open) => open())),
      this.#sink,
      this.#options.deletes,
    );
    return [meta, ...(this.#sink instanceof MemorySink ? this.#sink.all() : [])];
  }
}

/**
 * Builds the search index parts for a snapshot. Every part is at most MAX_PART_BYTES;
 * a part over it fails the build with its name and size.
 */
export function buildSearchParts(
  articles: readonly Article[],
  onProgress?: (done: number, total: number) => void,
  options: SegmentOptions = {},
): SearchPart[] {
  const docs = newestFirst(articles);
  const builder = new SearchBuilder({
    ...options,
    avgLength: options.avgLength ?? averageLengths(docs),
    onProgress,
    total: docs.length,
  });
  for (let i = 0; i < docs.length; i += BUILD_BATCH) builder.add(docs.slice(i, i + BUILD_BATCH));
  return builder.finish();
}

/** What the parts besides the postings are made of, gathered while the documents came in. */
interface Collected {
  docs: number;
  newest: number;
  minutes: readonly number[];
  /** Article id by document number. */
  ids: readonly string[];
  facets: Record<Facet, Map<string, number>>;
}

/** Gaps between sorted numbers (the first as is), for VLQ. */
const gaps = (sorted: readonly number[]) =>
  sorted.map((n, i) => (i === 0 ? n : n - sorted[i - 1]!));

/**
 * Cuts sorted entries, as they come, into chunks of about `target` characters each. Entries
 * are `[key, ...]`; of a chunk handed on, only its first key is kept (an entry itself would
 * keep its postings: at 1M articles, the first entries of the terms chunks held most of the
 * index, every term of more than a chunk's postings being the first of its own chunk).
 */
class Chunker<T extends readonly [string, ...unknown[]]> {
  #current: T[] = [];
  #chars = 0;
  /** First key of every chunk handed on. */
  readonly firsts: string[] = [];
  readonly #size: (entry: T) => number;
  readonly #target: number;
  readonly #emit: (entries: T[], n: number) => void;
  constructor(size: (entry: T) => number, target: number, emit: (entries: T[], n: number) => void) {
    this.#size = size;
    this.#target = target;
    this.#emit = emit;
  }
  push(entry: T): void {
    const size = this.#size(entry);
    if (this.#current.length > 0 && this.#chars + size > this.#target) this.flush();
    this.#current.push(entry);
    this.#chars += size;
  }
  flush(): void {
    if (this.#current.length === 0) return;
    this.firsts.push(this.#current[0]![0]);
    this.#emit(this.#current, this.firsts.length - 1);
    this.#current = [];
    this.#chars = 0;
  }
}

/** Writes the terms, vocab and ids parts to `sink` as the merged terms come; returns the meta. */
function assemble(
  collected: Collected,
  avg: number[],
  merged: Iterable<[string, number, string]>,
  sink: PartSink,
  deletes: SegmentOptions['deletes'],
): SearchPart {
  const termChunks = new Chunker<[string, number, string]>(
    ([t, , postings]) => t.length + postings.length + 12,
    TERMS_CHUNK_CHARS,
    (entries, n) => {
      const value = JSON.stringify({
        t: entries.map((e) => e[0]),
        df: entries.map((e) => e[1]),
        p: entries.map((e) => e[2]),
      });
      sink.add('terms', assertPartSize({ part: partName('terms', n), value }));
    },
  );
  const minDf = collected.docs < SMALL_INDEX_DOCS ? 1 : 2;
  const vocabChunks = new Chunker<[string, number]>(
    ([t]) => t.length + 8,
    VOCAB_CHUNK_CHARS,
    (entries, n) => {
      const value = JSON.stringify({ t: entries.map((e) => e[0]), df: entries.map((e) => e[1]) });
      sink.add('vocab', assertPartSize({ part: partName('vocab', n), value }));
    },
  );
  for (const entry of merged) {
    termChunks.push(entry);
    if (entry[1] >= minDf && /^[\p{L}\p{N}]/u.test(entry[0]))
      vocabChunks.push([entry[0], entry[1]]);
  }
  termChunks.flush();
  vocabChunks.flush();

  // Article id -> document number, sorted by id: what a later segment reads to find the
  // documents an edit replaces.
  const idChunks = new Chunker<[string, number]>(
    ([id]) => id.length + 10,
    IDS_CHUNK_CHARS,
    (entries, n) => {
      const value = JSON.stringify({ t: entries.map((e) => e[0]), d: entries.map((e) => e[1]) });
      sink.add('ids', assertPartSize({ part: partName('ids', n), value }));
    },
  );
  // Document numbers sorted by id: a typed array, not a million [id, number] pairs.
  const ids = collected.ids;
  const byId = Uint32Array.from(ids.keys()).sort((a, b) => (ids[a]! < ids[b]! ? -1 : 1));
  for (const doc of byId) idChunks.push([ids[doc]!, doc]);
  idChunks.flush();

  const stride = Math.max(1, Math.ceil(collected.docs / MAX_DATE_SAMPLES));
  const samples: number[] = [];
  for (let i = 0; i < collected.docs; i += stride) samples.push(collected.minutes[i] ?? 0);
  const facetCounts = (facet: Facet): [string, number][] =>
    [...collected.facets[facet]].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const meta: SearchMeta = {
    format: SEARCH_FORMAT,
    docs: collected.docs,
    newest: collected.newest,
    avg_length: avg,
    date_stride: stride,
    dates: vlqEncode(samples.map((m, i) => (i === 0 ? m : (samples[i - 1] ?? m) - m))),
    terms: termChunks.firsts,
    vocab: vocabChunks.firsts,
    vocab_min_df: minDf,
    docs_per_part: DOCS_PER_CHUNK,
    facets: {
      section: facetCounts('section'),
      lang: facetCounts('lang'),
      source: facetCounts('source'),
    },
    ids: idChunks.firsts,
    ...(deletes && deletes.size > 0
      ? {
          deletes: Object.fromEntries(
            [...deletes].map(([segment, dead]) => [segment, vlqEncode(gaps(dead))]),
          ),
        }
      : {}),
  };
  return assertPartSize({ part: 'meta', value: JSON.stringify(meta) });
}
