/**
 * Many articles of the live snapshot at once (`GET /v1/articles?ids=`, and the article
 * bodies a phrase search checks): one KV bulk get, then the approved reader news not folded
 * in yet for the ids the snapshot does not hold.
 */
import { Article } from '../core/content/article.ts';
import { parseStored } from '../core/lib/kv-store.ts';
import { PartCache } from '../core/lib/part-cache.ts';
import { ArticleRevisions, type Pointer } from '../core/snapshot/format.ts';
import { articleKey, articleV2Key } from '../core/snapshot/keys.ts';
import { revisionOf } from '../core/snapshot/publish.ts';
import { liveArticles } from './feed.ts';

/** Keys one KV bulk get may name (Workers KV `get(keys[])`). */
export const MAX_BULK_KEYS = 100;

/**
 * The articles of a snapshot never change (format 2: the revision of a generation), so they
 * are kept in the isolate, like the other snapshot values (storage/snapshots.ts): a phrase
 * search that reads the same articles again, or an app re-reading ids, costs no KV read.
 * Values only: each request reads its own misses, and no read in flight is shared with
 * another request (workerd cancels a request's I/O when it ends; core/lib/part-cache.ts).
 */
const ARTICLE_CACHE_BYTES = 8 * 1024 * 1024;
const held = new PartCache(ARTICLE_CACHE_BYTES);

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
  // A format-2 value gains revisions as snapshots are published: cached per generation.
  const tag = pointer.format === 1 ? '' : `@${pointer.manifest.generation}`;
  const found = keys.map((key) => held.peek<Article | null>(key + tag));
  const missing = keys.filter((_, i) => found[i] === undefined);
  if (missing.length === 0) return found.map((a) => a ?? null);
  const values = await kv.get(missing, 'text');
  return keys.map((key, i) => {
    const kept = found[i];
    if (kept !== undefined) return kept;
    const text = values.get(key) ?? null;
    const article = parse(pointer, key, text);
    // UTF-16 in memory: about twice the JSON text.
    held.put(key + tag, article, (text?.length ?? key.length) * 2);
    return article;
  });
}

function parse(pointer: Pointer, key: string, text: string | null): Article | null {
  if (pointer.format === 1) return parseStored(key, text, Article);
  const revisions = parseStored(key, text, ArticleRevisions);
  return revisions ? revisionOf(revisions, pointer.manifest) : null;
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
