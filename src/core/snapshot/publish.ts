/**
 * Publishing, listing, rolling back and deleting snapshots over a `KvStore`.
 *
 * Order matters: every data key, then the manifest, then the pointer. Until the pointer
 * moves, readers see the previous snapshot whole; after, the new one whole. The search
 * head (a copy of the snapshot's search meta, see keys.ts) follows the pointer; a reader
 * that sees the two disagree reads the meta from the snapshot itself.
 */
import * as v from 'valibot';
import {
  isSnapshotId,
  MANIFEST_PREFIX,
  manifestKey,
  POINTER_KEY,
  SEARCH_HEAD_KEY,
  searchKey,
  snapshotPrefix,
} from './keys.ts';
import { type KvEntry, type KvStore, parseStored } from '../lib/kv-store.ts';
import { type BuiltSnapshot, pointerFor } from './build.ts';
import { Manifest, Pointer } from './format.ts';

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

export async function publishSnapshot(
  store: KvStore,
  built: BuiltSnapshot,
  options: { now?: Date; onProgress?: Progress } = {},
): Promise<Pointer> {
  await store.putMany(built.entries, (done, total) => options.onProgress?.('write', done, total));
  await store.putMany([{ key: manifestKey(built.id), value: JSON.stringify(built.manifest) }]);
  const pointer = pointerFor(built.manifest, options.now ?? new Date());
  await store.putMany([
    { key: POINTER_KEY, value: JSON.stringify(pointer) },
    ...searchHead(
      built.id,
      built.entries.find((e) => e.key === searchKey(built.id, 'meta'))?.value,
    ),
  ]);
  return pointer;
}

/** The search head entry for a snapshot, if it has a search index. */
export function searchHead(id: string, meta: string | null | undefined): KvEntry[] {
  return meta ? [{ key: SEARCH_HEAD_KEY, value: `${id}\n${meta}` }] : [];
}

export interface SnapshotListing {
  manifest: Manifest;
  live: boolean;
}

/** Every snapshot with a manifest, newest first. */
export async function listSnapshots(store: KvStore): Promise<SnapshotListing[]> {
  const [names, pointer] = await Promise.all([store.list(MANIFEST_PREFIX), readPointer(store)]);
  const ids = names.map((n) => n.slice(MANIFEST_PREFIX.length)).filter(isSnapshotId);
  const manifests = await Promise.all(ids.map((id) => readManifest(store, id)));
  return manifests
    .filter((m): m is Manifest => m !== null)
    .sort((a, b) => (a.snapshot < b.snapshot ? 1 : -1))
    .map((manifest) => ({ manifest, live: manifest.snapshot === pointer?.snapshot }));
}

/** Points readers at an earlier (or any existing) snapshot. */
export async function activateSnapshot(
  store: KvStore,
  id: string,
  now = new Date(),
): Promise<Pointer> {
  if (!isSnapshotId(id))
    throw new Error(`"${id}" is not a snapshot id (expected e.g. 20261127T201703Z-1a2b3c4d)`);
  const manifest = await readManifest(store, id);
  if (!manifest) throw new Error(`snapshot ${id} does not exist (no manifest)`);
  const pointer = pointerFor(manifest, now);
  await store.putMany([
    { key: POINTER_KEY, value: JSON.stringify(pointer) },
    ...searchHead(id, await store.get(searchKey(id, 'meta'))),
  ]);
  return pointer;
}

/** The snapshot published before the live one, for a one-step rollback. */
export async function previousSnapshot(store: KvStore): Promise<string | null> {
  const all = await listSnapshots(store);
  const liveIndex = all.findIndex((s) => s.live);
  return all[liveIndex + 1]?.manifest.snapshot ?? null;
}

/** Deletes a snapshot's keys, manifest last. The live snapshot cannot be deleted. */
export async function deleteSnapshot(
  store: KvStore,
  id: string,
  onProgress?: Progress,
): Promise<number> {
  if (!isSnapshotId(id)) throw new Error(`"${id}" is not a snapshot id`);
  const pointer = await readPointer(store);
  if (pointer?.snapshot === id)
    throw new Error(`snapshot ${id} is live: roll back or publish another before deleting it`);
  const keys = await store.list(snapshotPrefix(id));
  await store.deleteMany(keys, (done, total) => onProgress?.('delete', done, total));
  await store.deleteMany([manifestKey(id)]);
  return keys.length + 1;
}

/** Keeps the live snapshot and the `keep` newest others; deletes the rest. */
export async function pruneSnapshots(
  store: KvStore,
  keep: number,
  onProgress?: Progress,
): Promise<string[]> {
  const all = await listSnapshots(store);
  const doomed = all
    .filter((s) => !s.live)
    .slice(keep)
    .map((s) => s.manifest.snapshot);
  for (const id of doomed) await deleteSnapshot(store, id, onProgress);
  return doomed;
}
