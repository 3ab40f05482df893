/**
 * Builds the search index parts of a snapshot (format in ./format.ts).
 *
 * Analysis is MiniSearch's: the `tokenize` and `processTerm` options of ./options.ts, the
 * same functions a MiniSearch over these articles uses. Counting is done here, in one pass
 * in document order: running each batch through MiniSearch and reading back its `toJSON()`
 * gave the same counts but took half the build time (radix tree, serialisation and their
 * garbage; profiled at 5k articles). From each term's frequency per field and the field
 * lengths this module computes MiniSearch's BM25+ term-frequency part once per (term,
 * document), quantises it to an impact level and appends it to the term's posting list.
 * Only the idf part is left to the query.
 */
import type { Article } from '../content/article.ts';
import { summarize } from '../content/text.ts';
import { stemGroup } from './analyze.ts';
import {
  BM25,
  DOCS_PER_CHUNK,
  encodePosting,
  encodeRecord,
  type StoredRecord,
  type Facet,
  FACETS,
  facetTerm,
  FIELD_BOOST,
  FIELDS,
  IDS_CHUNK_CHARS,
  impactLevel,
  MAX_DATE_SAMPLES,
  MAX_PART_BYTES,
  partName,
  SEARCH_FORMAT,
  type SearchMeta,
  SNIPPET_SOURCE_CHARS,
  TERMS_CHUNK_CHARS,
  VOCAB_CHUNK_CHARS,
  vlqEncode,
} from './format.ts';
import { miniSearchOptions } from './options.ts';

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
/** Documents sampled for the average field lengths BM25 normalises by. */
const LENGTH_SAMPLE = 5_000;
/** Below this many documents the vocabulary keeps words seen once (a small site needs them). */
const SMALL_INDEX_DOCS = 20_000;

interface TermAcc {
  df: number;
  last: number;
  postings: string;
}

const minutes = (ms: number) => Math.floor(ms / 60_000);
const utf8 = new TextEncoder();

/** Sorted newest first (ties by id, so the order is stable across builds). */
function newestFirst(articles: readonly Article[]): Article[] {
  return [...articles].sort(
    (a, b) =>
      Date.parse(b.published) - Date.parse(a.published) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

const snippetSource = (article: Article): string =>
  summarize(article.summary || article.body, SNIPPET_SOURCE_CHARS);

/**
 * Mean token count per field, from an even sample of the documents. BM25 normalises by it;
 * segments of one index are built with the same averages (./segments.ts).
 */
export function averageLengths(docs: readonly Article[]): number[] {
  const step = Math.max(1, Math.floor(docs.length / LENGTH_SAMPLE));
  const tokenize = miniSearchOptions('ru').tokenize ?? ((text: string) => text.split(/\s+/));
  const sums = FIELDS.map(() => 0);
  let n = 0;
  for (let i = 0; i < docs.length; i += step) {
    const doc = docs[i];
    if (!doc) continue;
    FIELDS.forEach((field, f) => {
      sums[f] = (sums[f] ?? 0) + tokenize(doc[field], field).length;
    });
    n++;
  }
  // A field empty everywhere still needs a positive average for the formula.
  return sums.map((sum) => Math.max(1, sum / Math.max(1, n)));
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
  readonly #optionsByLang = new Map<string, ReturnType<typeof miniSearchOptions>>();
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

  constructor(options: BuilderOptions = {}) {
    if (!options.avgLength)
      throw new Error('search index: a streaming build needs avgLength (see averageLengths)');
    this.#avg = options.avgLength;
    this.#options = options;
  }

  /** Adds a batch of articles, numbered after every article added before. */
  add(batch: readonly Article[]): void {
    if (this.#finished) throw new Error('search index: add after finish');
    for (const article of batch) this.#addOne(article);
  }

  #addOne(article: Article): void {
    const doc = this.#docs++;
    const group = stemGroup(article.lang);
    let opts = this.#optionsByLang.get(group);
    if (!opts) {
      opts = miniSearchOptions(group);
      this.#optionsByLang.set(group, opts);
    }
    const { tokenize, processTerm } = opts;
    // Term frequency per field, exactly as MiniSearch counts it: every processed term of
    // every token, field length = tokens before processing.
    const tfs = new Map<string, number[]>();
    const lengths = FIELDS.map((field, f) => {
      const tokens = tokenize?.(article[field], field) ?? [];
      for (const token of tokens) {
        const processed = processTerm?.(token, field) ?? token;
        if (!processed) continue;
        for (const term of typeof processed === 'string' ? [processed] : processed) {
          let row = tfs.get(term);
          if (!row) {
            row = [0, 0, 0];
            tfs.set(term, row);
          }
          row[f] = (row[f] ?? 0) + 1;
        }
      }
      return tokens.length;
    });
    const avg = this.#avg;
    for (const [term, row] of tfs) {
      let impact = 0;
      for (let f = 0; f < FIELDS.length; f++) {
        const tf = row[f] ?? 0;
        if (tf === 0) continue;
        const norm = 1 - BM25.b + (BM25.b * (lengths[f] ?? 0)) / (avg[f] ?? 1);
        impact += (FIELD_BOOST[f] ?? 1) * (BM25.d + (tf * (BM25.k + 1)) / (tf + BM25.k * norm));
      }
      this.#post(term, doc, impactLevel(impact));
    }
    for (const facet of Object.keys(FACETS) as Facet[]) {
      this.#post(facetTerm(facet, article[facet]), doc, 0);
      const counts = this.#facets[facet];
      counts.set(article[facet], (counts.get(article[facet]) ?? 0) + 1);
    }
    this.#records.push(encodeRecord({ ...article, text: snippetSource(article) }));
    this.#ids.push([article.id, doc]);
    const published = Date.parse(article.published);
    if (doc === 0) this.#newest = published;
    this.#minutes.push(minutes(published));
    const done = doc + 1;
    if (done % PROGRESS_EVERY === 0 || done === this.#options.total)
      this.#options.onProgress?.(done, this.#options.total ?? done);
  }

  #post(term: string, doc: number, level: number): void {
    let acc = this.#terms.get(term);
    if (!acc) {
      acc = { df: 0, last: -1, postings: '' };
      this.#terms.set(term, acc);
    }
    acc.postings += encodePosting(doc, acc.last, level);
    acc.last = doc;
    acc.df++;
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
  builder.add(docs);
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
  terms: Map<string, TermAcc>,
  deletes: SegmentOptions['deletes'],
): SearchPart[] {
  const parts: SearchPart[] = [];
  const sorted = [...terms.keys()].sort();

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
