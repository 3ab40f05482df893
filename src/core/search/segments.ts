/**
 * An index in segments: a base segment plus small delta segments, each in the format of
 * ./format.ts, listed oldest first. A publish adds one delta over the new and changed
 * articles instead of rewriting the index; a merge policy bounds their number.
 *
 * - Global statistics: document frequencies and document counts are summed over the
 *   segments, recency is measured from the newest article of any segment, and every segment
 *   is built with the field averages of the index it joins, so a posting's impact level and
 *   a term's idf are those of one index over the same articles.
 * - Tombstones travel with the segment that lays them: a delta's `meta.deletes` names the
 *   documents of older segments it replaces (an edited article) or removes. A document is
 *   dead when a newer segment of the list tombstones it. Dead documents still count in the
 *   document frequencies until a merge rewrites their segment (Lucene does the same).
 *
 * docs/search.md ("Segments") has the layout, the merge policy and the figures.
 */
import type { Article } from '../content/article.ts';
import { parseJson, StoredValueError } from '../lib/kv-store.ts';
import type { PartStore } from '../lib/part-cache.ts';
import { buildSearchParts, type SearchPart } from './build.ts';
import {
  FIELDS,
  floorIndex,
  IdsChunk,
  partName,
  type SearchMeta,
  TERMS_CHUNK_CHARS,
  VOCAB_CHUNK_CHARS,
  vlqDecode,
  vlqEncode,
} from './format.ts';
import type { IndexReader, LoadedMeta } from './reader.ts';
import type { Lexicon, WordRange } from './understand.ts';
import * as v from 'valibot';

/** More segments than this and the deltas are merged into one. */
export const MAX_SEGMENTS = 8;
/** Deltas (or dead documents) beyond this share of the base's documents: compact everything. */
export const COMPACT_SHARE = 0.25;
/**
 * A delta of fewer documents than this has its terms and vocab parts cut smaller, in
 * proportion, down to MIN_PART_SCALE of the usual size. A query reads, in every segment, the
 * terms part of each of its words: a 1,000-article delta's terms fill parts of the usual
 * 16 KB with ~8 times the terms of a base's part, which a look-up reads for nothing (with 8
 * segments a cold query read 3.6 times the bytes of one index, docs/search.md "Segments").
 */
export const FULL_PARTS_DOCS = 8_000;
export const MIN_PART_SCALE = 1 / 8;

/** A listed segment with its parsed meta (the JSON at `searchKey(id, 'meta')`). */
export interface SegmentMeta {
  id: string;
  meta: SearchMeta;
}

/** Reads one part of one segment (`store.get(searchKey(id, part))`), or null if missing. */
export type ReadSegmentPart = (id: string, part: string) => Promise<string | null>;

export interface BuiltSegment {
  parts: SearchPart[];
  meta: SearchMeta;
  docs: number;
}

/** Field averages of an index made of these segments, weighted by their documents. */
export function indexAverages(segments: readonly SegmentMeta[]): number[] | undefined {
  const docs = segments.reduce((n, s) => n + s.meta.docs, 0);
  if (docs === 0) return undefined;
  const fields = segments[0]?.meta.avg_length.length ?? 0;
  return Array.from(
    { length: fields },
    (_, f) =>
      segments.reduce((sum, s) => sum + (s.meta.avg_length[f] ?? 0) * s.meta.docs, 0) / docs,
  );
}

async function idsPart(read: ReadSegmentPart, id: string, n: number): Promise<IdsChunk> {
  const key = `${id}/${partName('ids', n)}`;
  const raw = await read(id, partName('ids', n));
  if (raw === null)
    throw new StoredValueError(key, `search segments: part "ids" ${n} of segment ${id} is missing`);
  const parsed = v.safeParse(IdsChunk, parseJson(key, raw));
  if (!parsed.success)
    throw new StoredValueError(
      key,
      `search segments: ids part ${n} of segment ${id}: ${v.summarize(parsed.issues)}`,
    );
  return parsed.output;
}

/** Local document numbers of these article ids in one segment (reads only their ids parts). */
async function locate(
  read: ReadSegmentPart,
  segment: SegmentMeta,
  ids: readonly string[],
): Promise<number[]> {
  const first = segment.meta.ids ?? [];
  const byPart = new Map<number, string[]>();
  for (const id of ids) {
    const n = floorIndex(first, id);
    if (n >= 0) byPart.set(n, [...(byPart.get(n) ?? []), id]);
  }
  const found = await Promise.all(
    [...byPart].map(async ([n, wanted]) => {
      const chunk = await idsPart(read, segment.id, n);
      return wanted.flatMap((id) => {
        const i = floorIndex(chunk.t, id);
        return i >= 0 && chunk.t[i] === id ? [chunk.d[i] ?? 0] : [];
      });
    }),
  );
  return found.flat().sort((a, b) => a - b);
}

/**
 * One segment over `articles`. Without `base`, a whole index (a full build). With `base`
 * (the segments it joins, oldest first), a delta: built with the index's field averages,
 * and tombstoning every document of `base` that holds one of its articles (an edit) or an
 * id in `removed`.
 */
export function buildSegment(articles: readonly Article[]): BuiltSegment;
export function buildSegment(
  articles: readonly Article[],
  options: {
    base: readonly SegmentMeta[];
    read: ReadSegmentPart;
    removed?: readonly string[];
    onProgress?: (done: number, total: number) => void;
  },
): Promise<BuiltSegment>;
export function buildSegment(
  articles: readonly Article[],
  options?: {
    base: readonly SegmentMeta[];
    read: ReadSegmentPart;
    removed?: readonly string[];
    onProgress?: (done: number, total: number) => void;
  },
): BuiltSegment | Promise<BuiltSegment> {
  if (!options) return assembled(buildSearchParts(articles));
  const { base, read, removed = [], onProgress } = options;
  const replaced = [...new Set([...articles.map((a) => a.id), ...removed])];
  return Promise.all(base.map((segment) => locate(read, segment, replaced))).then((found) => {
    const deletes = new Map(
      base.flatMap((segment, i) => (found[i]?.length ? [[segment.id, found[i]] as const] : [])),
    );
    const parts = buildSearchParts(articles, onProgress, {
      avgLength: indexAverages(base),
      deletes,
    });
    return assembled(smallParts(parts, partScale(articles.length), base[0]));
  });
}

/** The share of the usual part sizes a segment of `docs` documents is cut to. */
export const partScale = (docs: number) =>
  Math.min(1, Math.max(MIN_PART_SCALE, docs / FULL_PARTS_DOCS));

const utf8 = new TextEncoder();

/**
 * Where runs of consecutive entries of about `target` characters each start; with `cut`,
 * a run starts only at an entry where it allows one.
 */
function runStarts(
  count: number,
  size: (i: number) => number,
  target: number,
  cut: (i: number) => boolean = () => true,
): number[] {
  const starts: number[] = [];
  let chars = 0;
  for (let i = 0; i < count; i++) {
    if (i === 0 || (chars + size(i) > target && cut(i))) {
      starts.push(i);
      chars = 0;
    }
    chars += size(i);
  }
  return starts;
}

/**
 * A segment's parts with its terms and vocab parts cut again, to `scale` of the usual
 * sizes (TERMS_CHUNK_CHARS, VOCAB_CHUNK_CHARS), and its meta naming their first entries and
 * their size (`part_chars`, which the reader scales its look-up caps by). The entries, the
 * other parts and the format stay as they are.
 *
 * With `align` (the base segment of the index the delta joins), the parts are cut only where
 * the base's parts start, and the meta lists no first entries of its own: `aligned` names the
 * base and, as VLQ gaps, the base part at which each part after the first starts (the reader
 * takes those parts' first terms from the base's meta, format.ts SearchMeta.aligned). A
 * 1,000-article delta's own lists of first entries were 7.7 of its meta's ~10 KB, and every
 * cold query reads every segment's meta.
 */
export function smallParts(
  parts: readonly SearchPart[],
  scale: number,
  align?: SegmentMeta,
): SearchPart[] {
  const metaPart = parts.find((p) => p.part === 'meta');
  if (scale >= 1 || !metaPart) return [...parts];
  const meta = JSON.parse(metaPart.value) as SearchMeta;
  const of = (kind: string) =>
    parts
      .filter((p) => p.part.startsWith(`${kind}.`))
      .sort((a, b) => (a.part < b.part ? -1 : 1))
      .map((p) => JSON.parse(p.value) as { t: string[]; df: number[]; p?: string[] });
  const part = (name: string, value: string): SearchPart => ({
    part: name,
    value,
    bytes: utf8.encode(value).length,
  });
  const chars = {
    terms: Math.round(TERMS_CHUNK_CHARS * scale),
    vocab: Math.round(VOCAB_CHUNK_CHARS * scale),
  };
  const recut = (kind: 'terms' | 'vocab') => {
    const chunks = of(kind);
    const t = chunks.flatMap((c) => c.t);
    const df = chunks.flatMap((c) => c.df);
    const p = kind === 'terms' ? chunks.flatMap((c) => c.p ?? []) : null;
    // The sizes the build cuts by (build.ts): a term with its postings, a word with its count.
    const size = p
      ? (i: number) => t[i]!.length + p[i]!.length + 12
      : (i: number) => t[i]!.length + 8;
    // Aligned: the base part each entry falls in; a part may end only where that changes.
    const firsts = align?.meta[kind];
    const baseParts = firsts ? t.map((term) => Math.max(0, floorIndex(firsts, term))) : null;
    const starts = runStarts(
      t.length,
      size,
      chars[kind],
      baseParts ? (i) => baseParts[i] !== baseParts[i - 1] : undefined,
    );
    const made = starts.map((start, n) => {
      const end = starts[n + 1] ?? t.length;
      const value = JSON.stringify({
        t: t.slice(start, end),
        df: df.slice(start, end),
        ...(p ? { p: p.slice(start, end) } : {}),
      });
      return part(partName(kind, n), value);
    });
    const basePartOf = starts.slice(1).map((i) => baseParts?.[i] ?? 0);
    return {
      made,
      first: starts.map((i) => t[i]!),
      aligned: vlqEncode(basePartOf.map((b, n) => b - (basePartOf[n - 1] ?? 0))),
    };
  };
  const terms = recut('terms');
  const vocab = recut('vocab');
  const resized: SearchMeta = align
    ? {
        ...meta,
        terms: [],
        vocab: [],
        part_chars: chars,
        aligned: { base: align.id, terms: terms.aligned, vocab: vocab.aligned },
      }
    : { ...meta, terms: terms.first, vocab: vocab.first, part_chars: chars };
  return [
    part('meta', JSON.stringify(resized)),
    ...terms.made,
    ...vocab.made,
    ...parts.filter((p) => p.part !== 'meta' && !/^(terms|vocab)\./.test(p.part)),
  ];
}

function assembled(parts: SearchPart[]): BuiltSegment {
  const raw = parts.find((p) => p.part === 'meta')?.value ?? '{}';
  const meta = JSON.parse(raw) as SearchMeta;
  return { parts, meta, docs: meta.docs };
}

/** Dead local documents of each segment: the tombstones of every newer segment. */
export function deadDocuments(segments: readonly SegmentMeta[]): Map<string, Set<number>> {
  const dead = new Map<string, Set<number>>();
  for (const { meta } of segments) {
    for (const [id, encoded] of Object.entries(meta.deletes ?? {})) {
      const set = dead.get(id) ?? new Set<number>();
      let doc = 0;
      vlqDecode(encoded).forEach((gap, i) => {
        doc = i === 0 ? gap : doc + gap;
        set.add(doc);
      });
      dead.set(id, set);
    }
  }
  return dead;
}

/**
 * The merge policy, run after a delta is added: null, or the ids of the contiguous run of
 * segments (ending at the newest) to rebuild as one segment.
 * - deltas, or dead documents, above COMPACT_SHARE of the base's documents: all of them
 *   (compaction), so the deltas never outgrow the base and tombstones do not pile up;
 * - more than MAX_SEGMENTS segments: every delta (the base stays).
 * Small deltas are merged far more often than the base is rewritten: with 1,000 articles a
 * publish at 1M, the deltas are merged every 8 publishes (at most 8,000 articles rebuilt),
 * and the base once per ~250 publishes.
 */
export function planMerge(segments: readonly SegmentMeta[]): { merge: string[] } | null {
  const [base, ...deltas] = segments;
  if (!base || deltas.length === 0) return null;
  const deltaDocs = deltas.reduce((n, s) => n + s.meta.docs, 0);
  const dead = [...deadDocuments(segments).values()].reduce((n, s) => n + s.size, 0);
  if (deltaDocs > COMPACT_SHARE * base.meta.docs || dead > COMPACT_SHARE * base.meta.docs)
    return { merge: segments.map((s) => s.id) };
  if (segments.length > MAX_SEGMENTS) return { merge: deltas.map((s) => s.id) };
  return null;
}

/**
 * The live article ids of the segments to merge (`merge`, from planMerge) among `all`
 * (oldest first): every id of their ids parts whose document no newer segment tombstones.
 */
export async function segmentArticlesToKeep(
  merge: readonly string[],
  all: readonly SegmentMeta[],
  read: ReadSegmentPart,
): Promise<string[]> {
  const dead = deadDocuments(all);
  const ids = await Promise.all(
    all
      .filter((s) => merge.includes(s.id))
      .map(async (segment) => {
        const chunks = await Promise.all(
          (segment.meta.ids ?? []).map((_, n) => idsPart(read, segment.id, n)),
        );
        const gone = dead.get(segment.id);
        return chunks.flatMap((c) => c.t.filter((_, i) => !gone?.has(c.d[i] ?? -1)));
      }),
  );
  return ids.flat();
}

/** A term's documents over a set: in any field, and in each field. */
interface TermCounts {
  df: number;
  fields: number[];
}

/** One segment of a loaded set: its reader, meta, dead documents and global numbering. */
export interface LoadedSegment {
  reader: IndexReader;
  meta: LoadedMeta;
  /** Dead local documents (null when none). */
  dead: Uint8Array | null;
  /** Added to a local document number to give one number across the set, newest segment first. */
  offset: number;
}

export interface LoadedSet {
  segments: LoadedSegment[];
  /** Documents over every segment (dead ones included: they still count in frequencies). */
  docs: number;
  /** Newest publication date of any segment (ms): recency is measured from it. */
  newest: number;
}

/**
 * The segments of one index, read together as one: it answers understanding's look-ups
 * with global frequencies (./understand.ts Lexicon), and the engine (./query.ts) matches
 * each segment with them. Readers are given oldest first, as the manifest lists them.
 */
export class SegmentSet implements Lexicon {
  readonly snapshot: string;
  readonly cache: PartStore;
  readonly readers: readonly IndexReader[];

  /** Bulk reads made for the segments together, when their reads are joined (coalesceReads). */
  readonly #joined: { reads: number } | undefined;
  #loaded: Promise<LoadedSet> | undefined;
  readonly #counts = new Map<string, Promise<TermCounts>>();

  constructor(readers: readonly IndexReader[], joined?: { reads: number }) {
    this.#joined = joined;
    const [first] = readers;
    if (!first) throw new Error('search segments: a segment set needs at least one segment');
    this.readers = readers;
    for (const reader of readers.slice(1)) reader.alignWith(first);
    this.snapshot = readers.map((r) => r.snapshot).join('+');
    this.cache = first.cache;
  }

  /** Bulk reads, parts read and time spent, over every segment's reader (Server-Timing). */
  get reads() {
    return this.#joined?.reads ?? this.readers.reduce((n, r) => n + r.reads, 0);
  }
  get partsRead() {
    return this.readers.reduce((n, r) => n + r.partsRead, 0);
  }
  get readMs() {
    return this.readers.reduce((n, r) => n + r.readMs, 0);
  }
  get parseMs() {
    return this.readers.reduce((n, r) => n + r.parseMs, 0);
  }

  /** The set's segments and global counts (kept for this set's one request, see IndexReader.meta). */
  load(): Promise<LoadedSet> {
    this.#loaded ??= this.#load();
    return this.#loaded;
  }

  async #load(): Promise<LoadedSet> {
    const metas = await Promise.all(this.readers.map((r) => r.meta()));
    return this.cache.memo(`${this.snapshot}/set`, () => {
      const dead = deadDocuments(this.readers.map((r, i) => ({ id: r.snapshot, meta: metas[i]! })));
      let offset = 0;
      const segments: LoadedSegment[] = [];
      // Numbered newest segment first, so the set's numbers run newest first like one index's.
      for (let i = this.readers.length - 1; i >= 0; i--) {
        const reader = this.readers[i]!;
        const meta = metas[i]!;
        const gone = dead.get(reader.snapshot);
        let bitmap: Uint8Array | null = null;
        if (gone && gone.size > 0) {
          bitmap = new Uint8Array(meta.docs);
          for (const doc of gone) if (doc < meta.docs) bitmap[doc] = 1;
        }
        segments.unshift({ reader, meta, dead: bitmap, offset });
        offset += meta.docs;
      }
      const value: LoadedSet = {
        segments,
        docs: offset,
        newest: Math.max(0, ...metas.map((m) => m.newest)),
      };
      return { value, bytes: 256 + segments.reduce((n, s) => n + (s.dead?.byteLength ?? 0), 0) };
    });
  }

  async meta(): Promise<{ docs: number }> {
    return { docs: (await this.load()).docs };
  }

  /** A term's document frequency over every segment. */
  async lookup(term: string): Promise<{ df: number } | null> {
    const { df } = await this.frequencies(term);
    return df > 0 ? { df } : null;
  }

  /**
   * A term's document frequency over every segment, in any field and in each field (the
   * per-field idf of format 2). A format-1 segment knows only the first: it stands for each.
   * Kept for the request, and over several segments in the cache too: understanding asks for
   * dozens of candidate terms (a Latin word's Cyrillic readings), each a look-up per segment.
   */
  frequencies(term: string): Promise<TermCounts> {
    let found = this.#counts.get(term);
    if (!found) {
      found =
        this.readers.length === 1
          ? this.#frequencies(term)
          : this.cache.get(`${this.snapshot}/df/${term}`, async () => ({
              value: await this.#frequencies(term),
              bytes: 128 + 2 * term.length,
            }));
      this.#counts.set(term, found);
    }
    return found;
  }

  async #frequencies(term: string): Promise<TermCounts> {
    const found = await Promise.all(this.readers.map((r) => r.lookup(term)));
    const fields = FIELDS.map(() => 0);
    let df = 0;
    for (const f of found) {
      if (!f) continue;
      df += f.df;
      for (const list of f.lists) {
        if (list.field >= 0) fields[list.field]! += list.postings.docs.length;
        else for (let i = 0; i < fields.length; i++) fields[i]! += f.df;
      }
    }
    return { df, fields };
  }

  termRange(from: string, to: string, maxParts: number): Promise<WordRange> {
    return this.#merged((r) => r.termRange(from, to, maxParts));
  }

  vocabRange(from: string, to: string, maxParts: number, around?: string): Promise<WordRange> {
    return this.#merged((r) => r.vocabRange(from, to, maxParts, around));
  }

  /** One range from every segment: frequencies of a word summed, complete if every one is. */
  async #merged(range: (reader: IndexReader) => Promise<WordRange>): Promise<WordRange> {
    const ranges = await Promise.all(this.readers.map(range));
    if (ranges.length === 1) return ranges[0]!;
    // Each range is sorted: merged by taking the least head each time (a typo scan's ranges
    // hold thousands of words each, which a map and a sort of them all took most of).
    const lists = ranges.map((r) => r.words);
    const at = lists.map(() => 0);
    const words: [string, number][] = [];
    for (;;) {
      let least: string | undefined;
      for (let k = 0; k < lists.length; k++) {
        const word = lists[k]![at[k]!]?.[0];
        if (word !== undefined && (least === undefined || word < least)) least = word;
      }
      if (least === undefined) break;
      let df = 0;
      for (let k = 0; k < lists.length; k++) {
        const entry = lists[k]![at[k]!];
        if (entry?.[0] === least) {
          df += entry[1];
          at[k]!++;
        }
      }
      words.push([least, df]);
    }
    return { words, complete: ranges.every((r) => r.complete) };
  }
}
