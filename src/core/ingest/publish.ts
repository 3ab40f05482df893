/**
 * The poll's publisher: the new articles (with the approved reader news, folded in as by
 * the build) become the next snapshot through the incremental build of docs/snapshots.md
 * (src/core/snapshot/incremental.ts): it deduplicates them against the whole archive and
 * writes only what changed. Without a live format-2 snapshot to add to (a fresh namespace,
 * or a format-1 one), it makes a full build of the live archive plus the new articles.
 */
import type { Article } from '../content/article.ts';
import { dedupe } from '../content/dedup.ts';
import type { KvStore } from '../lib/kv-store.ts';
import { getMany, parseStored } from '../lib/kv-store.ts';
import { type BuiltSnapshot, buildSnapshot } from '../snapshot/build.ts';
import { buildIncremental } from '../snapshot/incremental.ts';
import { Article as ArticleSchema } from '../content/article.ts';
import { ArticleRevisions, FeedPageV2, type Pointer } from '../snapshot/format.ts';
import { articleV2Key, feedV2Key, snapshotPrefix } from '../snapshot/keys.ts';
import {
  nextBuild,
  pageGenerations,
  publishSnapshot,
  readPointer,
  revisionOf,
} from '../snapshot/publish.ts';
import type { PublishReport } from './poll.ts';

/** KV propagates a write everywhere within about 60 s (https://developers.cloudflare.com/kv/concepts/how-kv-works/). */
export const KV_PROPAGATION_MS = 65_000;

export interface PublishOptions {
  /** The snapshot the publish lease says is live (./lease.ts); null: no check. */
  expectedLive?: string | null;
  /** Approved reader news to fold in (the build's `approvedNewsFromStore`). */
  approved?: () => Promise<Article[]>;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** The most articles a search merge may rebuild (incremental.ts `compactUpTo`). */
  compactUpTo?: number;
}

/**
 * The live pointer, waiting while it is older than the snapshot the lease names (a stale
 * read at this location). Snapshot ids sort by build time. After KV's propagation time the
 * pointer is taken as it is: a rollback may have made an older snapshot live on purpose.
 */
export async function livePointer(
  store: KvStore,
  options: Pick<PublishOptions, 'expectedLive' | 'sleep'>,
) {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = Date.now() + KV_PROPAGATION_MS;
  for (;;) {
    const pointer = await readPointer(store);
    const expected = options.expectedLive;
    if (!expected || (pointer && pointer.snapshot >= expected) || Date.now() >= deadline)
      return pointer;
    await sleep(5_000);
  }
}

export async function publishArticles(
  store: KvStore,
  articles: readonly Article[],
  options: PublishOptions = {},
): Promise<PublishReport> {
  const pointer = await livePointer(store, options);
  const approved = (await options.approved?.()) ?? [];
  const batch = dedupe([...articles, ...approved]);
  const stats = {
    read: articles.length,
    skipped: 0,
    merged: batch.merged,
    grouped: batch.grouped,
    folded: approved.map((a) => a.id),
  };
  const now = options.now?.() ?? new Date();
  const base = await nextBuild(store);
  let built: BuiltSnapshot;
  let added: number;
  if (base.parent) {
    const next = await buildIncremental(
      store,
      base,
      { articles: batch.articles, stats },
      {
        builtAt: now,
        ...(options.compactUpTo === undefined ? {} : { compactUpTo: options.compactUpTo }),
      },
    );
    built = next;
    added = next.summary.added;
  } else {
    const live = pointer ? await liveArticles(store, pointer) : [];
    const all = dedupe([...live, ...batch.articles]);
    built = buildSnapshot(
      all.articles,
      { ...stats, merged: all.merged, grouped: all.grouped },
      { builtAt: now, base },
    );
    const before = new Set(live.map((a) => a.id));
    added = all.articles.filter((a) => !before.has(a.id)).length;
  }
  await publishSnapshot(store, built, { now });
  return { snapshot: built.id, added, keys_written: built.manifest.written.keys };
}

/** Every article of the live snapshot (formats 1 and 2). */
export async function liveArticles(store: KvStore, pointer: Pointer): Promise<Article[]> {
  if (pointer.format === 1) {
    const keys = await store.list(`${snapshotPrefix(pointer.snapshot)}article:`);
    const values = await getMany(store, keys);
    return keys.map((k) => parseStored(k, values.get(k) ?? null, ArticleSchema)!);
  }
  const m = pointer.manifest;
  const runs = m.lists['*.*.*'] ?? [];
  const pageKeys = runs.length
    ? [...pageGenerations(runs)].map(([page, gen]) => feedV2Key('*.*.*', page, gen))
    : [];
  const pages = await getMany(store, pageKeys);
  const ids = pageKeys.flatMap(
    (k) => parseStored(k, pages.get(k) ?? null, FeedPageV2)?.items.map((a) => a.id) ?? [],
  );
  const keys = ids.map((id) => articleV2Key(m.epoch, id));
  const values = await getMany(store, keys);
  // The revision this snapshot holds (docs/snapshots.md: which revision).
  return keys.flatMap((k) => {
    const held = revisionOf(parseStored(k, values.get(k) ?? null, ArticleRevisions)!, m);
    return held ? [held] : [];
  });
}
