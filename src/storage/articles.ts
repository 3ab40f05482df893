/**
 * Many articles of the live snapshot at once (`GET /v1/articles?ids=`, and the article
 * bodies a phrase search checks): one KV bulk get, then the approved reader news not folded
 * in yet for the ids the snapshot does not hold.
 */
import { Article } from '../core/content/article.ts';
import { parseStored } from '../core/lib/kv-store.ts';
import { ArticleRevisions, type Pointer } from '../core/snapshot/format.ts';
import { articleKey, articleV2Key } from '../core/snapshot/keys.ts';
import { revisionOf } from '../core/snapshot/publish.ts';
import { liveArticles } from './feed.ts';

/** Keys one KV bulk get may name (Workers KV `get(keys[])`). */
export const MAX_BULK_KEYS = 100;

/** The snapshot's article of each id, null where it holds none; `ids.length <= MAX_BULK_KEYS`. */
async function snapshotArticles(
  kv: KVNamespace,
  pointer: Pointer,
  ids: readonly string[],
): Promise<(Article | null)[]> {
  if (ids.length === 0) return [];
  if (ids.length > MAX_BULK_KEYS)
    throw new RangeError(`at most ${MAX_BULK_KEYS} articles per bulk read, not ${ids.length}`);
  const keys = ids.map((id) =>
    pointer.format === 1
      ? articleKey(pointer.snapshot, id)
      : articleV2Key(pointer.manifest.epoch, id),
  );
  const values = await kv.get(keys, 'text');
  return keys.map((key) => {
    const text = values.get(key) ?? null;
    if (pointer.format === 1) return parseStored(key, text, Article);
    const revisions = parseStored(key, text, ArticleRevisions);
    return revisions ? revisionOf(revisions, pointer.manifest) : null;
  });
}

/**
 * The article of each id, in the order asked (null where there is none): the snapshot's in
 * bulk gets of up to MAX_BULK_KEYS keys (in parallel), then approved reader news.
 */
export async function readArticles(
  kv: KVNamespace,
  pointer: Pointer,
  ids: readonly string[],
): Promise<(Article | null)[]> {
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += MAX_BULK_KEYS) batches.push(ids.slice(i, i + MAX_BULK_KEYS));
  const found = (await Promise.all(batches.map((b) => snapshotArticles(kv, pointer, b)))).flat();
  if (found.every((a) => a !== null)) return found;
  const live = new Map((await liveArticles(kv, pointer)).map((a) => [a.id, a]));
  return found.map((a, i) => a ?? live.get(ids[i]!) ?? null);
}
