/**
 * Frozen fixtures of snapshot format 1 (test/fixtures/snapshot-v1, written once by the
 * build and never regenerated): the Worker must keep reading every format it may find in
 * KV. When the format changes, add a new fixture folder; keep this one while v1 is read.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, expect, it } from 'vitest';
import article from '../fixtures/snapshot-v1/article.json';
import feedIndex from '../fixtures/snapshot-v1/feed_index.json';
import feedPage from '../fixtures/snapshot-v1/feed_page.json';
import manifest from '../fixtures/snapshot-v1/manifest.json';
import pointer from '../fixtures/snapshot-v1/pointer.json';
import sections from '../fixtures/snapshot-v1/sections.json';
import {
  articleKey,
  feedIndexKey,
  feedPageKey,
  manifestKey,
  POINTER_KEY,
  sectionsKey,
} from '../../src/core/snapshot/keys.ts';
import { forgetPointer } from '../../src/storage/snapshots.ts';
import { getJson } from './seed.ts';

const snap = pointer.snapshot;

beforeAll(async () => {
  const values: [string, unknown][] = [
    [articleKey(snap, article.id), article],
    [feedPageKey(snap, '*.*.*', 0), feedPage],
    [feedIndexKey(snap, '*.*.*'), feedIndex],
    [sectionsKey(snap), sections],
    [manifestKey(snap), manifest],
    [POINTER_KEY, pointer],
  ];
  for (const [key, value] of values) await env.NEWS.put(key, JSON.stringify(value));
  forgetPointer();
});

it('serves a format-1 snapshot: health, feed, article, sections', async () => {
  expect(await getJson('/v1/health')).toMatchObject({
    snapshot: snap,
    counts: { articles: 2, merged: 1 },
  });
  const feed = await getJson('/v1/feed');
  // Format-1 pages predate authors in summaries: they read as none (src/core/content/article.ts).
  expect(feed.items).toEqual(feedPage.items.map((item) => ({ ...item, authors: [] })));
  expect(await getJson(`/v1/articles/${article.id}`)).toEqual(article);
  expect(await getJson('/v1/sections')).toEqual(sections);
});
