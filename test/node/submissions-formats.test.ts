/**
 * Frozen samples of every submissions value persisted in KV (format 1). A change that
 * stops reading one of these must bump the format and keep a reader for the old one.
 */
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import type { KvEntry, KvStore } from '../../src/core/lib/kv-store.ts';
import { APPROVED_NEWS_KEY, newsArchiveKey } from '../../src/core/snapshot/keys.ts';
import { AdDetail } from '../../src/core/submissions/schemas.ts';
import { approvedNewsFromStore } from '../../src/storage/submissions.ts';

const ARTICLE_V1 = {
  id: 'n-abcdefghijklmnopqrst',
  title: 'Waterfall trail reopens after the storm',
  summary: 'The trail to the Three Sisters waterfalls reopened on Saturday.',
  body: 'The trail to the Three Sisters waterfalls reopened on Saturday.',
  url: null,
  source: 'Reader',
  section: 'travel',
  tags: [],
  authors: [],
  lang: 'en',
  published: '2026-10-03T09:15:00.000Z',
  image: null,
  image_credit: null,
  duplicates: [],
};
const LIVE_LIST_V1 = `{"format":1,"updated_at":"2026-11-27T20:00:00.000Z","items":[${JSON.stringify({ ...ARTICLE_V1, id: 'n-bbbbbbbbbbbbbbbbbbbb', published: '2026-11-27T19:59:00.000Z' })}]}`;
const ARCHIVE_CHUNK_V1 = `{"format":1,"month":"2026-10","updated_at":"2026-10-03T09:15:00.000Z","items":[${JSON.stringify(ARTICLE_V1)}]}`;
const AD_DETAIL_V1 =
  '{"id":"abcdefghijklmnopqrst","title":"Sound studio in Moscow","text":"Recording, mixing and mastering.","category":"services",' +
  '"price":{"amount":2500,"currency":"RUB"},"contact":{"name":"Olga","email":"olga@example.com","phone":null},"location":"Moscow","lang":"ru",' +
  '"images":["https://img.example.com/studio.jpg"],"published":"2026-11-27T20:00:00.000Z","expires_at":"2026-12-27T20:00:00.000Z"}';

function memoryStore(entries: Record<string, string>): KvStore {
  const data = new Map(Object.entries(entries));
  return {
    get: async (key) => data.get(key) ?? null,
    list: async (prefix) => [...data.keys()].filter((k) => k.startsWith(prefix)).sort(),
    putMany: async (items: readonly KvEntry[]) => items.forEach((e) => data.set(e.key, e.value)),
    deleteMany: async (keys) => keys.forEach((k) => data.delete(k)),
  };
}

describe('submissions KV formats, version 1', () => {
  it('the build reads the live list and the monthly archive, newest first', async () => {
    const store = memoryStore({
      [APPROVED_NEWS_KEY]: LIVE_LIST_V1,
      [newsArchiveKey('2026-10')]: ARCHIVE_CHUNK_V1,
    });
    const items = await approvedNewsFromStore(store);
    expect(items.map((a) => a.id)).toEqual(['n-bbbbbbbbbbbbbbbbbbbb', 'n-abcdefghijklmnopqrst']);
    expect(items[1]).toEqual(ARTICLE_V1);
  });

  it('reads nothing as an empty list, and refuses a value of another format', async () => {
    expect(await approvedNewsFromStore(memoryStore({}))).toEqual([]);
    const other = memoryStore({
      [APPROVED_NEWS_KEY]: LIVE_LIST_V1.replace('"format":1', '"format":2'),
    });
    await expect(approvedNewsFromStore(other)).rejects.toThrow(
      /sub:v1:news:approved does not match its schema/,
    );
  });

  it('the public ad detail projection parses', () => {
    expect(v.parse(AdDetail, JSON.parse(AD_DETAIL_V1)).contact).toEqual({
      name: 'Olga',
      email: 'olga@example.com',
      phone: null,
    });
  });
});
