/**
 * Builds the search index parts of a snapshot (format in ./format.ts).
 *
 * MiniSearch builds the index: each batch of articles goes through MiniSearch's `addAll`
 * with the options of ./options.ts, and what it holds (`toJSON()`: every term's frequency
 * per field and document, every document's field lengths) is folded into per-field posting
 * lists, then the batch's MiniSearch is dropped. Each posting's level is MiniSearch's BM25+
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
  type StoredRecord,
  type Facet,
  FACETS,
  facetTerm,
  FIELD_LEVELS,
  FIELD_SEPARATOR,
  fieldLevel,
  FIELDS,
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

/** A word's postings being built: one list per field, and the documents holding it anywhere. */
interface TermAcc {
  df: number;
  /** Last document of each field's list (-1: none yet). */
  last: number[];
  postings: string[];
}

/** A facet's one list (level 0: filters match, they do not score). */
interface FacetAcc {
  df: number;
  last: number;
  postings: string;
}

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
  const step = Math.max(1, Math.floor(docs.length / LENGTH_SAMPLE));
  const sums = FIELDS.map(() => 0);
  let n = 0;
  for (let i = 0; i < docs.length; i += step) {
    const doc = docs[i];
    if (!doc) continue;
    sums[0] = (sums[0] ?? 0) + fieldLength(doc.title);
    sums[1] = (sums[1] ?? 0) + fieldLength(indexedSummary(doc));
    sums[2] = (sums[2] ?? 0) + fieldLength(doc.body);
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

/** Cuts sorted entries into parts of about `target` characters each. */
function chunk<T>(entries: readonly T[], size: (entry: T) => number, target: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let chars = 0;
  for (const entry of entries) {
    if (current.length > 0 && chars + size(entry) > target) {
      chunks.push(current);
      current = [];
      chars = 0;
    }
    current.push(entry);
    chars += size(entry);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** What a streaming build is given besides its articles. */
export type BuilderOptions = SegmentOptions & {
  onProgress?: ((done: number, total: number) => void) | undefined;
  /** Articles the whole build will add, for progress only. */
  total?: number | undefined;
};

/**
 * A search index built from batches of articles, in document order (newest first across
 * the whole build), so a caller can stream an archive through it and drop each batch after
 * `add`: what it holds between batches is what the output costs (postings, vocabulary,
 * result records), not the articles. `avgLength` must be given (a streaming build cannot
 * sample what it has not seen yet): `averageLengths` over the first few thousand articles.
 * Contract: /work/coord/search-builder.md is mirrored in docs/search.md ("Building").
 */
export class SearchBuilder {
  readonly #avg: readonly number[];
  readonly #options: BuilderOptions;
  readonly #terms = new Map<string, TermAcc>();
  readonly #facetPostings = new Map<string, FacetAcc>();
  /** Kept across batches: its stem memos are what make stemming cheap. */
  readonly #indexOptions = articleIndexOptions();
  readonly #records: StoredRecord[] = [];
  readonly #ids: [string, number][] = [];
  /** Publication minute of every document, sampled at `finish` once the count is known. */
  readonly #minutes: number[] = [];
  readonly #facets = { section: new Map(), lang: new Map(), source: new Map() } as Record<
    Facet,
    Map<string, number>
  >;
  #newest = 0;
  #docs = 0;
  #finished = false;
  /** Milliseconds spent in MiniSearch's addAll, its toJSON, and folding into postings. */
  readonly timings = { addAll: 0, toJSON: 0, fold: 0 };

  constructor(options: BuilderOptions = {}) {
    if (!options.avgLength)
      throw new Error('search index: a streaming build needs avgLength (see averageLengths)');
    this.#avg = options.avgLength;
    this.#options = options;
  }

  /** Adds a batch of articles, numbered after every article added before. */
  add(batch: readonly Article[]): void {
    if (this.#finished) throw new Error('search index: add after finish');
    if (batch.length === 0) return;
    const first = this.#docs;
    const started = performance.now();
    const index = new MiniSearch<IndexedDoc>(this.#indexOptions);
    index.addAll(batch.map((article, i) => indexedDoc(article, first + i)));
    const added = performance.now();
    const json = index.toJSON();
    const serialised = performance.now();
    this.#fold(json, first, batch.length);
    batch.forEach((article, i) => this.#addRecord(article, first + i));
    const t = this.timings;
    t.addAll += added - started;
    t.toJSON += serialised - added;
    t.fold += performance.now() - serialised;
    this.#docs += batch.length;
    const done = this.#docs;
    const every = PROGRESS_EVERY;
    if (Math.floor(done / every) > Math.floor(first / every) || done === this.#options.total)
      this.#options.onProgress?.(done, this.#options.total ?? done);
  }

  /**
   * One batch's MiniSearch into the postings. Its documents were added in document order
   * from a fresh MiniSearch, so a document's short id is its place in the batch (MiniSearch
   * `addDocumentId` counts from 0), and an object's integer keys iterate ascending: each
   * field's list grows in document order.
   */
  #fold(json: ReturnType<MiniSearch['toJSON']>, first: number, size: number): void {
    const lengths = json.fieldLength as Record<string, number[]>;
    const fieldIds = FIELDS.map((field) => json.fieldIds[field] ?? -1);
    const avg = this.#avg;
    // Which documents of the batch already counted towards the current term's df.
    const counted = new Int32Array(size).fill(-1);
    let termNo = 0;
    for (const [term, data] of json.index) {
      let acc = this.#terms.get(term);
      if (!acc) {
        acc = { df: 0, last: FIELDS.map(() => -1), postings: FIELDS.map(() => '') };
        this.#terms.set(term, acc);
      }
      termNo++;
      for (let f = 0; f < FIELDS.length; f++) {
        const fieldId = fieldIds[f]!;
        const freqs = (data as Record<string, Record<string, number>>)[fieldId];
        if (!freqs) continue;
        let postings = acc.postings[f]!;
        let last = acc.last[f]!;
        for (const key in freqs) {
          const short = Number(key);
          const doc = first + short;
          const level = fieldLevel(tfPart(freqs[key]!, lengths[key]![fieldId]!, avg[f]!));
          postings += encodePosting(doc, last, level, FIELD_LEVELS);
          last = doc;
          if (counted[short] !== termNo) {
            counted[short] = termNo;
            acc.df++;
          }
        }
        acc.postings[f] = postings;
        acc.last[f] = last;
      }
    }
  }

  #addRecord(article: Article, doc: number): void {
    for (const facet of Object.keys(FACETS) as Facet[]) {
      const term = facetTerm(facet, article[facet]);
      let acc = this.#facetPostings.get(term);
      if (!acc) {
        acc = { df: 0, last: -1, postings: '' };
        this.#facetPostings.set(term, acc);
      }
      acc.postings += encodePosting(doc, acc.last, 0);
      acc.last = doc;
      acc.df++;
      const counts = this.#facets[facet];
      counts.set(article[facet], (counts.get(article[facet]) ?? 0) + 1);
    }
    this.#records.push(encodeRecord({ ...article, text: snippetSource(article) }));
    this.#ids.push([article.id, doc]);
    const published = Date.parse(article.published);
    if (doc === 0) this.#newest = published;
    this.#minutes.push(minutes(published));
  }

  /** The parts of the index (names and format as buildSearchParts). Call once. */
  finish(): SearchPart[] {
    if (this.#finished) throw new Error('search index: finish called twice');
    this.#finished = true;
    return assemble(
      {
        docs: this.#docs,
        newest: this.#newest,
        minutes: this.#minutes,
        records: this.#records,
        ids: this.#ids,
        facets: this.#facets,
      },
      [...this.#avg],
      this.#terms,
      this.#facetPostings,
      this.#options.deletes,
    );
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
  records: readonly StoredRecord[];
  ids: [string, number][];
  facets: Record<Facet, Map<string, number>>;
}

/** Gaps between sorted numbers (the first as is), for VLQ. */
const gaps = (sorted: readonly number[]) =>
  sorted.map((n, i) => (i === 0 ? n : n - sorted[i - 1]!));

function assemble(
  collected: Collected,
  avg: number[],
  wordTerms: Map<string, TermAcc>,
  facets: Map<string, FacetAcc>,
  deletes: SegmentOptions['deletes'],
): SearchPart[] {
  const parts: SearchPart[] = [];
  // Facet terms (FACET_MARK) sort before every word.
  const terms = new Map<string, { df: number; postings: string }>();
  for (const [term, acc] of [...facets].sort((a, b) => (a[0] < b[0] ? -1 : 1)))
    terms.set(term, acc);
  for (const term of [...wordTerms.keys()].sort()) {
    const acc = wordTerms.get(term)!;
    terms.set(term, { df: acc.df, postings: acc.postings.join(FIELD_SEPARATOR) });
  }
  const sorted = [...terms.keys()];

  const termChunks = chunk(
    sorted,
    (t) => t.length + (terms.get(t)?.postings.length ?? 0) + 12,
    TERMS_CHUNK_CHARS,
  );
  termChunks.forEach((chunkTerms, n) => {
    const value = JSON.stringify({
      t: chunkTerms,
      df: chunkTerms.map((t) => terms.get(t)?.df ?? 0),
      p: chunkTerms.map((t) => terms.get(t)?.postings ?? ''),
    });
    parts.push(assertPartSize({ part: partName('terms', n), value }));
  });

  const minDf = collected.docs < SMALL_INDEX_DOCS ? 1 : 2;
  const words = sorted.filter((t) => /^[\p{L}\p{N}]/u.test(t) && (terms.get(t)?.df ?? 0) >= minDf);
  const vocabChunks = chunk(words, (t) => t.length + 8, VOCAB_CHUNK_CHARS);
  vocabChunks.forEach((chunkWords, n) => {
    const value = JSON.stringify({
      t: chunkWords,
      df: chunkWords.map((t) => terms.get(t)?.df ?? 0),
    });
    parts.push(assertPartSize({ part: partName('vocab', n), value }));
  });

  for (let n = 0; n * DOCS_PER_CHUNK < collected.docs; n++) {
    const records = collected.records.slice(n * DOCS_PER_CHUNK, (n + 1) * DOCS_PER_CHUNK);
    parts.push(
      assertPartSize({ part: partName('docs', n), value: JSON.stringify({ d: records }) }),
    );
  }

  // Article id -> document number, sorted by id: what a later segment reads to find the
  // documents an edit replaces.
  const byId = collected.ids.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const idChunks = chunk(byId, ([id]) => id.length + 10, IDS_CHUNK_CHARS);
  idChunks.forEach((entries, n) => {
    const value = JSON.stringify({ t: entries.map((e) => e[0]), d: entries.map((e) => e[1]) });
    parts.push(assertPartSize({ part: partName('ids', n), value }));
  });

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
    terms: termChunks.map((c) => c[0] ?? ''),
    vocab: vocabChunks.map((c) => c[0] ?? ''),
    vocab_min_df: minDf,
    docs_per_part: DOCS_PER_CHUNK,
    facets: {
      section: facetCounts('section'),
      lang: facetCounts('lang'),
      source: facetCounts('source'),
    },
    ids: idChunks.map((c) => c[0]?.[0] ?? ''),
    ...(deletes && deletes.size > 0
      ? {
          deletes: Object.fromEntries(
            [...deletes].map(([segment, dead]) => [segment, vlqEncode(gaps(dead))]),
          ),
        }
      : {}),
  };
  parts.unshift(assertPartSize({ part: 'meta', value: JSON.stringify(meta) }));
  return parts;
}
