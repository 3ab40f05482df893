/**
 * One language rule (src/core/content/normalize.ts `languageOf`) for ingested articles,
 * reader news and ads: a submission in `en-GB` is stored as `en`, so `?lang=en` finds it in
 * the live merge, in the snapshot that folds it in, and in the ads list; `/v1/sections`
 * never advertises `en-GB`.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { bindingStore } from '../../src/storage/kv-binding.ts';
import { forgetPointer } from '../../src/storage/snapshots.ts';
import { approvedNewsFromStore, forgetApprovedNews } from '../../src/storage/submissions.ts';
import { article, getJson, seedSnapshot } from './seed.ts';
import { approve, postAd, postNews } from './submissions-helpers.ts';

vi.setConfig({ testTimeout: 60_000 });

type Feed = { items: { id: string; lang: string }[] };
type Sections = { sections: { section: string; languages: { lang: string }[] }[] };

const STORIES = [
  article({ title: 'Harbour ferry timetable changes', lang: 'en-US', section: 'travel' }),
  article({ title: 'Паром меняет расписание', lang: 'ru', section: 'travel' }),
];
const ids = (feed: Feed) => feed.items.map((i) => i.id);

describe('reader news submitted as en-GB', () => {
  let id = '';
  beforeAll(async () => {
    forgetPointer();
    await seedSnapshot(STORIES);
    const posted = await postNews({
      title: 'Lighthouse keepers open the Quillmouth tower to visitors',
      section: 'travel',
      lang: 'en-GB',
    });
    expect(posted.res.status).toBe(201);
    id = `n-${posted.body.id}`;
    expect((await approve(posted.body.id)).status).toBe(200);
    forgetApprovedNews();
  });

  it('is stored and served as en', async () => {
    expect((await getJson<{ lang: string }>(`/v1/news/${id}`)).lang).toBe('en');
  });

  it('is found by ?lang=en (and by ?lang=en-GB) in the live merge, not by ?lang=ru', async () => {
    const en = await getJson<Feed>('/v1/feed?lang=en&limit=50');
    expect(ids(en)).toContain(id);
    expect(en.items.map((i) => i.lang)).toEqual(['en', 'en']);
    expect(ids(await getJson<Feed>('/v1/feed?lang=en-GB&limit=50'))).toEqual(ids(en));
    expect(ids(await getJson<Feed>('/v1/feed?lang=ru&limit=50'))).not.toContain(id);
    const search = await getJson<{ items: { id: string }[] }>('/v1/search?q=quillmouth&lang=en');
    expect(search.items.map((i) => i.id)).toEqual([id]);
  });

  it('once a snapshot folds it in: still found by ?lang=en, and /v1/sections shows en only', async () => {
    await seedSnapshot(STORIES, { extra: await approvedNewsFromStore(bindingStore(env.NEWS)) });
    forgetPointer();
    expect(ids(await getJson<Feed>('/v1/feed?lang=en&limit=50'))).toContain(id);
    const { sections } = await getJson<Sections>('/v1/sections');
    const travel = sections.find((s) => s.section === 'travel');
    expect(travel?.languages.map((l) => l.lang).sort()).toEqual(['en', 'ru']);
  });
});

describe('an ad submitted as en-GB', () => {
  it('is listed as en and found by ?lang=en', async () => {
    const { res, body } = await postAd({ lang: 'en-GB', title: 'Rowing boat for hire' });
    expect(res.status).toBe(201);
    expect((await approve(body.id)).status).toBe(200);
    const list = await getJson<{ items: { id: string; lang: string }[] }>('/v1/ads?lang=en');
    expect(list.items.find((i) => i.id === body.id)?.lang).toBe('en');
  });
});
