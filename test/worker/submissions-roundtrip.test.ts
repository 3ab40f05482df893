/**
 * What is accepted can be read back everywhere: text is cleaned once, at the door, and a
 * stored row is never re-cleaned on read, so no accepted submission (and no corrupt row) can
 * break the moderation queue, the owner view or the public listings.
 */
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type {
  AdDetail,
  AdList,
  AdminItem,
  AdminList,
  OwnerView,
} from '../../src/core/submissions/schemas.ts';
import { submissionsStore } from '../../src/storage/submissions.ts';
import { expectClientError } from './expect-problem.ts';
import {
  admin,
  approve,
  owner,
  postAd,
  postNews,
  reject,
  send,
  validAd,
  validNews,
} from './submissions-helpers.ts';

vi.setConfig({ testTimeout: 120_000 });

type Problem = { code: string; errors?: { field: string; message: string }[] };
const fieldsOf = async (res: Response) =>
  ((await res.json()) as Problem).errors?.map((e) => e.field).sort();

/** The surfaces a moderator reads: the default queue, and the queue of one kind. */
async function expectQueuesReadable(): Promise<void> {
  for (const query of ['', '?kind=ad', '?kind=news', '?status=approved', '?status=rejected']) {
    const res = await send('GET', `/v1/admin/submissions${query}`, undefined, admin);
    expect(res.status, query).toBe(200);
  }
}

describe('text that cleans differently a second time', () => {
  it('refuses a location that is one letter once a control between it and a mark is gone', async () => {
    // e, NUL, combining acute: NUL removed, then NFC makes it "é", one character (minimum 2).
    const res = await send('POST', '/v1/ads', await validAd({ location: 'e\u0000\u0301' }));
    expect(res.status).toBe(400);
    expect(await fieldsOf(res)).toEqual(['location']);
    await expectQueuesReadable();
  });

  it('refuses a news title built the same way (9 characters after cleaning, minimum 10)', async () => {
    const res = await send('POST', '/v1/news', await validNews({ title: 'Good newe\u0000\u0301' }));
    expect(res.status).toBe(400);
    expect(await fieldsOf(res)).toEqual(['title']);
  });

  it('stores the composed form once: the owner, the queue and the detail all show "Café"', async () => {
    const { res, body } = await postAd({ location: 'Cafe\u0000\u0301' });
    expect(res.status).toBe(201);
    const view = (await (
      await send('GET', `/v1/ads/${body.id}/manage`, undefined, owner(body.manage_token))
    ).json()) as OwnerView;
    expect(view.ad.location).toBe('Café');
    const approved = (await (await approve(body.id)).json()) as AdminItem;
    expect(approved.content.location).toBe('Café');
    const detail = (await (await send('GET', `/v1/ads/${body.id}`)).json()) as AdDetail;
    expect(detail.location).toBe('Café');
  });
});

describe('a stored row that does not read as a submission', () => {
  it('is left out of its page (logged); the rest of the queue and the listings still answer', async () => {
    const good = await postAd({ lang: 'gd', title: 'Good ad beside a bad row' });
    await approve(good.body.id);
    const badId = 'bbbbbbbbbbbbbbbbbbbb';
    const stub = submissionsStore(env.SUBMISSIONS);
    await runInDurableObject(stub, (_instance, state) => {
      // Content from some older or broken writer: not the stored shape of an ad.
      state.storage.sql.exec(
        `INSERT OR REPLACE INTO submission_v1 (id, kind, status, created_at, updated_at, approved_at, expires_at, category, lang, token_hash, content)
         VALUES (?, 'ad', 'approved', 1, 1, ?, ?, 'services', 'gd', 'x', '{"title": 42}')`,
        badId,
        Date.now(),
        Date.now() + 86_400_000,
      );
    });
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await expectQueuesReadable();
      const list = (await (await send('GET', '/v1/ads?lang=gd')).json()) as AdList;
      expect(list.items.map((i) => i.id)).toEqual([good.body.id]);
      expect((await send('GET', `/v1/ads/${badId}`)).status).toBe(404);
      expect((await approve(badId)).status).toBe(404);
      expect(errors).toHaveBeenCalledWith(
        'submissions: unreadable content',
        badId,
        expect.any(String),
      );
    } finally {
      errors.mockRestore();
      await runInDurableObject(stub, (_instance, state) => {
        state.storage.sql.exec('DELETE FROM submission_v1 WHERE id = ?', badId);
      });
    }
  });
});

describe('URLs', () => {
  it.each([
    ['news url', '/v1/news', { url: 'https://example.com/"><script>alert(1)</script>' }, 'url'],
    [
      'image with an event handler',
      '/v1/ads',
      { images: ['https://img.example.com/a.jpg" onerror="alert(1)'] },
      'images.0',
    ],
    ['image with a space', '/v1/ads', { images: ['https://img.example.com/a b.jpg'] }, 'images.0'],
    [
      'image with a line break',
      '/v1/ads',
      { images: ['https://img.example.com/a.jpg\nx'] },
      'images.0',
    ],
  ])('refuses a %s with 400 naming the field', async (_what, path, overrides, field) => {
    const body = path === '/v1/ads' ? await validAd(overrides) : await validNews(overrides);
    const res = await send('POST', path, body);
    expect(res.status).toBe(400);
    const problem = (await res.json()) as Problem;
    expect(problem.errors).toEqual([
      { field, message: 'must not contain spaces, quotes or angle brackets' },
    ]);
  });

  it('stores and serves the normalised href', async () => {
    const { body } = await postAd({ images: ['HTTPS://IMG.Example.COM/x/../studio.jpg'] });
    await approve(body.id);
    const detail = (await (await send('GET', `/v1/ads/${body.id}`)).json()) as AdDetail;
    expect(detail.images).toEqual(['https://img.example.com/studio.jpg']);
    const news = await postNews({ url: 'http://Example.ORG/a/./b?q=1#top' });
    const queued = (await (
      await send('GET', '/v1/admin/submissions?kind=news&limit=100', undefined, admin)
    ).json()) as AdminList;
    expect(queued.items.find((i) => i.id === news.body.id)?.content.url).toBe(
      'http://example.org/a/b?q=1#top',
    );
  });
});

/** Text fields made of the characters that cleaning has to get right. */
const tricky = fc
  .array(
    fc.oneof(
      fc.constantFrom('e', 'a', 'и', 'ї', 'Ab', ' ', '\n', '\r\n', '\t'),
      fc.constantFrom('\u0301', '\u0308', '\u0306', '\u0000', '\u0007', '\u200b', '\u202e'),
      fc.string({ unit: 'binary', maxLength: 4 }),
    ),
    { minLength: 1, maxLength: 30 },
  )
  .map((parts) => parts.join(''));

/** Runs `check` over every item of a batch at once (projection writes to one key coalesce). */
const each = <T>(items: T[], check: (item: T, index: number) => Promise<void>) =>
  Promise.all(items.map(check)).then(() => undefined);

describe('round trip (fast-check through the Worker)', () => {
  it('every ad accepted reads back through the queue, owner, approval, listing, detail, reject and delete', async () => {
    const ad = fc.record({ title: tricky, location: tricky, name: tricky, text: tricky });
    await fc.assert(
      fc.asyncProperty(fc.array(ad, { minLength: 1, maxLength: 10 }), async (ads) => {
        await each(ads, async ({ title, location, name, text }, i) => {
          const body = await validAd({
            title: `Ad ${title}`,
            location,
            text: `${text} and enough words to pass the minimum`,
            contact: { name, phone: '+7 495 123-45-67' },
            lang: 'fy',
          });
          const res = await send('POST', '/v1/ads', body);
          await expectClientError(res.clone(), 'POST /v1/ads');
          if (res.status !== 201) return;
          const { id, manage_token } = (await res.json()) as { id: string; manage_token: string };
          await expectQueuesReadable();
          const manage = await send('GET', `/v1/ads/${id}/manage`, undefined, owner(manage_token));
          expect(manage.status).toBe(200);
          const stored = ((await manage.json()) as OwnerView).ad;
          const approved = await approve(id);
          expect(approved.status).toBe(200);
          expect(((await approved.json()) as AdminItem).content).toEqual(stored);
          expect((await send('GET', '/v1/ads?lang=fy')).status).toBe(200);
          const detail = (await (await send('GET', `/v1/ads/${id}`)).json()) as AdDetail;
          expect([detail.title, detail.location, detail.contact.name]).toEqual([
            stored.title,
            stored.location,
            (stored.contact as { name: string }).name,
          ]);
          // Half are rejected, half deleted (each change waits for KV's 1 s per key).
          if (i % 2 === 0) expect((await reject(id)).status).toBe(200);
          else
            expect(
              (await send('DELETE', `/v1/ads/${id}`, undefined, owner(manage_token))).status,
            ).toBe(204);
        });
        await expectQueuesReadable();
      }),
      { numRuns: 5 },
    );
  });

  it('every news item accepted reads back through the queue, approval, the article and reject', async () => {
    const news = fc.record({ title: tricky, text: tricky });
    await fc.assert(
      fc.asyncProperty(fc.array(news, { minLength: 1, maxLength: 10 }), async (items) => {
        await each(items, async ({ title, text }) => {
          const res = await send(
            'POST',
            '/v1/news',
            await validNews({
              title: `Reader news ${title}`,
              text: `${text} and enough words to pass the fifty character minimum`,
            }),
          );
          await expectClientError(res.clone(), 'POST /v1/news');
          if (res.status !== 201) return;
          const { id } = (await res.json()) as { id: string };
          await expectQueuesReadable();
          const approved = await approve(id);
          expect(approved.status).toBe(200);
          const stored = ((await approved.json()) as AdminItem).content;
          const article = (await (await send('GET', `/v1/news/n-${id}`)).json()) as {
            title: string;
            body: string;
          };
          expect([article.title, article.body]).toEqual([stored.title, stored.text]);
          expect((await reject(id)).status).toBe(200);
        });
      }),
      { numRuns: 3 },
    );
  });
});
