/**
 * Search within ads (`GET /v1/ads?q=&location=&category=&price_min=&price_max=`) through the
 * real Worker: the in-memory MiniSearch index of the Durable Object, with the analysis of
 * article search, kept in step with approve, edit, expiry and delete.
 */
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AdList } from '../../src/core/submissions/schemas.ts';
import { submissionsStore } from '../../src/storage/submissions.ts';
import { SubmissionsStore } from '../../src/storage/submissions/store.ts';
import { approve, freshIp, owner, postAd, reject, send } from './submissions-helpers.ts';

vi.setConfig({ testTimeout: 30_000 });

afterEach(() => {
  vi.useRealTimers();
});

/** A word no other test uses, so each test sees only its own ads (the store is shared). */
const nonce = () => `zq${crypto.getRandomValues(new Uint32Array(1))[0]?.toString(36)}`;

async function found(query: string): Promise<string[]> {
  const res = await send('GET', `/v1/ads?${query}`);
  expect(res.status, query).toBe(200);
  return ((await res.json()) as AdList).items.map((i) => i.id);
}

async function live(overrides: Record<string, unknown>): Promise<{ id: string; token: string }> {
  const { res, body } = await postAd(overrides);
  expect(res.status).toBe(201);
  expect((await approve(body.id)).status).toBe(200);
  return { id: body.id, token: body.manage_token };
}

describe('GET /v1/ads?q=', () => {
  it('finds word forms, a prefix being typed and a typo, in Russian, Ukrainian and English', async () => {
    const tag = nonce();
    const ru = await live({
      title: `Продаю велосипед ${tag}`,
      text: 'Горный велосипед в хорошем состоянии, новые покрышки.',
      lang: 'ru',
    });
    const uk = await live({
      title: `Продам диван ${tag}`,
      text: 'Зручний диван для вітальні, майже новий.',
      lang: 'uk',
      location: 'Київ',
    });
    const en = await live({
      title: `Bicycles for children ${tag}`,
      text: 'Two small bicycles with training wheels, barely ridden.',
      lang: 'en',
    });
    const q = (words: string) => found(`q=${encodeURIComponent(`${tag} ${words}`)}`);
    expect(await q('велосипеды')).toEqual([ru.id]); // another case of the same noun
    expect(await q('велос')).toEqual([ru.id]); // the last word as a prefix
    expect(await q('вітальня')).toEqual([uk.id]);
    expect(await q('bicycle')).toEqual([en.id]);
    expect(await q('bicycls')).toEqual([en.id]); // one edit away
    expect(await q('києві')).toEqual([uk.id]); // the location, in another case
    expect(await q('лодка')).toEqual([]); // every word must match
    expect((await found(`q=${tag}`)).sort()).toEqual([ru.id, uk.id, en.id].sort());
  });

  it('ranks a title match above a text match', async () => {
    const tag = nonce();
    const inText = await live({
      title: `Garden tools ${tag}`,
      text: 'Rakes, spades and a wheelbarrow, all in good order.',
    });
    const inTitle = await live({
      title: `Wheelbarrow ${tag}`,
      text: 'Steel, with a new tyre, hardly used at all.',
    });
    expect(await found(`q=${tag}+wheelbarrow`)).toEqual([inTitle.id, inText.id]);
  });

  it('filters by category, price range, location and language', async () => {
    const tag = nonce();
    const cheap = await live({
      title: `Laptop ${tag} cheap`,
      category: 'electronics',
      price: { amount: 300, currency: 'EUR' },
      location: 'Moscow',
    });
    const dear = await live({
      title: `Laptop ${tag} dear`,
      category: 'electronics',
      price: { amount: 1500, currency: 'EUR' },
      location: 'Saint Petersburg',
    });
    const free = await live({
      title: `Laptop ${tag} bag`,
      category: 'other',
      price: null,
      location: 'Kazan',
    });
    expect((await found(`q=${tag}`)).sort()).toEqual([cheap.id, dear.id, free.id].sort());
    expect((await found(`q=${tag}&category=electronics`)).sort()).toEqual(
      [cheap.id, dear.id].sort(),
    );
    expect(await found(`q=${tag}&price_min=1000`)).toEqual([dear.id]);
    expect(await found(`q=${tag}&price_max=300`)).toEqual([cheap.id]);
    expect(await found(`q=${tag}&price_min=300&price_max=1500&location=petersburg`)).toEqual([
      dear.id,
    ]);
    expect(await found(`q=${tag}&location=mosc`)).toEqual([cheap.id]);
    expect(await found(`q=${tag}&lang=en`)).toEqual([]);
  });

  it('pages ranked results with a cursor, each ad once, equal scores by id', async () => {
    const tag = nonce();
    const ids = [];
    // Seven ads that score alike (same words, same lengths), created in an order that is not
    // their ids' order: each page is the best of a cut that falls inside the tie, so the
    // tie must be settled by id across the whole list, not by the order MiniSearch holds.
    for (let i = 0; i < 7; i++) ids.push((await live({ title: `Paged ${tag} number ${i}` })).id);
    const seen: string[] = [];
    let cursor = '';
    for (let pages = 0; pages < 7; pages++) {
      const res = await send('GET', `/v1/ads?q=${tag}&limit=3${cursor}`);
      const page = (await res.json()) as AdList;
      seen.push(...page.items.map((i) => i.id));
      if (page.next_cursor === null) break;
      cursor = `&cursor=${page.next_cursor}`;
    }
    expect(seen).toEqual([...ids].sort());
  });

  it('follows approve, edit, hold, delete, expiry and renewal', async () => {
    const tag = nonce();
    const { res, body } = await postAd({ title: `Armchair ${tag}` });
    expect(res.status).toBe(201);
    expect(await found(`q=${tag}`)).toEqual([]); // pending
    await approve(body.id);
    expect(await found(`q=${tag}`)).toEqual([body.id]);

    // An edit sends it back to moderation; approved again, it is found by its new words only.
    const edit = await send(
      'PATCH',
      `/v1/ads/${body.id}`,
      { title: `Rocking chair ${tag}` },
      owner(body.manage_token),
    );
    expect(edit.status).toBe(200);
    expect(await found(`q=${tag}`)).toEqual([]);
    await approve(body.id);
    expect(await found(`q=${tag}+rocking`)).toEqual([body.id]);
    expect(await found(`q=${tag}+armchair`)).toEqual([]);

    // Held by three reporters, restored by a moderator.
    for (let i = 0; i < 3; i++)
      await send(
        'POST',
        `/v1/ads/${body.id}/reports`,
        { reason: 'spam' },
        {
          'cf-connecting-ip': freshIp(),
        },
      );
    expect(await found(`q=${tag}`)).toEqual([]);
    await approve(body.id);
    expect(await found(`q=${tag}`)).toEqual([body.id]);

    // Expiry (pinned clock), then a renewal brings it back.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 31 * 86_400_000);
    expect(await found(`q=${tag}`)).toEqual([]);
    expect(
      (await send('POST', `/v1/ads/${body.id}/renew`, undefined, owner(body.manage_token))).status,
    ).toBe(200);
    expect(await found(`q=${tag}`)).toEqual([body.id]);
    vi.useRealTimers();

    await reject(body.id);
    expect(await found(`q=${tag}`)).toEqual([]);
    await approve(body.id);
    expect(
      (await send('DELETE', `/v1/ads/${body.id}`, undefined, owner(body.manage_token))).status,
    ).toBe(204);
    expect(await found(`q=${tag}`)).toEqual([]);
  });

  it('is built from SQLite when the object starts again', async () => {
    const tag = nonce();
    const ad = await live({ title: `Piano ${tag}` });
    expect(await found(`q=${tag}`)).toEqual([ad.id]);
    // The row changes under the running object (as a migration or an older writer could).
    const stub = submissionsStore(env.SUBMISSIONS);
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec(
        "UPDATE submission_v1 SET content = json_set(content, '$.title', ?) WHERE id = ?",
        `Organ ${tag}`,
        ad.id,
      );
    });
    // The running index still holds the words it was given...
    expect(await found(`q=${tag}+piano`)).toEqual([ad.id]);
    // ...and a new instance over the same storage (as after an eviction or a deploy) builds
    // its index from the rows.
    const ids = await runInDurableObject(stub, (_instance, state) => {
      const fresh = new SubmissionsStore(state, env);
      const search = (q: string) =>
        fresh.searchAds({ q }, { offset: 0, limit: 10 }, Date.now()).records.map((r) => r.id);
      return [search(`${tag} organ`), search(`${tag} piano`)];
    });
    expect(ids).toEqual([[ad.id], []]);
  });

  it.each([
    ['an empty q', 'q=', 'q'],
    ['a price that is not an amount', 'price_min=cheap', 'price_min'],
    ['three decimals', 'price_max=1.005', 'price_max'],
    ['a range upside down', 'q=x&price_min=10&price_max=5', 'price_max'],
    ['a long q', `q=${'a'.repeat(201)}`, 'q'],
  ])('answers 400 for %s naming the parameter', async (_what, query, field) => {
    const res = await send('GET', `/v1/ads?${query}`);
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { errors: { field: string }[] };
    expect(problem.errors.map((e) => e.field)).toEqual([field]);
  });

  it('finds nothing (200) for a query of punctuation only', async () => {
    expect(await found(`q=${encodeURIComponent('!!! ...')}`)).toEqual([]);
  });
});
