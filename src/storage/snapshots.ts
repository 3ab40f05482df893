/**
 * Reading the live snapshot. The pointer is cached in the isolate for a few seconds, so a
 * new snapshot goes live everywhere within POINTER_TTL_MS plus KV's own propagation (up to
 * 60 s). Only a pointer already read is shared between requests, never a read in flight
 * (core/lib/part-cache.ts says why): requests that find it expired at the same moment each
 * read it.
 */
import * as v from 'valibot';
import { Article } from '../core/content/article.ts';
import {
  articleKey,
  articleV2Key,
  feedIndexKey,
  feedPageKey,
  feedV2Key,
  foldedKey,
  foldedV2Key,
  POINTER_KEY,
  sectionsKey,
  sectionsV2Key,
} from '../core/snapshot/keys.ts';
import { PartCache } from '../core/lib/part-cache.ts';
import { coalesceReads } from '../core/search/reader.ts';
import { parseStored } from '../core/lib/kv-store.ts';
import { boundedRead } from './kv-binding.ts';
import {
  ArticleRevisions,
  FeedPage,
  FeedPageV2,
  Folded,
  type ManifestV2,
  Pointer,
  Sections,
} from '../core/snapshot/format.ts';
import { pageGeneration, revisionOf, searchIndexOf } from '../core/snapshot/publish.ts';

export const POINTER_TTL_MS = 5_000;

// One NEWS namespace per Worker, so one cached pointer per isolate.
let cached: { at: number; pointer: Pointer | null } | undefined;
/** Counts forgetPointer calls: a read that started before one does not cache what it read. */
let forgotten = 0;

/**
 * A value a route wants on its first request in an isolate, read in the same KV bulk get as
 * the pointer (one round trip instead of two). `use` gets the raw value; an error in it is logged.
 */
export interface Companion {
  key: string;
  use: (raw: string | null, pointer: Pointer | null) => void;
}

/**
 * The live snapshot pointer, or null when none is published. A `companion` is read with
 * it when the pointer itself has to be read.
 *
 * A pointer that is missing or cannot be read or parsed (a failed KV read, a truncated or
 * foreign value) never takes the site down while this isolate has served a good one: the
 * last good pointer keeps answering, and the failure is logged. Without one, the error is thrown
 * (`PointerUnreadable`) and the routes answer 503.
 */
export async function getPointer(
  kv: KVNamespace,
  { companion, now = Date.now() }: { companion?: Companion | undefined; now?: number } = {},
): Promise<Pointer | null> {
  if (cached && now - cached.at < POINTER_TTL_MS) return cached.pointer;
  const epoch = forgotten;
  let pointer: Pointer | null;
  try {
    const value = await (companion
      ? readWithCompanion(kv, companion)
      : readJson(kv, POINTER_KEY, Pointer));
    if (value) lastGood = value;
    else if (lastGood) console.error(`${POINTER_KEY} is missing, serving the last good pointer`);
    pointer = value ?? lastGood ?? null;
  } catch (error) {
    // Thrown, so not cached: the next request reads again.
    if (!lastGood) throw new PointerUnreadable(String(error));
    console.error(`${POINTER_KEY} unreadable, serving the last good pointer: ${String(error)}`);
    pointer = lastGood;
  }
  if (epoch === forgotten) cached = { at: now, pointer };
  return pointer;
}

/** The pointer could not be read or parsed, and this isolate has no good one to fall back on. */
export class PointerUnreadable extends Error {
  override readonly name = 'PointerUnreadable';
}

/** The newest pointer this isolate read and parsed (see getPointer). */
let lastGood: Pointer | undefined;

async function readWithCompanion(kv: KVNamespace, companion: Companion): Promise<Pointer | null> {
  const values = await boundedRead(POINTER_KEY, () => kv.get([POINTER_KEY, companion.key], 'text'));
  const pointer = parseStored(POINTER_KEY, values.get(POINTER_KEY) ?? null, Pointer);
  try {
    companion.use(values.get(companion.key) ?? null, pointer);
  } catch (error) {
    // The companion only saves a later read; the pointer is what this call is for.
    console.warn(`${companion.key} not used: ${String(error)}`);
  }
  return pointer;
}

/** Forgets the cached pointer (after this isolate itself publishes or rolls back). */
export function forgetPointer(): void {
  cached = undefined;
  lastGood = undefined;
  forgotten++;
}

async function readJson<S extends v.GenericSchema>(
  kv: KVNamespace,
  key: string,
  schema: S,
): Promise<v.InferOutput<S> | null> {
  return parseStored(key, await boundedRead(key, () => kv.get(key, 'text')), schema);
}

/**
 * Snapshot values never change once written (a new snapshot names new keys; an article's
 * revisions are cached per generation), so a parsed value can be kept in the isolate. Measured with `npm run bench:feed`: parsing a 200-item
 * feed window with its schema dominates a cache-missed feed request.
 */
const SNAPSHOT_CACHE_BYTES = 16 * 1024 * 1024;
const parsedValues = new PartCache(SNAPSHOT_CACHE_BYTES);

/** Reads and parses an immutable snapshot value once per isolate (then every request shares it). */
export function readSnapshotValue<S extends v.GenericSchema>(
  kv: KVNamespace,
  key: string,
  schema: S,
  /** For a value that gains revisions: cached per this tag (the generation) as well. */
  tag = '',
  /** How the value is read on a miss (readArticles joins the misses into one bulk get). */
  read: (key: string) => Promise<string | null> = (k) => kv.get(k, 'text'),
): Promise<v.InferOutput<S> | null> {
  // A view of its own per read (core/lib/part-cache.ts): parsed values are shared, reads in flight not.
  return parsedValues.for().get(key + tag, async () => {
    const text = await boundedRead(key, () => read(key));
    // UTF-16 in memory: about twice the JSON text.
    return {
      value: parseStored(key, text, schema),
      bytes: text === null ? key.length : text.length * 2,
    };
  });
}

/**
 * One article of the live snapshot. Format 2 keeps every revision of an article in one value
 * (format.ts ArticleRevisions); the snapshot's is the newest one of its lineage: not newer
 * than its generation, not of a generation it skips. The value gains revisions as snapshots
 * are published, so the parsed one is cached per generation.
 */
export async function readArticle(
  kv: KVNamespace,
  pointer: Pointer,
  id: string,
  read?: (key: string) => Promise<string | null>,
): Promise<Article | null> {
  if (pointer.format === 1)
    return readSnapshotValue(kv, articleKey(pointer.snapshot, id), Article, '', read);
  const m = pointer.manifest;
  const key = articleV2Key(m.epoch, id);
  const revisions = await readSnapshotValue(kv, key, ArticleRevisions, `@${m.generation}`, read);
  return revisions ? revisionOf(revisions, m) : null;
}

/**
 * Articles of the live snapshot, in the order of `ids` (null where one is absent; each read
 * or parse fails alone): those this isolate has not parsed yet in one bulk get (up to
 * MAX_BULK_READ keys a call), not one read each. `counter` counts the reads and their bytes.
 */
export function readArticles(
  kv: KVNamespace,
  pointer: Pointer,
  ids: readonly string[],
  counter: { reads: number; bytes: number } = { reads: 0, bytes: 0 },
): Promise<PromiseSettledResult<Article | null>[]> {
  const bulk = coalesceReads(async (keys) => {
    const values = await kv.get([...keys], 'text');
    for (const value of values.values()) counter.bytes += utf8.encode(value ?? '').length;
    return values;
  }, counter);
  const read = async (key: string) => (await bulk([key])).get(key) ?? null;
  return Promise.allSettled(ids.map((id) => readArticle(kv, pointer, id, read)));
}

const utf8 = new TextEncoder();

export const readSections = (kv: KVNamespace, pointer: Pointer) =>
  pointer.format === 1
    ? readSnapshotValue(kv, sectionsKey(pointer.snapshot), Sections)
    : readSnapshotValue(kv, sectionsV2Key(pointer.manifest.sections), Sections);
export const readFolded = (kv: KVNamespace, pointer: Pointer) =>
  pointer.format === 1
    ? readSnapshotValue(kv, foldedKey(pointer.snapshot), Folded)
    : readSnapshotValue(kv, foldedV2Key(pointer.manifest.folded), Folded);

/** Format 1: a window of a list. */
export const readFeedWindow = (kv: KVNamespace, snap: string, list: string, page: number) =>
  readSnapshotValue(kv, feedPageKey(snap, list, page), FeedPage);
export const readFeedIndex = (kv: KVNamespace, snap: string, list: string) =>
  readSnapshotValue(kv, feedIndexKey(snap, list), v.array(v.tuple([v.string(), v.string()])));

/** Format 2: page `page` (from the oldest end) of a list the manifest names; null when it has no such list. */
export function readFeedPageV2(kv: KVNamespace, m: ManifestV2, list: string, page: number) {
  const runs = m.lists[list];
  if (!runs) return Promise.resolve(null);
  return readSnapshotValue(kv, feedV2Key(list, page, pageGeneration(runs, page)), FeedPageV2);
}

/** The search index the live snapshot's readers use (keys.ts searchKey takes it). */
export const searchIndexId = (pointer: Pointer) =>
  pointer.format === 1 ? pointer.snapshot : searchIndexOf(pointer.manifest);
