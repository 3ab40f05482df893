/**
 * Publishing, listing, rolling back, deleting and pruning snapshots over a `KvStore`.
 *
 * Order matters: the generation is handed out first (never twice, so an interrupted
 * publish's values can never be mistaken for a later one's), then every value that does
 * not exist yet, then the manifest, then the pointer. Until the pointer moves, readers see
 * the previous snapshot whole; after, the new one whole. The search head (a copy of the
 * snapshot's search meta, see keys.ts) follows the pointer; a reader that sees the two
 * disagree reads the meta from the index itself.
 *
 * Delete and prune are a mark-and-sweep: mark every value a kept manifest names, then
 * remove every other value, so values left by an interrupted publish (no manifest names
 * them) go too. Publishing and pruning must not run at once: every caller holds the publish
 * lease (src/core/ingest/lease.ts).
 */
import * as v from 'valibot';
import {
  ARTICLE_V2_PREFIX,
  articleV2Key,
  FEED_V2_PREFIX,
  feedV2Key,
  FOLDED_V2_PREFIX,
  foldedV2Key,
  GENERATION_KEY,
  isSnapshotId,
  MANIFEST_PREFIX,
  manifestKey,
  NEWS_PREFIX,
  POINTER_KEY,
  SEARCH_HEAD_KEY,
  SEARCH_V2_PREFIX,
  searchKey,
  SECTIONS_V2_PREFIX,
  sectionsV2Key,
  snapshotPrefix,
} from './keys.ts';
import { getMany, type KvEntry, type KvStore, parseStored } from '../lib/kv-store.ts';
import { type BuildBase, type BuiltSnapshot, pointerFor } from './build.ts';
import type { Article } from '../content/article.ts';
import { type ArticleRevisions, FeedPageV2, Manifest, type ManifestV2, Pointer } from './format.ts';
import { pageCount } from '../feed/paging.ts';
import { encodeSearchHead } from '../search/format.ts';

export type Progress = (stage: string, done: number, total: number) => void;

async function readParsed<S extends v.GenericSchema>(
  store: KvStore,
  key: string,
  schema: S,
): Promise<v.InferOutput<S> | null> {
  return parseStored(key, await store.get(key), schema);
}

export const readPointer = (store: KvStore) => readParsed(store, POINTER_KEY, Pointer);
export const readManifest = (store: KvStore, id: string) =>
  readParsed(store, manifestKey(id), Manifest);

/**
 * Hands out the next generation (one more than any handed out or published) and names the
 * live format-2 snapshot as the parent. `dryRun` computes it without writing.
 */
export async function nextBuild(
  store: KvStore,
  options: { dryRun?: boolean } = {},
): Promise<BuildBase> {
  const [counter, all, pointer] = await Promise.all([
    store.get(GENERATION_KEY),
    listSnapshots(store),
    readPointer(store),
  ]);
  let last = Number(counter ?? 0) || 0;
  for (const { manifest } of all)
    if (manifest.format === 2) last = Math.max(last, manifest.generation);
  const generation = last + 1;
  if (!options.dryRun) await store.putMany([{ key: GENERATION_KEY, value: String(generation) }]);
  return { generation, parent: pointer?.format === 2 ? pointer.manifest : null };
}

export async function publishSnapshot(
  store: KvStore,
  built: BuiltSnapshot,
  options: { now?: Date; onProgress?: Progress } = {},
): Promise<Pointer> {
  await store.putMany(built.entries, (done, total) => options.onProgress?.('write', done, total));
  await store.putMany([{ key: manifestKey(built.id), value: JSON.stringify(built.manifest) }]);
  const pointer = pointerFor(built.manifest, options.now ?? new Date());
  const fresh = built.searchHead
    ? [{ key: searchKey(built.searchHead.index, 'meta'), value: built.searchHead.meta }]
    : [];
  await store.putMany([
    { key: POINTER_KEY, value: JSON.stringify(pointer) },
    ...(await searchHeadOf(store, built.manifest, [...fresh, ...built.entries])),
  ]);
  return pointer;
}

/** The search head entry for these segments' metas (oldest first), if there is any. */
export function searchHead(segments: readonly (readonly [string, string | null])[]): KvEntry[] {
  const known = segments.filter((s): s is [string, string] => s[1] != null);
  return known.length > 0 ? [{ key: SEARCH_HEAD_KEY, value: encodeSearchHead(known) }] : [];
}

/**
 * The search head of a snapshot: the meta of every segment of its index (src/core/search/
 * format.ts encodeSearchHead), taken from `fresh` (values this publish writes) or the store.
 */
async function searchHeadOf(
  store: KvStore,
  manifest: Manifest,
  fresh: readonly KvEntry[] = [],
): Promise<KvEntry[]> {
  const ids =
    manifest.format === 1 ? [manifest.snapshot] : manifest.search.segments.map((s) => s.id);
  const keys = new Set(ids.map((id) => searchKey(id, 'meta')));
  const given = new Map(fresh.filter((e) => keys.has(e.key)).map((e) => [e.key, e.value]));
  const read = await getMany(
    store,
    [...keys].filter((k) => !given.has(k)),
  );
  return searchHead(
    ids.map((id) => {
      const key = searchKey(id, 'meta');
      return [id, given.get(key) ?? read.get(key) ?? null] as const;
    }),
  );
}

/**
 * The search index a snapshot's readers use: format 1 under the snapshot; format 2 its base
 * segment (the one-index reader of src/core/search reads one segment; the delta segments an
 * incremental build appends wait for the multi-segment reader).
 */
export function searchIndexOf(manifest: Manifest): string {
  return manifest.format === 1
    ? manifest.snapshot
    : (manifest.search.segments[0]?.id ?? manifest.snapshot);
}

/** The revision a snapshot holds, or null when none of them is its. */
export function revisionOf(revisions: ArticleRevisions, m: ManifestV2): Article | null {
  let best: ArticleRevisions['r'][number] | null = null;
  for (const rev of revisions.r) {
    const [gen] = rev;
    if (gen > m.generation || gen < m.epoch) continue;
    if (m.skip.some(([from, to]) => gen >= from && gen <= to)) continue;
    if (!best || gen > best[0]) best = rev;
  }
  return best?.[1] ?? null;
}

export interface SnapshotListing {
  manifest: Manifest;
  live: boolean;
}

/** Every snapshot with a manifest, newest first. */
export async function listSnapshots(store: KvStore): Promise<SnapshotListing[]> {
  const [names, pointer] = await Promise.all([store.list(MANIFEST_PREFIX), readPointer(store)]);
  const ids = names.map((n) => n.slice(MANIFEST_PREFIX.length)).filter(isSnapshotId);
  const values = await getMany(store, ids.map(manifestKey));
  return ids
    .map((id) => parseStored(manifestKey(id), values.get(manifestKey(id)) ?? null, Manifest))
    .filter((m): m is Manifest => m !== null)
    .sort((a, b) => (a.snapshot < b.snapshot ? 1 : -1))
    .map((manifest) => ({ manifest, live: manifest.snapshot === pointer?.snapshot }));
}

/** Points readers at an earlier (or any existing) snapshot: one write (and the search head). */
export async function activateSnapshot(
  store: KvStore,
  id: string,
  now = new Date(),
): Promise<Pointer> {
  if (!isSnapshotId(id))
    throw new Error(`"${id}" is not a snapshot id (expected e.g. 20261127T201703Z-1a2b3c4d)`);
  const manifest = await readManifest(store, id);
  if (!manifest) throw new Error(`snapshot ${id} does not exist (no manifest)`);
  const pointer: Pointer =
    manifest.format === 2
      ? pointerFor(manifest, now)
      : {
          format: 1,
          snapshot: id,
          built_at: manifest.built_at,
          published_at: now.toISOString(),
          counts: manifest.counts,
        };
  await store.putMany([
    { key: POINTER_KEY, value: JSON.stringify(pointer) },
    ...(await searchHeadOf(store, manifest)),
  ]);
  return pointer;
}

/** The snapshot published before the live one, for a one-step rollback. */
export async function previousSnapshot(store: KvStore): Promise<string | null> {
  const all = await listSnapshots(store);
  const liveIndex = all.findIndex((s) => s.live);
  return all[liveIndex + 1]?.manifest.snapshot ?? null;
}

/** What a sweep removed, by kind of value. */
export interface SweepResult {
  snapshots: string[];
  keys: number;
}

/** Deletes one snapshot: its manifest, then every value no kept manifest names. */
export async function deleteSnapshot(
  store: KvStore,
  id: string,
  onProgress?: Progress,
): Promise<SweepResult> {
  if (!isSnapshotId(id)) throw new Error(`"${id}" is not a snapshot id`);
  const [pointer, all] = await Promise.all([readPointer(store), listSnapshots(store)]);
  if (pointer?.snapshot === id)
    throw new Error(`snapshot ${id} is live: roll back or publish another before deleting it`);
  if (!all.some((s) => s.manifest.snapshot === id))
    throw new Error(`snapshot ${id} does not exist (no manifest)`);
  const kept = all.map((s) => s.manifest).filter((m) => m.snapshot !== id);
  return sweep(store, kept, [id], onProgress);
}

/** Keeps the live snapshot and the `keep` newest others; deletes the rest (and any orphans). */
export async function pruneSnapshots(
  store: KvStore,
  keep: number,
  onProgress?: Progress,
): Promise<SweepResult> {
  const all = await listSnapshots(store);
  const others = all.filter((s) => !s.live);
  const kept = [...all.filter((s) => s.live), ...others.slice(0, keep)].map((s) => s.manifest);
  const doomed = others.slice(keep).map((s) => s.manifest.snapshot);
  return sweep(store, kept, doomed, onProgress);
}

/** Every value key a format-2 manifest names, but its articles (those are marked by id). */
function namedKeys(m: ManifestV2): string[] {
  const keys = [sectionsV2Key(m.sections), foldedV2Key(m.folded)];
  for (const [list, runs] of Object.entries(m.lists)) {
    for (const [page, gen] of pageGenerations(runs)) keys.push(feedV2Key(list, page, gen));
  }
  return keys;
}

/** The generation of every page of a list, from its runs (format.ts ListRuns). */
export function* pageGenerations(runs: readonly number[]): Generator<[page: number, gen: number]> {
  const pages = pageCount(runs[0]!);
  for (let r = 1; r < runs.length; r += 2) {
    const end = r + 2 < runs.length ? runs[r + 2]! : pages;
    for (let page = runs[r]!; page < Math.min(end, pages); page++) yield [page, runs[r + 1]!];
  }
}

/** The page -> generation lookup of one list. */
export function pageGeneration(runs: readonly number[], page: number): number {
  let gen = runs[2]!;
  for (let r = 1; r < runs.length && runs[r]! <= page; r += 2) gen = runs[r + 1]!;
  return gen;
}

/** The ids of every article a format-2 snapshot holds: its unfiltered list, page by page. */
async function articleIds(store: KvStore, m: ManifestV2, seen: Map<string, string[]>) {
  const runs = m.lists['*.*.*'];
  if (!runs) return [];
  const keys = [...pageGenerations(runs)].map(([page, gen]) => feedV2Key('*.*.*', page, gen));
  const missing = keys.filter((k) => !seen.has(k));
  const values = await getMany(store, missing);
  for (const key of missing) {
    const page = parseStored(key, values.get(key) ?? null, FeedPageV2);
    seen.set(
      key,
      (page?.items ?? []).map((a) => a.id),
    );
  }
  return keys.flatMap((k) => seen.get(k) ?? []);
}

async function sweep(
  store: KvStore,
  kept: readonly Manifest[],
  doomed: readonly string[],
  onProgress?: Progress,
): Promise<SweepResult> {
  // The manifests go first: a sweep stopped half-way leaves only orphans, which the next
  // sweep removes, never a manifest naming a value that is gone.
  await store.deleteMany(doomed.map(manifestKey));
  const keptV1 = new Set(kept.filter((m) => m.format === 1).map((m) => m.snapshot));
  const keptV2 = kept.filter((m): m is ManifestV2 => m.format === 2);
  const marked = new Set<string>();
  const segments = new Set<string>();
  for (const m of keptV2) {
    for (const key of namedKeys(m)) marked.add(key);
    for (const s of m.search.segments) segments.add(s.id);
  }
  const pages = new Map<string, string[]>();
  for (const m of keptV2) {
    for (const id of await articleIds(store, m, pages)) marked.add(articleV2Key(m.epoch, id));
  }

  const garbage: string[] = [];
  // Format 1: every key under a snapshot id that has no kept manifest.
  for (const key of await store.list(`${NEWS_PREFIX}s:`)) {
    const snap = key.slice(`${NEWS_PREFIX}s:`.length).split(':')[0]!;
    if (!keptV1.has(snap) && key.startsWith(snapshotPrefix(snap))) garbage.push(key);
  }
  for (const prefix of [ARTICLE_V2_PREFIX, FEED_V2_PREFIX, SECTIONS_V2_PREFIX, FOLDED_V2_PREFIX])
    for (const key of await store.list(prefix)) if (!marked.has(key)) garbage.push(key);
  for (const key of await store.list(SEARCH_V2_PREFIX)) {
    const index = key.slice(SEARCH_V2_PREFIX.length).split(':')[0]!;
    if (!segments.has(index) && !keptV1.has(index)) garbage.push(key);
  }
  await store.deleteMany(garbage, (done, total) => onProgress?.('delete', done, total));
  return { snapshots: [...doomed], keys: garbage.length + doomed.length };
}
