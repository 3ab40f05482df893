/**
 * Reading the live snapshot. The pointer is cached in the isolate for a few seconds and
 * concurrent requests share one in-flight read, so a new snapshot goes live everywhere
 * within POINTER_TTL_MS plus KV's own propagation (up to 60 s).
 */
import * as v from 'valibot';
import { Article } from '../core/article.ts';
import { articleKey, feedIndexKey, feedPageKey, foldedKey, POINTER_KEY, sectionsKey } from '../core/keys.ts';
import { PartCache } from '../core/cache.ts';
import { FeedPage, Folded, Pointer, Sections } from '../core/snapshot-format.ts';

export const POINTER_TTL_MS = 5_000;

// One NEWS namespace per Worker, so one cached pointer per isolate.
let cached: { at: number; pointer: Promise<Pointer | null> } | undefined;

/** The live snapshot pointer, or null before the first publish. */
export function getPointer(kv: KVNamespace, now = Date.now()): Promise<Pointer | null> {
  if (cached && now - cached.at < POINTER_TTL_MS) return cached.pointer;
  const pointer = readJson(kv, POINTER_KEY, Pointer);
  cached = { at: now, pointer };
  // A failed read must not stay cached for the whole TTL.
  pointer.catch(() => {
    if (cached?.pointer === pointer) cached = undefined;
  });
  return pointer;
}

/** Forgets the cached pointer (after this isolate itself publishes or rolls back). */
export function forgetPointer(): void {
  cached = undefined;
}

export async function readJson<S extends v.GenericSchema>(kv: KVNamespace, key: string, schema: S): Promise<v.InferOutput<S> | null> {
  const raw = await kv.get(key, 'json');
  if (raw === null) return null;
  const parsed = v.safeParse(schema, raw);
  if (!parsed.success) throw new Error(`KV value at ${key} does not match its schema: ${v.summarize(parsed.issues)}`);
  return parsed.output;
}

/**
 * Snapshot values never change once written (a new snapshot has new keys), so a parsed
 * value can be kept in the isolate. Measured with `npm run bench:feed`: parsing a 200-item
 * feed window with its schema dominates a cache-missed feed request.
 */
const SNAPSHOT_CACHE_BYTES = 16 * 1024 * 1024;
const parsedValues = new PartCache(SNAPSHOT_CACHE_BYTES);

/** Reads and parses an immutable snapshot value once per isolate; misses share one load. */
export function readSnapshotValue<S extends v.GenericSchema>(kv: KVNamespace, key: string, schema: S): Promise<v.InferOutput<S> | null> {
  return parsedValues.get(key, async () => {
    const text = await kv.get(key, 'text');
    if (text === null) return { value: null, bytes: key.length };
    const parsed = v.safeParse(schema, JSON.parse(text));
    if (!parsed.success) throw new Error(`KV value at ${key} does not match its schema: ${v.summarize(parsed.issues)}`);
    // UTF-16 in memory: about twice the JSON text.
    return { value: parsed.output, bytes: text.length * 2 };
  });
}

export const readArticle = (kv: KVNamespace, snap: string, id: string) => readSnapshotValue(kv, articleKey(snap, id), Article);
export const readSections = (kv: KVNamespace, snap: string) => readSnapshotValue(kv, sectionsKey(snap), Sections);
export const readFeedPage = (kv: KVNamespace, snap: string, list: string, page: number) =>
  readSnapshotValue(kv, feedPageKey(snap, list, page), FeedPage);
export const readFeedIndex = (kv: KVNamespace, snap: string, list: string) =>
  readSnapshotValue(kv, feedIndexKey(snap, list), v.array(v.tuple([v.string(), v.string()])));
export const readFolded = (kv: KVNamespace, snap: string) => readSnapshotValue(kv, foldedKey(snap), Folded);
