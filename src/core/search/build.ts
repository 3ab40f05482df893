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
  const avg = options.avgLength ?? averageLengths(docs);
  const terms = new Map<string, TermAcc>();
  const optionsByLang = new Map<string, ReturnType<typeof miniSearchOptions>>();

  const add = (term: string, doc: number, level: number) => {
    let acc = terms.get(term);
    if (!acc) {
      acc = { df: 0, last: -1, postings: '' };
      terms.set(term, acc);
    }
    acc.postings += encodePosting(doc, acc.last, level);
    acc.last = doc;
    acc.df++;
  };

  docs.forEach((article, doc) => {
    const group = stemGroup(article.lang);
    let opts = optionsByLang.get(group);
    if (!opts) {
      opts = miniSearchOptions(group);
      optionsByLang.set(group, opts);
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
    for (const [term, row] of tfs) {
      let impact = 0;
      for (let f = 0; f < FIELDS.length; f++) {
        const tf = row[f] ?? 0;
        if (tf === 0) continue;
        const norm = 1 - BM25.b + (BM25.b * (lengths[f] ?? 0)) / (avg[f] ?? 1);
        impact += (FIELD_BOOST[f] ?? 1) * (BM25.d + (tf * (BM25.k + 1)) / (tf + BM25.k * norm));
      }
      add(term, doc, impactLevel(impact));
    }
    for (const facet of Object.keys(FACETS) as Facet[])
      add(facetTerm(facet, article[facet]), doc, 0);
    if ((doc + 1) % PROGRESS_EVERY === 0 || doc + 1 === docs.length)
      onProgress?.(doc + 1, docs.length);
  });

  return assemble(docs, [...avg], terms, options.deletes);
}

/** Gaps between sorted numbers (the first as is), for VLQ. */
const gaps = (sorted: readonly number[]) =>
  sorted.map((n, i) => (i === 0 ? n : n - sorted[i - 1]!));

function assemble(
  docs: readonly Article[],
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

  const minDf = docs.length < SMALL_INDEX_DOCS ? 1 : 2;
  const words = sorted.filter((t) => /^[\p{L}\p{N}]/u.test(t) && (terms.get(t)?.df ?? 0) >= minDf);
  const vocabChunks = chunk(words, (t) => t.length + 8, VOCAB_CHUNK_CHARS);
  vocabChunks.forEach((chunkWords, n) => {
    const value = JSON.stringify({
      t: chunkWords,
      df: chunkWords.map((t) => terms.get(t)?.df ?? 0),
    });
    parts.push(assertPartSize({ part: partName('vocab', n), value }));
  });

  for (let n = 0; n * DOCS_PER_CHUNK < docs.length; n++) {
    const records: StoredRecord[] = docs
      .slice(n * DOCS_PER_CHUNK, (n + 1) * DOCS_PER_CHUNK)
      .map((a) => encodeRecord({ ...a, text: snippetSource(a) }));
    parts.push(
      assertPartSize({ part: partName('docs', n), value: JSON.stringify({ d: records }) }),
    );
  }

  // Article id -> document number, sorted by id: what a later segment reads to find the
  // documents an edit replaces.
  const byId = docs.map((a, doc) => [a.id, doc] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const idChunks = chunk(byId, ([id]) => id.length + 10, IDS_CHUNK_CHARS);
  idChunks.forEach((entries, n) => {
    const value = JSON.stringify({ t: entries.map((e) => e[0]), d: entries.map((e) => e[1]) });
    parts.push(assertPartSize({ part: partName('ids', n), value }));
  });

  const stride = Math.max(1, Math.ceil(docs.length / MAX_DATE_SAMPLES));
  const samples: number[] = [];
  for (let i = 0; i < docs.length; i += stride)
    samples.push(minutes(Date.parse(docs[i]?.published ?? '')));
  const facetCounts = (facet: Facet): [string, number][] => {
    const counts = new Map<string, number>();
    for (const doc of docs) counts.set(doc[facet], (counts.get(doc[facet]) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  };
  const meta: SearchMeta = {
    format: SEARCH_FORMAT,
    docs: docs.length,
    newest: docs.length > 0 ? Date.parse(docs[0]?.published ?? '') : 0,
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
