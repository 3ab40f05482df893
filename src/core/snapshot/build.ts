/**
 * Builds every KV value of one snapshot from normalised, deduplicated articles. Pure:
 * the build script, the tests' seeding and `npm start` all go through here.
 */
import { type Article, toSummary } from '../content/article.ts';
import { compareKeys, keyOf, listsOf, PAGE_STRIDE, windows } from '../feed/paging.ts';
import {
  articleKey,
  feedIndexKey,
  feedPageKey,
  foldedKey,
  searchKey,
  sectionsKey,
} from './keys.ts';
import type { KvEntry } from '../lib/kv-store.ts';
import { fnv1a64 } from '../content/normalize.ts';
import { buildSearchParts } from '../search/build.ts';
import type { BuildStats } from '../content/pipeline.ts';
import {
  type Counts,
  type FeedPage,
  type Manifest,
  type Pointer,
  SNAPSHOT_FORMAT,
  type Sections,
} from './format.ts';

/** KV's limit is 25 MiB per value; we keep every value far below it, as Pagefind keeps its chunks small (pagefind/src/options.rs). */
export const MAX_VALUE_BYTES = 5 * 1024 * 1024;

export interface BuiltSnapshot {
  id: string;
  builtAt: string;
  /** Data entries; the manifest and pointer are written after them by `publishSnapshot`. */
  entries: KvEntry[];
  manifest: Manifest;
  counts: Counts;
}

export function snapshotId(builtAt: Date, fingerprint: string): string {
  const stamp = builtAt
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${fnv1a64(fingerprint).slice(0, 8)}`;
}

const utf8 = new TextEncoder();

export function buildSnapshot(
  articles: readonly Article[],
  stats: BuildStats,
  options: {
    builtAt?: Date;
    onProgress?: (stage: string, done: number, total: number) => void;
  } = {},
): BuiltSnapshot {
  const builtAt = options.builtAt ?? new Date();
  const sorted = [...articles].sort((a, b) => compareKeys(keyOf(a), keyOf(b)));
  const id = snapshotId(builtAt, sorted.map((a) => a.id).join(','));
  const builtAtIso = builtAt.toISOString();
  const entries: KvEntry[] = [];
  let bytes = 0;
  const add = (key: string, value: unknown) => {
    const text = JSON.stringify(value);
    const size = utf8.encode(text).length;
    if (size > MAX_VALUE_BYTES)
      throw new Error(
        `snapshot value ${key} is ${size} bytes, over the ${MAX_VALUE_BYTES} byte limit`,
      );
    bytes += size;
    entries.push({ key, value: text });
  };

  sorted.forEach((a, i) => {
    add(articleKey(id, a.id), a);
    if (i % 1000 === 0) options.onProgress?.('articles', i, sorted.length);
  });

  const lists = new Map<string, ReturnType<typeof toSummary>[]>();
  for (const a of sorted) {
    const summary = toSummary(a);
    for (const list of listsOf(a)) {
      const items = lists.get(list);
      if (items) items.push(summary);
      else lists.set(list, [summary]);
    }
  }
  // The unfiltered list exists even when empty, so an empty snapshot still serves feeds.
  if (!lists.has('*.*.*')) lists.set('*.*.*', []);
  let feedPages = 0;
  for (const [list, items] of lists) {
    const pages = windows(items);
    pages.forEach((window, page) => {
      const value: FeedPage = {
        list,
        page,
        offset: page * PAGE_STRIDE,
        total: items.length,
        items: window,
      };
      add(feedPageKey(id, list, page), value);
    });
    add(
      feedIndexKey(id, list),
      pages.map((_, page) => keyOf(items[page * PAGE_STRIDE] ?? { published: '', id: '' })),
    );
    feedPages += pages.length;
  }
  options.onProgress?.('feeds', lists.size, lists.size);

  add(sectionsKey(id), sectionStats(sorted));
  add(foldedKey(id), { ids: [...(stats.folded ?? [])] });

  const searchParts = buildSearchParts(sorted, (done, total) =>
    options.onProgress?.('search', done, total),
  );
  // Each part's size was checked by the search build (MAX_PART_BYTES, the same bound).
  for (const part of searchParts) {
    bytes += part.bytes;
    entries.push({ key: searchKey(id, part.part), value: part.value });
  }

  const counts: Counts = {
    articles: sorted.length,
    read: stats.read,
    skipped: stats.skipped,
    merged: stats.merged,
    grouped: stats.grouped,
    sections: new Set(sorted.map((a) => a.section)).size,
    feed_pages: feedPages,
    // + manifest + pointer
    keys: entries.length + 2,
    bytes,
  };
  const manifest: Manifest = {
    format: SNAPSHOT_FORMAT,
    snapshot: id,
    built_at: builtAtIso,
    counts,
    key_count: entries.length,
  };
  return { id, builtAt: builtAtIso, entries, manifest, counts };
}

export function sectionStats(articles: readonly Article[]): Sections {
  const bySection = new Map<string, Map<string, { count: number; latest: string }>>();
  for (const a of articles) {
    const langs = bySection.get(a.section) ?? new Map<string, { count: number; latest: string }>();
    bySection.set(a.section, langs);
    const stat = langs.get(a.lang) ?? { count: 0, latest: a.published };
    stat.count++;
    if (a.published > stat.latest) stat.latest = a.published;
    langs.set(a.lang, stat);
  }
  const sections = [...bySection].map(([section, langs]) => {
    const languages = [...langs]
      .map(([lang, s]) => ({ lang, count: s.count, latest: s.latest }))
      .sort((a, b) => b.count - a.count || (a.lang < b.lang ? -1 : 1));
    return {
      section,
      count: languages.reduce((n, l) => n + l.count, 0),
      latest: languages.reduce((m, l) => (l.latest > m ? l.latest : m), ''),
      languages,
    };
  });
  sections.sort((a, b) => b.count - a.count || (a.section < b.section ? -1 : 1));
  return { sections };
}

export function pointerFor(manifest: Manifest, publishedAt: Date): Pointer {
  return {
    format: SNAPSHOT_FORMAT,
    snapshot: manifest.snapshot,
    built_at: manifest.built_at,
    published_at: publishedAt.toISOString(),
    counts: manifest.counts,
  };
}
