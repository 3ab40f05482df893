import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RawArticle } from '../../src/core/content/article.ts';
import { decodeSearchHead } from '../../src/core/search/format.ts';
import { SEARCH_HEAD_KEY, searchKey } from '../../src/core/snapshot/keys.ts';
import type { Pointer } from '../../src/core/snapshot/format.ts';
import { forgetPointer } from '../../src/storage/snapshots.ts';
import { searchSegmentIds } from '../../src/storage/search-index.ts';
import fixture from '../fixtures/search/articles.json';
import { article, seedIncremental, seedSnapshot } from './seed.ts';

const search = async (q: string) => {
  const res = await exports.default.fetch(`http://edge.test/v1/search?q=${encodeURIComponent(q)}`);
  expect(res.status, q).toBe(200);
  const body = (await res.json()) as { items: { title: string }[] };
  const reads = /kv;dur=[\d.]+;desc="(\d+) reads/.exec(res.headers.get('server-timing') ?? '');
  return { titles: body.items.map((i) => i.title), reads: Number(reads?.[1]) };
};

const LIGHTHOUSE = article({
  title: 'Lighthouse keepers return to the cape',
  published: '2024-12-02T08:00:00Z',
});
const PILOTS = article({
  title: 'Harbour pilots strike over pay',
  published: '2024-12-03T08:00:00Z',
});

describe('the search head of an index in segments', () => {
  let pointer: Pointer;
  let segments: string[];

  beforeAll(async () => {
    await seedSnapshot(fixture as RawArticle[], { builtAt: new Date('2024-12-01T00:00:00Z') });
    await seedIncremental([LIGHTHOUSE]);
    ({ pointer } = await seedIncremental([PILOTS]));
    segments = searchSegmentIds(pointer);
  });

  it('holds the meta of every segment, oldest first', async () => {
    expect(segments).toHaveLength(3);
    const head = decodeSearchHead((await env.NEWS.get(SEARCH_HEAD_KEY)) ?? '');
    expect(head.map(([id]) => id)).toEqual(segments);
    for (const [id, meta] of head) expect(meta).toBe(await env.NEWS.get(searchKey(id, 'meta')));
  });

  it('answers a cold search over every segment from the head alone, in as many reads as one segment', async () => {
    // Every segment's own meta gone: only the head, read with the pointer, can answer.
    const metas = await Promise.all(segments.map((id) => env.NEWS.get(searchKey(id, 'meta'))));
    await Promise.all(segments.map((id) => env.NEWS.delete(searchKey(id, 'meta'))));
    try {
      forgetPointer();
      // This isolate has read none of these segments' parts yet (their ids are new).
      const inSegments = await search('harbour pilots');
      expect(inSegments.titles).toEqual(['Harbour pilots strike over pay']);
      forgetPointer();
      expect((await search('lighthouse keepers')).titles).toEqual([
        'Lighthouse keepers return to the cape',
      ]);
      forgetPointer();
      expect((await search('smartphone')).titles.length).toBeGreaterThan(0);
      // The same articles compacted into one segment (a full build): the same bulk reads.
      await seedSnapshot([...(fixture as RawArticle[]), LIGHTHOUSE, PILOTS], {
        builtAt: new Date('2024-12-04T00:00:00Z'),
      });
      forgetPointer();
      const compacted = await search('harbour pilots');
      expect(compacted.titles).toEqual(inSegments.titles);
      expect(compacted.reads).toBeGreaterThan(0);
      expect(inSegments.reads).toBe(compacted.reads);
    } finally {
      await Promise.all(
        segments.map((id, i) => env.NEWS.put(searchKey(id, 'meta'), metas[i] ?? '')),
      );
    }
  });
});
