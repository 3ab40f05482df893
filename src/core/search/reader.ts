/**
 * Typed access to one snapshot's index parts through the per-isolate cache. The reader
 * knows nothing of KV: it takes a `read(part)` function (KV in the Worker, a Map in
 * tests and benchmarks).
 */
import * as v from 'valibot';
import { parseJson, StoredValueError } from '../lib/kv-store.ts';
import type { PartStore } from '../lib/part-cache.ts';
import {
  alignedFirsts,
  decodePostings,
  decodeRecord,
  FIELD_LEVEL_IMPACT,
  FIELD_LEVELS,
  FIELD_SEPARATOR,
  LEVEL_IMPACT,
  type DocRecord,
  DocsChunk,
  floorIndex,
  partName,
  type Postings,
  READABLE_SEARCH_FORMATS,
  SearchMeta,
  TERMS_CHUNK_CHARS,
  TermsChunk,
  VOCAB_CHUNK_CHARS,
  VocabChunk,
  vlqDecode,
} from './format.ts';
import { bucketByLevel, type LevelBuckets } from './match.ts';

/** Reads several parts at once (KV's bulk get): a map from part name to value or null. */
export type ReadParts = (parts: readonly string[]) => Promise<Map<string, string | null>>;

/**
 * KV's bulk get takes at most this many keys, and counts as one operation of the 1000 a
 * Worker invocation may make (https://developers.cloudflare.com/changelog/2025-04-10-kv-bulk-reads/,
 * https://developers.cloudflare.com/kv/platform/limits).
 */
export const MAX_BULK_READ = 100;

/**
 * One bulk read for every key asked for in the same turn of the event loop, whoever asks:
 * the readers of an index's segments each gather their own parts, and this joins their
 * reads, so a query over 8 segments still makes one KV round trip per round. Batches of
 * MAX_BULK_READ keys go side by side.
 */
export function coalesceReads(
  read: (keys: readonly string[]) => Promise<Map<string, string | null>>,
  /** Counts the bulk reads really made (Server-Timing). */
  counter: { reads: number } = { reads: 0 },
): (keys: readonly string[]) => Promise<Map<string, string | null>> {
  let queue: { keys: Set<string>; done: Promise<Map<string, string | null>> } | null = null;
  return (keys) => {
    if (!queue) {
      const batch = { keys: new Set<string>(), done: Promise.resolve(new Map()) };
      // Two hops: the other readers' flushes of this turn are queued already and run first.
      batch.done = new Promise<void>((resolve) =>
        queueMicrotask(() => queueMicrotask(resolve)),
      ).then(async () => {
        queue = null;
        const all = [...batch.keys];
        counter.reads += Math.ceil(all.length / MAX_BULK_READ);
        const values = await Promise.all(
          Array.from({ length: Math.ceil(all.length / MAX_BULK_READ) }, (_, k) =>
            read(all.slice(k * MAX_BULK_READ, (k + 1) * MAX_BULK_READ)),
          ),
        );
        return new Map(values.flatMap((m) => [...m]));
      });
      queue = batch;
    }
    for (const key of keys) queue.keys.add(key);
    return queue.done;
  };
}

export interface LoadedMeta extends SearchMeta {
  /** Sampled publication dates (ms), one per `date_stride` documents. */
  sampleDates: Float64Array;
}

/**
 * One posting list of a term: of one field (format 2; `field` indexes FIELDS), or of every
 * field at once (`field` -1: a format-1 index, or a facet), with the value of each level.
 */
export interface TermList {
  field: number;
  postings: Postings;
  impacts: Float64Array;
}

export interface TermPostings {
  /** Documents holding the term in any field. */
  df: number;
  lists: TermList[];
}

/** Format 2's lists of a word (one per field, empty ones dropped), or format 1's one list. */
function decodeLists(encoded: string): TermList[] {
  const fields = encoded.split(FIELD_SEPARATOR);
  if (fields.length === 1)
    return [{ field: -1, postings: decodePostings(encoded), impacts: LEVEL_IMPACT }];
  return fields.flatMap((text, field) =>
    text === ''
      ? []
      : [{ field, postings: decodePostings(text, FIELD_LEVELS), impacts: FIELD_LEVEL_IMPACT }],
  );
}

/**
 * The quick check of a columnar part: the named arrays, of equal length, strings first.
 * Validating every element of a terms part with the schema took longer than parsing it.
 */
function columns(json: unknown, keys: readonly string[]): boolean {
  if (typeof json !== 'object' || json === null) return false;
  const record = json as Record<string, unknown>;
  const arrays = keys.map((k) => record[k]);
  if (!arrays.every(Array.isArray)) return false;
  const [first, ...rest] = arrays as unknown[][];
  return (
    first !== undefined &&
    first.every((t) => typeof t === 'string') &&
    rest.every((a) => a.length === first.length)
  );
}

/**
 * The quick check of `meta`: its fields and their types. At 1M articles it lists ~16k first
 * terms, and the schema took several milliseconds over them in a fresh isolate; the schema
 * still runs (and names the problem) when this check fails. A meta without `docs_per_part`
 * (older indexes) takes the schema's default that way.
 */
function metaShape(json: unknown): boolean {
  if (typeof json !== 'object' || json === null) return false;
  const m = json as Record<string, unknown>;
  const numbers = ['docs', 'newest', 'date_stride', 'vocab_min_df', 'docs_per_part'];
  const strings = (a: unknown) => Array.isArray(a) && a.every((x) => typeof x === 'string');
  const partChars = m.part_chars as Record<string, unknown> | undefined;
  const aligned = m.aligned as Record<string, unknown> | undefined;
  return (
    (aligned === undefined ||
      (typeof aligned === 'object' &&
        aligned !== null &&
        ['base', 'terms', 'vocab'].every((k) => typeof aligned[k] === 'string'))) &&
    READABLE_SEARCH_FORMATS.includes(m.format as number) &&
    (partChars === undefined ||
      (typeof partChars === 'object' &&
        partChars !== null &&
        typeof partChars.terms === 'number' &&
        typeof partChars.vocab === 'number')) &&
    numbers.every((k) => typeof m[k] === 'number') &&
    typeof m.dates === 'string' &&
    Array.isArray(m.avg_length) &&
    m.avg_length.every((x) => typeof x === 'number') &&
    strings(m.terms) &&
    strings(m.vocab) &&
    typeof m.facets === 'object' &&
    m.facets !== null &&
    Object.values(m.facets).every(
      (list) =>
        Array.isArray(list) &&
        list.every(
          (e) =>
            Array.isArray(e) &&
            e.length === 2 &&
            typeof e[0] === 'string' &&
            typeof e[1] === 'number',
        ),
    )
  );
}

/**
 * A cap of `maxParts` parts of the usual size, in this segment's parts: a segment whose parts
 * are cut smaller (meta.part_chars) reads as many characters, so it is capped where one
 * index would be.
 */
function scaledParts(meta: SearchMeta, kind: 'terms' | 'vocab', maxParts: number): number {
  const chars = meta.part_chars?.[kind];
  const usual = kind === 'terms' ? TERMS_CHUNK_CHARS : VOCAB_CHUNK_CHARS;
  return chars && chars > 0 && chars < usual ? Math.round((maxParts * usual) / chars) : maxParts;
}

/** Entries of a sorted part in [from, to), found by binary search. */
function collect(
  chunk: { t: string[]; df: number[] },
  from: string,
  to: string,
  out: [string, number][],
): void {
  for (let i = Math.max(0, floorIndex(chunk.t, from)); i < chunk.t.length; i++) {
    const term = chunk.t[i] ?? '';
    if (term >= to) break;
    if (term >= from) out.push([term, chunk.df[i] ?? 0]);
  }
}

interface Waiting {
  resolve: (raw: string | null) => void;
  reject: (error: unknown) => void;
}

/** Bytes a parsed value holds, roughly: two per character of its JSON plus a margin. */
const parsedBytes = (raw: string) => raw.length * 2 + 256;

export class IndexReader {
  readonly snapshot: string;
  readonly cache: PartStore;
  readonly #read: ReadParts;
  /** Parts requested in this turn of the event loop, read together in one bulk get. */
  #queue = new Map<string, Waiting[]>();
  #meta: Promise<LoadedMeta> | undefined;
  /** The first segment of this reader's set: an aligned segment's parts start where its parts do. */
  #base: IndexReader | undefined;
  readonly #lookups = new Map<string, Promise<TermPostings | null>>();
  /** KV round trips (bulk gets) this reader made, and the parts they read. */
  reads = 0;
  partsRead = 0;
  readMs = 0;
  parseMs = 0;

  constructor(snapshot: string, read: ReadParts, cache: PartStore) {
    this.snapshot = snapshot;
    this.#read = read;
    this.cache = cache;
  }

  /** One part's raw value, read with every other part asked for in the same turn. */
  #readRaw(part: string): Promise<string | null> {
    return new Promise((resolve, reject) => {
      if (this.#queue.size === 0) queueMicrotask(() => void this.#flush());
      const waiting = this.#queue.get(part) ?? [];
      waiting.push({ resolve, reject });
      this.#queue.set(part, waiting);
    });
  }

  async #flush(): Promise<void> {
    const queue = this.#queue;
    this.#queue = new Map();
    const names = [...queue.keys()];
    const batches = Array.from({ length: Math.ceil(names.length / MAX_BULK_READ) }, (_, k) =>
      names.slice(k * MAX_BULK_READ, (k + 1) * MAX_BULK_READ),
    );
    // More than one batch: read side by side, still one round trip.
    await Promise.all(batches.map((batch) => this.#readBatch(batch, queue)));
  }

  async #readBatch(batch: readonly string[], queue: Map<string, Waiting[]>): Promise<void> {
    this.reads++;
    this.partsRead += batch.length;
    const started = performance.now();
    try {
      const values = await this.#read(batch);
      this.readMs += performance.now() - started;
      for (const name of batch)
        for (const w of queue.get(name) ?? []) w.resolve(values.get(name) ?? null);
    } catch (error) {
      for (const name of batch) for (const w of queue.get(name) ?? []) w.reject(error);
    }
  }

  /** Decodes a value read from the index: a failure is the index's fault, not the query's. */
  #decoded<T>(part: string, decode: () => T): T {
    try {
      return decode();
    } catch (error) {
      throw new StoredValueError(
        `${this.snapshot}/${part}`,
        `search index: ${part} of snapshot ${this.snapshot} does not decode: ${String(error)}`,
        { cause: error },
      );
    }
  }

  #load<S extends v.GenericSchema>(
    part: string,
    schema: S,
    check?: (value: unknown) => boolean,
    source = () => this.#readRaw(part),
  ): Promise<v.InferOutput<S>> {
    const key = `${this.snapshot}/${part}`;
    return this.cache.get(key, async () => {
      const raw = await source();
      const read = performance.now();
      if (raw === null)
        throw new StoredValueError(
          key,
          `search index: part "${part}" of snapshot ${this.snapshot} is missing`,
        );
      const json = parseJson(key, raw);
      if (check?.(json)) {
        this.parseMs += performance.now() - read;
        return { value: json as v.InferOutput<S>, bytes: parsedBytes(raw) };
      }
      // The schema names what is wrong; it also runs when the quick check fails.
      const parsed = v.safeParse(schema, json);
      this.parseMs += performance.now() - read;
      if (!parsed.success)
        throw new StoredValueError(
          key,
          `search index: part "${part}" does not match its schema: ${v.summarize(parsed.issues)}`,
        );
      return { value: parsed.output, bytes: parsedBytes(raw) };
    });
  }

  /**
   * Takes the meta's raw value from elsewhere (the search head read with the pointer), unless
   * it is already cached; checked like a value read from KV.
   */
  provideMeta(raw: string): Promise<SearchMeta> {
    return this.#load('meta', SearchMeta, metaShape, () => Promise.resolve(raw));
  }

  /** Makes `base` (the first segment of the set) the segment whose parts an aligned meta names. */
  alignWith(base: IndexReader): void {
    this.#base = base;
  }

  /**
   * The meta with its dates decoded, and an aligned segment's first terms taken from its
   * base's (SearchMeta.aligned). A reader lives for one request, which asks for its meta
   * with every look-up: the first answer is kept (the cache's own look-up hashes a key each time).
   */
  meta(): Promise<LoadedMeta> {
    this.#meta ??= this.#loadMeta();
    return this.#meta;
  }

  async #loadMeta(): Promise<LoadedMeta> {
    // The base's meta beside this one's, not after it: a delta that asked for it only once its
    // own had come started its look-ups turns after the other segments' and missed their bulk
    // read (one more round trip, test/worker/search-segments.test.ts).
    const [meta, baseMeta] = await Promise.all([
      this.#load('meta', SearchMeta, metaShape),
      this.#base?.meta(),
    ]);
    const { aligned } = meta;
    const base = aligned && this.#alignedBase(aligned.base, baseMeta);
    return this.cache.memo(`${this.snapshot}/meta+dates`, () => {
      const firsts =
        aligned && base
          ? this.#decoded('meta', () => ({
              terms: alignedFirsts(aligned.terms, base.terms),
              vocab: alignedFirsts(aligned.vocab, base.vocab),
            }))
          : { terms: meta.terms, vocab: meta.vocab };
      const deltas = this.#decoded('meta', () => vlqDecode(meta.dates));
      const sampleDates = new Float64Array(deltas.length);
      let minute = 0;
      deltas.forEach((delta, i) => {
        minute = i === 0 ? delta : minute - delta;
        sampleDates[i] = minute * 60_000;
      });
      return {
        value: { ...meta, ...firsts, sampleDates },
        bytes:
          sampleDates.byteLength +
          64 +
          (aligned ? 8 * (firsts.terms.length + firsts.vocab.length) : 0),
      };
    });
  }

  /** The meta of the base an aligned segment names: that of the first segment of this reader's set. */
  #alignedBase(id: string, meta: LoadedMeta | undefined): LoadedMeta {
    if (this.#base?.snapshot !== id || !meta)
      throw new StoredValueError(
        `${this.snapshot}/meta`,
        `search index: segment ${this.snapshot} is cut along the parts of segment ${id}, which is not the first segment of its set (${this.#base?.snapshot ?? 'none'})`,
      );
    return meta;
  }

  terms(n: number) {
    return this.#load(partName('terms', n), TermsChunk, (json) => columns(json, ['t', 'df', 'p']));
  }

  vocab(n: number) {
    return this.#load(partName('vocab', n), VocabChunk, (json) => columns(json, ['t', 'df']));
  }

  docs(n: number) {
    return this.#load(
      partName('docs', n),
      DocsChunk,
      (json) =>
        typeof json === 'object' &&
        json !== null &&
        Array.isArray((json as { d?: unknown }).d) &&
        (json as { d: unknown[] }).d.every(
          (r) => Array.isArray(r) && (r.length === 8 || r.length === 9),
        ),
    );
  }

  /**
   * Starts loading, without waiting, the terms parts that hold these terms (and those a
   * completion look-up of the prefix will read), so a query's look-ups share one round of reads.
   */
  async prefetch(
    terms: readonly string[],
    prefix?: { from: string; to: string; maxParts: number },
  ): Promise<void> {
    const meta = await this.meta();
    const parts = new Set(terms.map((t) => floorIndex(meta.terms, t)).filter((n) => n >= 0));
    if (prefix) {
      // The terms parts a completion look-up will read (see termRange).
      const first = Math.max(0, floorIndex(meta.terms, prefix.from));
      const last = Math.min(
        Math.max(first, floorIndex(meta.terms, prefix.to)),
        first + scaledParts(meta, 'terms', prefix.maxParts) - 1,
      );
      for (let n = first; n <= last; n++) parts.add(n);
    }
    for (const n of parts) this.terms(n).catch(() => undefined);
  }

  /**
   * Terms in [from, to) with their document frequency, from at most `usualParts` terms parts
   * of the usual size (scaledParts).
   */
  async termRange(
    from: string,
    to: string,
    usualParts: number,
  ): Promise<{ words: [string, number][]; complete: boolean }> {
    const meta = await this.meta();
    const maxParts = scaledParts(meta, 'terms', usualParts);
    const first = Math.max(0, floorIndex(meta.terms, from));
    let last = Math.max(first, floorIndex(meta.terms, to));
    const complete = last - first < maxParts;
    if (!complete) last = first + maxParts - 1;
    const chunks = await Promise.all(
      Array.from({ length: last - first + 1 }, (_, k) => this.terms(first + k)),
    );
    const words: [string, number][] = [];
    for (const chunk of chunks) collect(chunk, from, to, words);
    return { words, complete };
  }

  /** A term's document frequency and decoded postings, or null if no document has it. */
  lookup(term: string): Promise<TermPostings | null> {
    // Understanding, the statistics and the matching each look a term up: once per request.
    let found = this.#lookups.get(term);
    if (!found) {
      found = this.#lookup(term);
      this.#lookups.set(term, found);
    }
    return found;
  }

  async #lookup(term: string): Promise<TermPostings | null> {
    const meta = await this.meta();
    const n = floorIndex(meta.terms, term);
    if (n < 0) return null;
    const chunk = await this.terms(n);
    const i = floorIndex(chunk.t, term);
    if (i < 0 || chunk.t[i] !== term) return null;
    const df = chunk.df[i] ?? 0;
    const encoded = chunk.p[i] ?? '';
    const lists = this.cache.memo(`${this.snapshot}/p/${term}`, () => {
      const started = performance.now();
      const value = this.#decoded(`postings of "${term}"`, () => decodeLists(encoded));
      this.parseMs += performance.now() - started;
      const bytes = value.reduce(
        (n, l) => n + l.postings.docs.byteLength + l.postings.levels.byteLength + 64,
        0,
      );
      return { value, bytes };
    });
    return { df, lists };
  }

  /** A decoded posting list grouped by impact level (see match.ts), kept with the parts. */
  levelBuckets(term: string, field: number, postings: Postings): LevelBuckets {
    return this.cache.memo(`${this.snapshot}/b/${term}/${field}`, () => {
      const value = bucketByLevel(postings.docs, postings.levels);
      return { value, bytes: value.docs.byteLength + value.starts.byteLength + 96 };
    });
  }

  /**
   * Vocabulary words in [from, to) with their document frequency, reading at most `usualParts`
   * parts of the usual size (scaledParts): the first ones, or those around a word.
   */
  async vocabRange(
    from: string,
    to: string,
    usualParts: number,
    around?: string,
  ): Promise<{ words: [string, number][]; complete: boolean }> {
    const meta = await this.meta();
    const maxParts = scaledParts(meta, 'vocab', usualParts);
    let first = Math.max(0, floorIndex(meta.vocab, from));
    const end = Math.max(first, floorIndex(meta.vocab, to));
    const complete = end - first < maxParts;
    let last = end;
    if (!complete) {
      // The parts nearest `around` (a typo is likelier late in a word than early, so the
      // words sharing its longest prefix are the likeliest neighbours), else the first ones.
      if (around !== undefined)
        first = Math.min(
          Math.max(first, floorIndex(meta.vocab, around) - ((maxParts - 1) >> 1)),
          end - maxParts + 1,
        );
      last = first + maxParts - 1;
    }
    const chunks = await Promise.all(
      Array.from({ length: last - first + 1 }, (_, k) => this.vocab(first + k)),
    );
    const words: [string, number][] = [];
    for (const chunk of chunks) collect(chunk, from, to, words);
    return { words, complete };
  }

  /** Result records of the given document numbers (one read per docs part). */
  async records(docs: readonly number[]): Promise<DocRecord[]> {
    const per = (await this.meta()).docs_per_part;
    const chunkIds = [...new Set(docs.map((doc) => Math.floor(doc / per)))];
    const chunks = new Map(
      await Promise.all(chunkIds.map(async (n) => [n, await this.docs(n)] as const)),
    );
    return docs.map((doc) => {
      const record = chunks.get(Math.floor(doc / per))?.d[doc % per];
      if (!record)
        throw new StoredValueError(
          `${this.snapshot}/docs`,
          `search index: no record for document ${doc} in snapshot ${this.snapshot}`,
        );
      return this.#decoded('docs', () => decodeRecord(record));
    });
  }
}
