/**
 * Round-trip fuzzing through the real Worker on real local KV (fast-check), at least 10,000
 * generated requests in all:
 *
 * - Refusals: every kind of bad request the routes must turn away (bad bodies, types, sizes,
 *   tokens, ids, query parameters, methods), mixed with good reads. No answer is a 5xx, every
 *   refusal is problem+json, and none changes state: a digest of the Durable Object's rows and
 *   of every KV key and value is the same after each batch as before it.
 * - Round trips: generated ads and reader news with text that cleaning has to get right,
 *   approved, then read back through the moderation queue, the owner view, the public ad,
 *   the feeds (JSON Feed, RSS, Atom, the JSON API), search and the article route.
 *
 * The two abuse counters change on refusals by design and are left out of the digest: the
 * rate-limiting binding, and `admin_failure_v1` (wrong admin tokens, see src/routes/admin.ts).
 */
import { runInDurableObject } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { CATEGORIES } from '../../src/core/submissions/categories.ts';
import type { AdminList, OwnerView } from '../../src/core/submissions/schemas.ts';
import { forgetApprovedNews, submissionsStore } from '../../src/storage/submissions.ts';
import { expectClientError } from './expect-problem.ts';
import { article, seedSnapshot } from './seed.ts';
import { admin, freshIp, owner, postAd, send, validAd, validNews } from './submissions-helpers.ts';

vi.setConfig({ testTimeout: 240_000 });

/** Requests sent by this file, printed at the end (the issue asks for at least 10,000). */
let sent = 0;
const counted = (res: Promise<Response>) => {
  sent++;
  return res;
};

interface Req {
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  /** What the request is: a refusal must be answered 4xx; a read 2xx (or 304). */
  refusal: boolean;
}

function request({ method, path, headers = {}, body }: Req): Promise<Response> {
  const init: RequestInit = { method, headers: { 'cf-connecting-ip': freshIp(), ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers = { 'content-type': 'application/json', ...init.headers };
  }
  return counted(exports.default.fetch(`http://fuzz.test${path}`, init));
}

// ---- the state digest ------------------------------------------------------------------

const TABLES = ['submission_v1', 'idempotency_v1', 'report_v1', 'api_key_v1', 'outbox_v1'];

async function digest(): Promise<string> {
  const rows = await runInDurableObject(submissionsStore(env.SUBMISSIONS), (_, state) =>
    TABLES.map((t) => state.storage.sql.exec(`SELECT * FROM ${t} ORDER BY 1`).toArray()),
  );
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.NEWS.list(cursor ? { cursor } : {});
    keys.push(...page.keys.map((k) => `${k.name}@${k.expiration ?? ''}`));
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  const names = keys.map((k) => k.slice(0, k.lastIndexOf('@')));
  const values: (string | null)[] = [];
  for (let i = 0; i < names.length; i += 100) {
    const got = await env.NEWS.get(names.slice(i, i + 100), 'text');
    values.push(...names.slice(i, i + 100).map((n) => got.get(n) ?? null));
  }
  const bytes = new TextEncoder().encode(JSON.stringify([rows, keys, values]));
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return [...hash].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The digest once the projection writes an earlier change started have landed (two equal reads). */
async function settledDigest(): Promise<string> {
  let last = await digest();
  for (;;) {
    // Projection writes to one key are spaced a second apart (src/storage/submissions/write-queue.ts).
    await new Promise((r) => setTimeout(r, 1_200));
    const now = await digest();
    if (now === last) return now;
    last = now;
  }
}

// ---- generators ------------------------------------------------------------------------

const notAString = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 }),
);
const notAnObject = fc.oneof(
  fc.integer(),
  fc.string({ maxLength: 20 }),
  fc.constant(null),
  fc.array(fc.integer()),
);
const junk = fc.string({ maxLength: 30 });
/** A well-formed submission id nobody holds (ids come from the store's random 100 bits). */
const unknownId = fc.stringMatching(/^[a-z2-7]{20}$/);

interface Fixtures {
  ad: Record<string, unknown>;
  news: Record<string, unknown>;
  /** A live ad and its manage token, for the owner and report routes. */
  liveAd: { id: string; token: string };
  /** An id in the moderation queue, for the admin routes. */
  pendingId: string;
}

function refusals(f: Fixtures): fc.Arbitrary<Req> {
  const post = (path: string, body: unknown, headers?: Record<string, string>): Req => ({
    method: 'POST',
    path,
    body,
    refusal: true,
    ...(headers ? { headers } : {}),
  });
  const kinds = fc.constantFrom<['/v1/ads' | '/v1/news', Record<string, unknown>]>(
    ['/v1/ads', f.ad],
    ['/v1/news', f.news],
  );
  const wrongBearer = junk.map((t) => ({ authorization: `Bearer x${t.replace(/\s/g, '')}` }));
  return fc.oneof(
    // Bodies: not an object; a required field of the wrong type; filled honeypot; forged form token.
    fc.tuple(kinds, notAnObject).map(([[path], body]) => post(path, JSON.stringify(body))),
    fc
      .tuple(kinds, fc.constantFrom('title', 'text', 'form_token'), notAString)
      .map(([[path, good], field, value]) => post(path, { ...good, [field]: value })),
    fc
      .tuple(kinds, fc.constantFrom('http://spam.example', 'buy now', 'x'))
      .map(([[path, good], website]) => post(path, { ...good, website })),
    fc
      .tuple(kinds, fc.stringMatching(/^[A-Za-z0-9_.-]{10,60}$/))
      .map(([[path, good], token]) => post(path, { ...good, form_token: token })),
    fc
      .tuple(fc.constantFrom(...CATEGORIES.map((c) => `${c}-x`)))
      .map(([category]) => post('/v1/ads', { ...f.ad, category })),
    // Framing: wrong content type, malformed JSON, too large, a malformed Idempotency-Key.
    kinds.map(([path, good]) => post(path, JSON.stringify(good), { 'content-type': 'text/plain' })),
    fc
      .tuple(kinds, fc.constantFrom('{"title":', '{"a":1,}', '[', '{"title":"x"'))
      .map(([[path], text]) => post(path, text)),
    kinds.map(([path, good]) => post(path, { ...good, text: 'x'.repeat(40_000) })),
    fc
      .tuple(kinds, fc.constantFrom('has space', 'x'.repeat(256), 'tab\there'))
      .map(([[path, good], key]) => post(path, good, { 'idempotency-key': key })),
    // Moderation: a wrong token, an unknown or malformed id, an unknown action.
    fc.tuple(wrongBearer, fc.constantFrom('approve', 'reject')).map(([auth, action]) => ({
      method: 'POST',
      path: `/v1/admin/submissions/${f.pendingId}/${action}`,
      headers: auth,
      refusal: true,
    })),
    fc.tuple(unknownId, fc.constantFrom('approve', 'reject')).map(([id, action]) => ({
      method: 'POST',
      path: `/v1/admin/submissions/${id}/${action}`,
      headers: admin,
      refusal: true,
    })),
    junk.map((id) => ({
      method: 'POST',
      path: `/v1/admin/submissions/${encodeURIComponent(id)}x/approve`,
      headers: admin,
      refusal: true,
    })),
    fc.constantFrom('publish', 'delete', 'hold').map((action) => ({
      method: 'POST',
      path: `/v1/admin/submissions/${f.pendingId}/${action}`,
      headers: admin,
      refusal: true,
    })),
    wrongBearer.map((auth) => post('/v1/admin/api-keys', { name: 'fuzz' }, auth)),
    // Owners: no token, a wrong token, a bad edit; reports with a bad body or of an unknown ad.
    fc
      .tuple(
        fc.constantFrom(['GET', '/manage'], ['PATCH', ''], ['DELETE', ''], ['POST', '/renew']),
        fc.option(wrongBearer, { nil: undefined }),
      )
      .map(([[method, tail], auth]) => ({
        method,
        path: `/v1/ads/${f.liveAd.id}${tail}`,
        ...(auth ? { headers: auth } : {}),
        ...(method === 'PATCH' ? { body: { title: 'A new title for the ad' } } : {}),
        refusal: true,
      })),
    fc
      .tuple(fc.constantFrom('title', 'text', 'category', 'contact'), notAString)
      .map(([field, value]) => ({
        method: 'PATCH',
        path: `/v1/ads/${f.liveAd.id}`,
        headers: owner(f.liveAd.token),
        body: { [field]: value },
        refusal: true,
      })),
    fc
      .oneof(junk, fc.constantFrom('spam!', ''))
      .map((reason) => post(`/v1/ads/${f.liveAd.id}/reports`, { reason })),
    unknownId.map((id) => post(`/v1/ads/${id}/reports`, { reason: 'spam' })),
    // Queries: every GET route with a bad parameter; unknown routes; wrong methods.
    fc
      .constantFrom(
        '/v1/feed?limit=0',
        '/v1/feed?limit=abc',
        '/v1/feed?limit=101',
        '/v1/feed?cursor=not-a-cursor',
        '/v1/feed?lang=English',
        '/v1/feed?limit=2&limit=3',
        '/v1/search?q=',
        '/v1/search?q=%20%20',
        `/v1/search?q=${'a'.repeat(201)}`,
        '/v1/search?q=a&q=b',
        '/v1/search?q=lighthouse&sort=best',
        '/v1/search?q=lighthouse&from=yesterday',
        '/v1/search?q=lighthouse&from=2024-02-01&to=2024-01-01',
        '/v1/search?q=lighthouse&cursor=forged',
        '/v1/suggest?q=',
        '/v1/suggest?q=ab&limit=21',
        '/v1/ads?limit=0',
        '/v1/ads?category=weapons',
        '/v1/ads?price_min=5&price_max=1',
        '/v1/ads?cursor=bm90LWEtY3Vyc29y',
        '/v1/ads/not-an-id',
        '/v1/articles/NOT_AN_ID!',
        '/v1/news/not-an-id',
        '/feed.xml?limit=0',
        '/feed.atom?lang=!!',
        '/feed.json?cursor=%00',
        '/sections/NOPE!/feed.xml',
        '/v1/nothing-here',
      )
      .map((path) => ({ method: 'GET', path, refusal: true })),
    fc
      .constantFrom(
        ['/v1/admin/submissions?status=bogus', admin],
        ['/v1/admin/submissions?kind=both', admin],
        ['/v1/admin/submissions?limit=1000', admin],
        ['/v1/admin/submissions', { authorization: 'Basic Zm9vOmJhcg==' }],
        ['/v1/admin/submissions', {}],
      )
      .map(([path, headers]) => ({ method: 'GET', path, headers, refusal: true })),
    fc
      .constantFrom(
        ['PUT', '/v1/ads'],
        ['DELETE', '/v1/feed'],
        ['PATCH', '/v1/news'],
        ['POST', '/v1/search?q=x'],
        ['PUT', '/v1/admin/submissions'],
      )
      .map(([method, path]) => ({ method, path, refusal: true })),
    fc
      .dictionary(
        fc.constantFrom('limit', 'cursor', 'lang', 'section', 'source', 'q', 'sort', 'from', 'to'),
        fc.string({ maxLength: 12 }),
        { maxKeys: 3 },
      )
      .chain((query) =>
        fc
          .constantFrom('/v1/feed', '/v1/search', '/v1/suggest', '/feed.json', '/v1/ads')
          .map((route): Req => ({
            method: 'GET',
            path: `${route}?${new URLSearchParams(query).toString()}`,
            // Some arbitrary queries are valid: a read then, answered 200.
            refusal: false,
          })),
      ),
  );
}

/** Reads that must answer 200, mixed in with the refusals. */
const reads = fc
  .constantFrom(
    '/v1/feed',
    '/v1/feed?lang=en&limit=5',
    '/v1/sections',
    '/v1/health',
    '/feed.xml',
    '/feed.atom',
    '/feed.json',
    '/sections/world/feed.xml',
    '/v1/search?q=lighthouse',
    '/v1/suggest?q=light',
    '/v1/ads',
    '/v1/form-token',
    '/',
    '/search?q=lighthouse',
  )
  .map((path): Req => ({ method: 'GET', path, refusal: false }));

/**
 * Longest one request may take before the suite names it as hung: far past the Worker's own
 * bound on a KV read (KV_READ_DEADLINE_MS, 5 s), so only a request that would never answer
 * (a shared load that never settles) reaches it, named, instead of the whole test timing out.
 */
const HUNG_MS = 60_000;

async function check(req: Req): Promise<void> {
  const what = `${req.method} ${req.path}`;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${HUNG_MS} ms`)), HUNG_MS);
  });
  const res = await Promise.race([request(req), hung])
    .catch((error: unknown) => {
      throw new Error(`${what}: ${String(error)}`, { cause: error });
    })
    .finally(() => clearTimeout(timer));
  const status = res.status;
  await expectClientError(res.clone(), what);
  if (req.refusal) expect(status, `${what} must be refused`).toBeGreaterThanOrEqual(400);
  else if (status >= 400)
    expect(res.headers.get('content-type'), what).toBe('application/problem+json');
  await res.body?.cancel();
}

// ---- the suite -------------------------------------------------------------------------

const REFUSALS = 9_600;
const BATCH = 600;
const CONCURRENT = 24;

let fixtures: Fixtures;

beforeAll(async () => {
  await seedSnapshot([
    article({ title: 'Lighthouse keeper retires after forty years' }),
    article({ title: 'Light rail opens a new line', lang: 'en', section: 'science' }),
  ]);
  const { body } = await postAd({ title: 'A live ad the fuzzing may not change' });
  expect(
    (await send('POST', `/v1/admin/submissions/${body.id}/approve`, undefined, admin)).status,
  ).toBe(200);
  const pending = await postAd({ title: 'A pending ad the fuzzing may not change' });
  sent += 3;
  fixtures = {
    ad: await validAd(),
    news: await validNews(),
    liveAd: { id: body.id, token: body.manage_token },
    pendingId: pending.body.id,
  };
});

describe('round-trip fuzzing', () => {
  it(`${REFUSALS} refusals and reads: no 5xx, refusals are problem+json, and no state changes`, async () => {
    const generate = fc.oneof(
      { weight: 6, arbitrary: refusals(fixtures) },
      { weight: 1, arbitrary: reads },
    );
    const all = fc.sample(generate, { numRuns: REFUSALS, seed: 20261201 });
    let before = await settledDigest();
    for (let b = 0; b < all.length; b += BATCH) {
      const batch = all.slice(b, b + BATCH);
      // CONCURRENT in flight at once, refusals and reads mixed: the isolate's shared loads
      // (pointer, approved news, parsed values, index parts) are joined by requests that are
      // refused or answered from the edge cache while a load is still in flight.
      for (let i = 0; i < batch.length; i += CONCURRENT)
        await Promise.all(batch.slice(i, i + CONCURRENT).map(check));
      const after = await digest();
      expect(after, `state changed in requests ${b}..${b + batch.length}`).toBe(before);
      before = after;
    }
  });

  it('accepted ads and reader news read back through every surface', async () => {
    const tricky = fc
      .array(
        fc.oneof(
          fc.constantFrom('e', 'a', 'и', 'ї', 'Ab', ' ', '\n', '\t'),
          fc.constantFrom('\u0301', '\u0308', '\u0000', '\u0007', '\u200b', '\u202e'),
          fc.string({ unit: 'binary', maxLength: 3 }),
        ),
        { maxLength: 12 },
      )
      .map((parts) => parts.join(''));
    // A searchable word of its own per item: letters only, so the analyzer keeps it whole.
    const marker = (n: number) =>
      `zq${[...n.toString(26)].map((d) => String.fromCharCode(97 + parseInt(d, 26))).join('')}`;
    const adTexts = fc.sample(fc.record({ title: tricky, location: tricky, text: tricky }), {
      numRuns: 100,
      seed: 7,
    });
    const newsTexts = fc.sample(fc.record({ title: tricky, text: tricky }), {
      numRuns: 48,
      seed: 8,
    });

    // Ads: submit, approve, then the queue, the owner view and the public detail agree.
    const ads: { id: string; token: string; title: string }[] = [];
    for (let i = 0; i < adTexts.length; i += CONCURRENT) {
      await Promise.all(
        adTexts.slice(i, i + CONCURRENT).map(async (t, k) => {
          const req: Req = {
            method: 'POST',
            path: '/v1/ads',
            refusal: false,
            body: await validAd({
              title: `Ad ${t.title} ${marker(i + k)}`,
              location: `Town ${t.location}`,
              text: `${t.text} and enough words to pass the minimum length`,
              lang: 'fy',
            }),
          };
          const res = await request(req);
          await expectClientError(res.clone(), 'POST /v1/ads');
          if (res.status !== 201) return;
          const { id, manage_token } = (await res.json()) as { id: string; manage_token: string };
          const approved = await counted(
            send('POST', `/v1/admin/submissions/${id}/approve`, undefined, admin),
          );
          expect(approved.status).toBe(200);
          ads.push({
            id,
            token: manage_token,
            title: ((await approved.json()) as { content: { title: string } }).content.title,
          });
        }),
      );
    }
    expect(ads.length).toBeGreaterThan(50);
    const queue = async (kind: string) => {
      const ids = new Map<string, Record<string, unknown>>();
      let cursor: string | null = null;
      do {
        const res = await counted(
          send(
            'GET',
            `/v1/admin/submissions?status=approved&kind=${kind}&limit=100${cursor ? `&cursor=${cursor}` : ''}`,
            undefined,
            admin,
          ),
        );
        expect(res.status).toBe(200);
        const page = (await res.json()) as AdminList;
        for (const item of page.items) ids.set(item.id, item.content as Record<string, unknown>);
        cursor = page.next_cursor;
      } while (cursor);
      return ids;
    };
    const approvedAds = await queue('ad');
    await Promise.all(
      ads.map(async ({ id, token, title }) => {
        expect(approvedAds.get(id)?.title).toBe(title);
        const view = (await (
          await counted(send('GET', `/v1/ads/${id}/manage`, undefined, owner(token)))
        ).json()) as OwnerView;
        expect(view.ad).toEqual(approvedAds.get(id));
        const detail = await counted(send('GET', `/v1/ads/${id}`));
        expect(detail.status).toBe(200);
        expect(((await detail.json()) as { title: string }).title).toBe(title);
      }),
    );

    // Reader news: submit, approve, then the article, the feeds in every format and search.
    const news: { id: string; title: string; word: string }[] = [];
    for (let i = 0; i < newsTexts.length; i += CONCURRENT) {
      await Promise.all(
        newsTexts.slice(i, i + CONCURRENT).map(async (t, k) => {
          const word = marker(1000 + i + k);
          const res = await request({
            method: 'POST',
            path: '/v1/news',
            refusal: false,
            body: await validNews({
              title: `Reader news ${t.title} ${word}`,
              text: `${t.text} and enough words to pass the fifty character minimum`,
              lang: 'fy',
            }),
          });
          await expectClientError(res.clone(), 'POST /v1/news');
          if (res.status !== 201) return;
          const { id } = (await res.json()) as { id: string };
          const approved = await counted(
            send('POST', `/v1/admin/submissions/${id}/approve`, undefined, admin),
          );
          expect(approved.status).toBe(200);
          news.push({
            id: `n-${id}`,
            title: ((await approved.json()) as { content: { title: string } }).content.title,
            word,
          });
        }),
      );
    }
    expect(news.length).toBeGreaterThan(25);
    const approvedNews = await queue('news');
    for (const n of news) expect(approvedNews.get(n.id.slice(2))?.title).toBe(n.title);
    // The feeds merge the approved list from KV once the Durable Object has rewritten it.
    await vi.waitFor(
      async () => {
        forgetApprovedNews();
        const feed = (await (await counted(send('GET', '/v1/feed?lang=fy&limit=100'))).json()) as {
          items: { id: string }[];
        };
        expect(feed.items.map((a) => a.id).sort()).toEqual(news.map((n) => n.id).sort());
      },
      { timeout: 60_000, interval: 500 },
    );
    const formats = await Promise.all(
      ['/feed.json', '/feed.xml', '/feed.atom'].map(async (path) => {
        const res = await counted(send('GET', `${path}?lang=fy&limit=100`));
        expect(res.status, path).toBe(200);
        return [path, await res.text()] as const;
      }),
    );
    await Promise.all(
      news.map(async ({ id, title, word }) => {
        for (const [path, text] of formats)
          expect(text, `${path} has ${id}`).toContain(`:article:${id}`);
        const res = await counted(send('GET', `/v1/articles/${id}`));
        expect(res.status).toBe(200);
        expect(((await res.json()) as { title: string }).title).toBe(title);
        const found = (await (await counted(send('GET', `/v1/search?q=${word}`))).json()) as {
          items: { id: string }[];
        };
        expect(
          found.items.map((h) => h.id),
          word,
        ).toContain(id);
      }),
    );
    console.log(
      `round-trip fuzzing: ${sent} requests (${ads.length} ads and ${news.length} news accepted and read back)`,
    );
    expect(sent).toBeGreaterThanOrEqual(10_000);
  });
});
