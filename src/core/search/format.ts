/**
 * The search index format: a term-partitioned inverted index cut into small immutable
 * KV values (Pagefind's layout: term-range chunks plus a small meta file), written with
 * the snapshot at `searchKey(snapshot, part)`. See docs/search.md for the figures.
 *
 *   meta           counts, field averages, the first term of every terms/vocab chunk,
 *                  sampled publication dates, facet values
 *   terms.NNNN     sorted terms of one range: document frequency and postings
 *   vocab.NNNN     sorted surface words with their document frequency (suggest,
 *                  prefix expansion, typo and layout correction)
 *   docs.NNNN      docs_per_part result records (id, title, snippet text, facets, url)
 *
 * Documents are numbered newest first, so a posting list is also a recency order, a date
 * range is a range of document numbers, and `sort=newest` is document order.
 */
import * as v from 'valibot';

/**
 * Bumped when the meaning of any part changes; the reader reads every format listed in
 * READABLE_SEARCH_FORMATS and refuses others.
 * - 1: one posting list per term, its level the impact summed over the fields; one df.
 * - 2: one posting list per (term, field), levels of the field's BM25+ term-frequency part,
 *   so a query computes MiniSearch's per-field idf (df of the term in that field).
 */
export const SEARCH_FORMAT = 2;
export const READABLE_SEARCH_FORMATS: readonly number[] = [1, 2];

export const FIELDS = ['title', 'summary', 'body'] as const;
/** Title words weigh most: a headline states what the article is about. */
export const FIELD_BOOST = [3, 1.5, 1] as const;
/** MiniSearch's own BM25+ defaults (k1, b, delta), so scores match MiniSearch's. */
export const BM25 = { k: 1.2, b: 0.7, d: 0.5 } as const;

/**
 * Result records per docs part (meta.docs_per_part; indexes written before it was recorded
 * have 32). A page of results is scattered over the collection, so each result usually costs
 * its own part: small parts keep the bytes of a cold page's one bulk read down (10 parts of
 * 32 records is ~150 KB of JSON, of 8 records ~40 KB), at the price of more KV keys.
 */
export const DOCS_PER_CHUNK = 8;
export const LEGACY_DOCS_PER_CHUNK = 32;
/**
 * Target size of a terms part (characters). A cold query reads a handful of them, and a
 * read costs by the byte as well as by the round trip (local KV: 1 key of 11 KB 7 ms, of
 * 177 KB 11-15 ms); smaller parts only lengthen the list of first terms in `meta`.
 */
export const TERMS_CHUNK_CHARS = 16 * 1024;
export const VOCAB_CHUNK_CHARS = 32 * 1024;
/** The bound on any one KV value (KV itself allows 25 MiB). */
export const MAX_PART_BYTES = 5 * 1024 * 1024;
/** At most this many sampled dates in meta; between samples a date is interpolated. */
export const MAX_DATE_SAMPLES = 16_384;
/** Characters of summary (or body) kept per result for the snippet (shown: up to 200). */
export const SNIPPET_SOURCE_CHARS = 240;

/** Term-space marks: facets sort first, stems (`~`) after Latin words, before Cyrillic. */
export const FACET_MARK = '!';
export const FACETS = { section: 's', lang: 'l', source: 'o' } as const;
export type Facet = keyof typeof FACETS;
export const facetTerm = (facet: Facet, value: string) =>
  `${FACET_MARK}${FACETS[facet]}:${value.toLowerCase()}`;

export const partName = (kind: 'terms' | 'vocab' | 'docs' | 'ids', n: number) =>
  `${kind}.${String(n).padStart(4, '0')}`;

export const SearchMeta = v.object({
  format: v.union([v.literal(1), v.literal(SEARCH_FORMAT)]),
  docs: v.number(),
  /** Newest publication date in the index (ms); recency is measured from it. */
  newest: v.number(),
  avg_length: v.array(v.number()),
  /** Document number of every date sample is `i * date_stride`. */
  date_stride: v.number(),
  /** VLQ: first sample in minutes since the epoch, then the decrease to each next one. */
  dates: v.string(),
  terms: v.array(v.string()),
  vocab: v.array(v.string()),
  vocab_min_df: v.number(),
  docs_per_part: v.optional(v.number(), LEGACY_DOCS_PER_CHUNK),
  facets: v.record(v.string(), v.array(v.tuple([v.string(), v.number()]))),
  /**
   * The first article id of every `ids` part (segments, ./segments.ts); absent in indexes
   * written before segments.
   */
  ids: v.optional(v.array(v.string())),
  /**
   * Tombstones this segment lays on older ones: segment id -> VLQ of the gaps between the
   * local document numbers it replaces or removes (first number as is).
   */
  deletes: v.optional(v.record(v.string(), v.string())),
  /**
   * Target sizes (characters) of this segment's terms and vocab parts when they are not
   * TERMS_CHUNK_CHARS and VOCAB_CHUNK_CHARS: a small delta's parts are cut smaller
   * (./segments.ts), and a look-up capped at N parts reads as many characters as N of the
   * usual size. Absent: the usual sizes.
   */
  part_chars: v.optional(v.object({ terms: v.number(), vocab: v.number() })),
  /**
   * A small delta whose terms and vocab parts are cut where the parts of `base` (the first
   * segment of its index) start (./segments.ts smallParts): `terms` and `vocab` above are then
   * empty, and these VLQ gaps give, for each part after the first, the base part it starts at;
   * its first term is that base part's. Read only as a later segment of a set whose first
   * segment is `base` (a merge that rewrites the base rewrites every delta too).
   */
  aligned: v.optional(v.object({ base: v.string(), terms: v.string(), vocab: v.string() })),
});
export type SearchMeta = v.InferOutput<typeof SearchMeta>;

/**
 * The search head (`news:v1:search-head`, written with the pointer, read with a cold pointer):
 * the meta of every segment of the live index, oldest first, as `<segment id>\n<meta JSON>`
 * lines joined by `\n` (JSON.stringify writes no raw newline, an id has none). A head of one
 * segment is the `<id>\n<meta>` written before segments: both read the same way. Holding
 * every segment's meta saves a cold search over several segments a round trip to KV.
 */
export function encodeSearchHead(segments: readonly (readonly [string, string])[]): string {
  return segments.map(([id, meta]) => `${id}\n${meta}`).join('\n');
}

/** The (segment id, raw meta) pairs of a search head; a dangling id without meta is dropped. */
export function decodeSearchHead(raw: string): [string, string][] {
  const lines = raw.split('\n');
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < lines.length; i += 2) pairs.push([lines[i]!, lines[i + 1]!]);
  return pairs;
}

/**
 * A terms part. `df` counts the documents holding the term in any field. `p` is, in format 1,
 * the term's posting list; in format 2, a word's lists per field (FIELDS order) joined by
 * FIELD_SEPARATOR (a field without the term has an empty list), and a facet's one list.
 */
export const TermsChunk = v.object({
  t: v.array(v.string()),
  df: v.array(v.number()),
  p: v.array(v.string()),
});
export type TermsChunk = v.InferOutput<typeof TermsChunk>;
export const VocabChunk = v.object({ t: v.array(v.string()), df: v.array(v.number()) });
export type VocabChunk = v.InferOutput<typeof VocabChunk>;

/**
 * A result record as stored: id, title, snippet text, section, lang, source, published (ISO),
 * url, then image (null when none; absent in indexes written before hits carried images).
 */
const RECORD_FIELDS = [
  v.string(),
  v.string(),
  v.string(),
  v.string(),
  v.string(),
  v.string(),
  v.string(),
  v.nullable(v.string()),
] as const;
export const StoredRecord = v.union([
  v.tuple([...RECORD_FIELDS, v.nullable(v.string())]),
  v.tuple(RECORD_FIELDS),
]);
export type StoredRecord = v.InferOutput<typeof StoredRecord>;
export const DocsChunk = v.object({ d: v.array(StoredRecord) });
/** Article ids of a segment, sorted, with their local document numbers. */
export const IdsChunk = v.object({ t: v.array(v.string()), d: v.array(v.number()) });
export type IdsChunk = v.InferOutput<typeof IdsChunk>;
export const IDS_CHUNK_CHARS = 32 * 1024;
export type DocsChunk = v.InferOutput<typeof DocsChunk>;

/** A result record by name. */
export interface DocRecord {
  id: string;
  title: string;
  /** The text snippets are cut from (summary or body, see build.ts snippetSource). */
  text: string;
  section: string;
  lang: string;
  source: string;
  /** ISO 8601. */
  published: string;
  url: string | null;
  /** The article's image URL, if it has one. */
  image: string | null;
}

/** The stored tuple by name: the one place that knows the positions. */
export function decodeRecord(stored: StoredRecord): DocRecord {
  const [id, title, text, section, lang, source, published, url, image = null] = stored;
  return { id, title, text, section, lang, source, published, url, image };
}

export function encodeRecord(r: DocRecord): StoredRecord {
  return [r.id, r.title, r.text, r.section, r.lang, r.source, r.published, r.url, r.image];
}

// --- VLQ: 5 payload bits per character, base64 alphabet, bit 5 = "more follows". -------
// Denser than base64 over varint bytes for small numbers, JSON-safe, decoded without atob.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/** One non-negative integer as VLQ digits, least significant first. */
function vlqOne(value: number): string {
  let out = '';
  do {
    let digit = value % 32;
    value = Math.floor(value / 32);
    if (value > 0) digit |= 32;
    out += ALPHABET[digit];
  } while (value > 0);
  return out;
}

export function vlqEncode(values: Iterable<number>): string {
  let out = '';
  for (const value of values) {
    if (!Number.isInteger(value) || value < 0)
      throw new Error(`search index: VLQ value must be a non-negative integer, got ${value}`);
    out += vlqOne(value);
  }
  return out;
}

export function vlqDecode(text: string): number[] {
  const values: number[] = [];
  let value = 0;
  let scale = 1;
  for (let i = 0; i < text.length; i++) {
    const digit = DECODE[text.charCodeAt(i)] ?? -1;
    if (digit < 0) throw new Error(`search index: bad VLQ character at ${i}`);
    value += (digit & 31) * scale;
    if (digit & 32) {
      scale *= 32;
    } else {
      values.push(value);
      value = 0;
      scale = 1;
    }
  }
  return values;
}

/** A posting list: document numbers ascending, each with a quantised impact level. */
export interface Postings {
  docs: Int32Array;
  levels: Uint8Array;
}

/** Impact levels: 5 bits, so a posting of a nearby document is two characters. */
export const IMPACT_LEVELS = 32;
/** Largest impact: every field at the BM25+ ceiling (d + k + 1) times its boost. */
const MAX_IMPACT = FIELD_BOOST.reduce((sum, boost) => sum + boost * (BM25.d + BM25.k + 1), 0);

/** Log-scale quantisation: relative error under 5% across the range. */
export function impactLevel(impact: number): number {
  const level = Math.round(((IMPACT_LEVELS - 1) * Math.log1p(impact)) / Math.log1p(MAX_IMPACT));
  return Math.max(1, Math.min(IMPACT_LEVELS - 1, level));
}

export const LEVEL_IMPACT = Float64Array.from({ length: IMPACT_LEVELS }, (_, level) =>
  Math.expm1((level * Math.log1p(MAX_IMPACT)) / (IMPACT_LEVELS - 1)),
);

/** Between a word's per-field posting lists in a format-2 terms part (not a VLQ character). */
export const FIELD_SEPARATOR = ',';

/**
 * Format 2's level of one field: MiniSearch's BM25+ term-frequency part
 * `d + tf (k + 1) / (tf + k (1 - b + b len / avg))`, which lies in [d, d + k + 1), on a log
 * scale over that range in levels 1..FIELD_LEVELS - 1 (0 is a facet's). The boost and the
 * idf are the query's. Relative error of a level's value: at most FIELD_LEVEL_ERROR.
 */
export const FIELD_LEVELS = 128;
const TF_LOW = BM25.d;
const TF_HIGH = BM25.d + BM25.k + 1;
const TF_STEP = Math.log(TF_HIGH / TF_LOW) / (FIELD_LEVELS - 2);
export const FIELD_LEVEL_ERROR = Math.expm1(TF_STEP / 2);

/** MiniSearch's BM25+ term-frequency part (calcBM25Score without the idf). */
export function tfPart(tf: number, length: number, avgLength: number): number {
  return (
    BM25.d + (tf * (BM25.k + 1)) / (tf + BM25.k * (1 - BM25.b + (BM25.b * length) / avgLength))
  );
}

export function fieldLevel(part: number): number {
  const level = 1 + Math.round(Math.log(part / TF_LOW) / TF_STEP);
  return Math.max(1, Math.min(FIELD_LEVELS - 1, level));
}

export const FIELD_LEVEL_IMPACT = Float64Array.from({ length: FIELD_LEVELS }, (_, level) =>
  level === 0 ? 0 : TF_LOW * Math.exp((level - 1) * TF_STEP),
);

/**
 * One posting as VLQ of `(gap - 1) * levels + level`, the gap counted from the previous
 * document; `levels` is IMPACT_LEVELS (format 1, facets) or FIELD_LEVELS (format 2 words).
 */
export function encodePosting(
  doc: number,
  previous: number,
  level: number,
  levels = IMPACT_LEVELS,
): string {
  // One number, not vlqEncode's iterable: a build encodes hundreds of millions of postings
  // at 1M, and an array and iterator per posting were garbage.
  return vlqOne((doc - previous - 1) * levels + level);
}

export function encodePostings(
  docs: readonly number[],
  levelsOf: readonly number[],
  levels = IMPACT_LEVELS,
): string {
  let out = '';
  let previous = -1;
  docs.forEach((doc, i) => {
    out += encodePosting(doc, previous, levelsOf[i] ?? 0, levels);
    previous = doc;
  });
  return out;
}

export function decodePostings(text: string, base = IMPACT_LEVELS): Postings {
  const values = vlqDecode(text);
  const docs = new Int32Array(values.length);
  const levels = new Uint8Array(values.length);
  let doc = -1;
  for (let i = 0; i < values.length; i++) {
    const value = values[i] ?? 0;
    doc += Math.floor(value / base) + 1;
    docs[i] = doc;
    levels[i] = value % base;
  }
  return { docs, levels };
}

/** MiniSearch's BM25+ inverse document frequency. */
export function idf(docCount: number, df: number): number {
  return Math.log(1 + (docCount - df + 0.5) / (df + 0.5));
}

/** Index of the last entry of a sorted array that is <= key (-1 if none). Code-unit order. */
export function floorIndex(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] ?? '') <= key) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/**
 * The first terms of an aligned segment's terms or vocab parts (SearchMeta.aligned), from the
 * base's: '' for the first part (it starts before anything), then the first term of the base
 * part each later part starts at.
 */
export function alignedFirsts(gaps: string, base: readonly string[]): string[] {
  const firsts = [''];
  let at = 0;
  for (const gap of vlqDecode(gaps)) {
    at += gap;
    const term = base[at];
    if (term === undefined)
      throw new Error(`aligned part starts at base part ${at} of ${base.length}`);
    firsts.push(term);
  }
  return firsts;
}
