/**
 * Frozen fixtures of every snapshot format still read (test/fixtures/snapshot-v1 and
 * snapshot-v2, each written once by the build of its day and never regenerated): the Worker
 * must keep reading every format it may find in KV. When the format changes, add a new
 * fixture folder; keep the old ones while their format is read.
 */
import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import article from '../fixtures/snapshot-v1/article.json';
import feedIndex from '../fixtures/snapshot-v1/feed_index.json';
import feedPage from '../fixtures/snapshot-v1/feed_page.json';
import manifest from '../fixtures/snapshot-v1/manifest.json';
import pointer from '../fixtures/snapshot-v1/pointer.json';
import sections from '../fixtures/snapshot-v1/sections.json';
import article2 from '../fixtures/snapshot-v2/article.json';
import feedPage2 from '../fixtures/snapshot-v2/feed_page.json';
import folded2 from '../fixtures/snapshot-v2/folded.json';
import manifest2 from '../fixtures/snapshot-v2/manifest.json';
import pointer2 from '../fixtures/snapshot-v2/pointer.json';
import sections2 from '../fixtures/snapshot-v2/sections.json';
import {
  articleKey,
  articleV2Key,
  feedIndexKey,
  feedPageKey,
  feedV2Key,
  foldedV2Key,
  manifestKey,
  POINTER_KEY,
  sectionsKey,
  sectionsV2Key,
} from '../../src/core/snapshot/keys.ts';
import { forgetPointer } from '../../src/storage/snapshots.ts';
import { getJson } from './seed.ts';

async function load(values: [string, unknown][]) {
  for (const [key, value] of values) await env.NEWS.put(key, JSON.stringify(value));
  forgetPointer();
}

it('serves a format-1 snapshot: health, feed, article, sections', async () => {
  const snap = pointer.snapshot;
  await load([
    [articleKey(snap, article.id), article],
    [feedPageKey(snap, '*.*.*', 0), feedPage],
    [feedIndexKey(snap, '*.*.*'), feedIndex],
    [sectionsKey(snap), sections],
    [manifestKey(snap), manifest],
    [POINTER_KEY, pointer],
  ]);
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

it('serves a format-2 snapshot: health, feed, article, sections', async () => {
  const m = manifest2;
  const [[, stored]] = article2.r as [[number, { id: string }]];
  await load([
    [articleV2Key(m.epoch, stored.id), article2],
    [feedV2Key('*.*.*', 0, m.lists['*.*.*']![2]!), feedPage2],
    [sectionsV2Key(m.sections), sections2],
    [foldedV2Key(m.folded), folded2],
    [manifestKey(m.snapshot), m],
    [POINTER_KEY, pointer2],
  ]);
  expect(await getJson('/v1/health')).toMatchObject({
    snapshot: m.snapshot,
    counts: { articles: 2, merged: 1 },
  });
  const feed = await getJson('/v1/feed');
  expect(feed.items).toEqual(feedPage2.items);
  expect(await getJson(`/v1/articles/${stored.id}`)).toEqual(stored);
  expect(await getJson('/v1/sections')).toEqual(sections2);
});
