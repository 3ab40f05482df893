/**
 * Reading the live snapshot. The pointer is cached in the isolate for a few seconds and
 * concurrent requests share one in-flight read, so a new snapshot goes live everywhere
 * within POINTER_TTL_MS plus KV's own propagation (up to 60 s).
 */
import * as v from 'valibot';
import { Article } from '../core/article.ts';
import { articleKey, feedIndexKey, feedPageKey, POINTER_KEY, sectionsKey } from '../core/keys.ts';
import { FeedPage, Pointer, Sections } from '../core/snapshot-format.ts';

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

export const readArticle = (kv: KVNamespace, snap: string, id: string) => readJson(kv, articleKey(snap, id), Article);
export const readSections = (kv: KVNamespace, snap: string) => readJson(kv, sectionsKey(snap), Sections);
export const readFeedPage = (kv: KVNamespace, snap: string, list: string, page: number) =>
  readJson(kv, feedPageKey(snap, list, page), FeedPage);
export const readFeedIndex = (kv: KVNamespace, snap: string, list: string) =>
  readJson(kv, feedIndexKey(snap, list), v.array(v.tuple([v.string(), v.string()])));
