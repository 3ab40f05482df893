/**
 * Figures for docs/submissions.md, printed (not asserted: the machine is shared). workerd's
 * clock advances only across I/O, so these are whole-request times, not CPU profiles:
 * `npm run bench:submissions`
 */
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { expect, it, vi } from 'vitest';
import { APPROVED_NEWS_KEY } from '../../src/core/snapshot/keys.ts';
import { CATEGORIES } from '../../src/core/submissions/categories.ts';
import { newId } from '../../src/core/submissions/tokens.ts';
import {
  forgetApprovedNews,
  listApprovedNews,
  submissionsStore,
} from '../../src/storage/submissions.ts';
import { median, percentile } from './stats.ts';
import { approve, send, validAd, validNews } from '../../test/worker/submissions-helpers.ts';

vi.setConfig({ testTimeout: 120_000 });

const p95 = (xs: number[]) => percentile(xs, 95);

it('measures submit, approve and read latencies in local workerd', async () => {
  const submit: number[] = [];
  const ids: string[] = [];
  for (let i = 0; i < 40; i++) {
    const body = await validAd({ title: `Timing ad ${i}`, lang: 'mt' });
    const t = performance.now();
    const res = await send('POST', '/v1/ads', body);
    submit.push(performance.now() - t);
    expect(res.status).toBe(201);
    ids.push(((await res.json()) as { id: string }).id);
  }
  const moderate: number[] = [];
  for (const id of ids) {
    const t = performance.now();
    expect((await approve(id)).status).toBe(200);
    moderate.push(performance.now() - t);
  }
  const list: number[] = [];
  const detail: number[] = [];
  for (const id of ids) {
    let t = performance.now();
    expect((await send('GET', '/v1/ads?lang=mt&limit=20')).status).toBe(200);
    list.push(performance.now() - t);
    t = performance.now();
    expect((await send('GET', `/v1/ads/${id}`)).status).toBe(200);
    detail.push(performance.now() - t);
  }
  const burst = await Promise.all(
    Array.from({ length: 25 }, (_, i) => validAd({ title: `Burst ad ${i}` })),
  );
  const t = performance.now();
  const answers = await Promise.all(burst.map((b) => send('POST', '/v1/ads', b)));
  const burstMs = performance.now() - t;
  expect(answers.every((r) => r.status === 201)).toBe(true);

  // Live list size with 50 typical approved news items (600-character texts), approved
  // concurrently: the writes to the one list key coalesce (sequential approvals would each
  // wait for KV's one-write-per-second spacing).
  const news = await Promise.all(
    Array.from({ length: 50 }, async (_, i) => {
      const res = await send(
        'POST',
        '/v1/news',
        await validNews({
          title: `Timing news item number ${i}`,
          text: 'Reader news text. '.repeat(34),
        }),
      );
      return ((await res.json()) as { id: string }).id;
    }),
  );
  const ta = performance.now();
  await Promise.all(news.map((id) => approve(id)));
  const approveNewsMs = performance.now() - ta;
  const bytes = new TextEncoder().encode((await env.NEWS.get(APPROVED_NEWS_KEY)) ?? '').length;
  forgetApprovedNews();
  expect(await listApprovedNews(env.NEWS)).toHaveLength(50);

  const f = (x: number) => x.toFixed(1);
  console.log(
    [
      `POST /v1/ads          median ${f(median(submit))} ms, p95 ${f(p95(submit))} ms (n=40, sequential)`,
      `approve               median ${f(median(moderate))} ms, p95 ${f(p95(moderate))} ms`,
      `GET /v1/ads (list)    median ${f(median(list))} ms, p95 ${f(p95(list))} ms`,
      `GET /v1/ads/:id       median ${f(median(detail))} ms, p95 ${f(p95(detail))} ms`,
      `25 concurrent POSTs   ${f(burstMs)} ms in all`,
      `50 news approvals     ${f(approveNewsMs)} ms in all (concurrent)`,
      `live news list        ${bytes} bytes for 50 items`,
    ].join('\n'),
  );
});

// ---- search within ads -------------------------------------------------------------------

/** Deterministic words for generated ads (mulberry32: the same 10,000 ads every run). */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const VOCAB = {
  ru: 'продаю велосипед диван квартира машина ремонт уроки английского ноутбук телефон детская коляска аренда гараж щенки котята холодильник стиральная машина работа водитель няня репетитор шкаф стол стулья зимние шины картина книги'.split(
    ' ',
  ),
  uk: 'продам велосипед диван квартира машина ремонт уроки англійської ноутбук телефон дитяча коляска оренда гараж цуценята кошенята холодильник пральна робота водій няня репетитор шафа стіл стільці зимові шини картина книжки'.split(
    ' ',
  ),
  en: 'selling bicycle sofa apartment car repair english lessons laptop phone stroller rent garage puppies kittens fridge washing machine job driver nanny tutor wardrobe table chairs winter tyres painting books'.split(
    ' ',
  ),
};
const CITIES = ['Moscow', 'Kyiv', 'Lviv', 'Odesa', 'Kazan', 'Minsk', 'London', 'Riga'];

// Seeding 10,000 ads through the object takes a minute or two on the shared machine.
it(
  'measures search within 10,000 live ads (GET /v1/ads?q=) through the Worker',
  { timeout: 600_000 },
  async () => {
    const random = rng(42);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
    const langs = ['ru', 'uk', 'en'] as const;
    const words = (lang: (typeof langs)[number], n: number) =>
      Array.from({ length: n }, () => pick(VOCAB[lang])).join(' ');
    const stub = submissionsStore(env.SUBMISSIONS);
    const total = 10_000;
    const seedStart = performance.now();
    // Through the object's own create and moderate (the path of POST and approve, without
    // the HTTP round trips), in batches of 200.
    for (let done = 0; done < total; done += 200) {
      const batch = Array.from({ length: 200 }, () => {
        const lang = pick(langs);
        return {
          kind: 'ad' as const,
          id: newId(),
          content: {
            title: words(lang, 3),
            text: `${words(lang, 12)}. ${words(lang, 10)}.`,
            category: pick(CATEGORIES),
            price: random() < 0.8 ? { amount: Math.round(random() * 5000), currency: 'EUR' } : null,
            contact: { name: 'Bench', phone: '+1 555 123 4567' },
            location: pick(CITIES),
            lang,
            images: [],
          },
          expires_at: Date.now() + 30 * 86_400_000,
          token_hash: 'bench',
        };
      });
      await runInDurableObject(stub, async (store) => {
        const now = Date.now();
        for (const sub of batch) store.create(sub, null, now);
        await Promise.all(batch.map((sub) => store.moderate(sub.id, 'approve', now)));
      });
      if ((done + 200) % 2_000 === 0) console.log(`seeded ${done + 200} / ${total} live ads`);
    }
    const seedMs = performance.now() - seedStart;

    // The first search after the object starts builds the index from SQLite.
    const fresh = await runInDurableObject(stub, async (_instance, state) => {
      const { SubmissionsStore } = await import('../../src/storage/submissions/store.ts');
      const store = new SubmissionsStore(state, env);
      const t = performance.now();
      store.searchAds({ q: 'велосипед' }, { offset: 0, limit: 20 }, Date.now());
      return performance.now() - t;
    });

    // 300 different queries: a query asked before would be answered from the object's
    // result cache, and "first seen" would not be.
    const queries: string[] = [];
    for (let i = 0; queries.length < 300 && i < 100_000; i++) {
      const lang = pick(langs);
      const word = pick(VOCAB[lang]);
      const kind = queries.length % 5;
      const q =
        kind === 0
          ? word
          : kind === 1
            ? `${word} ${pick(VOCAB[lang])}`
            : kind === 2
              ? word.slice(0, Math.max(3, word.length - 1 - Math.floor(random() * 3))) // a prefix being typed
              : kind === 3
                ? `${word.slice(0, -2)}${pick(['x', 'q', 'ж', 'щ'])}${word.slice(-1)}` // one letter wrong
                : `${word}&category=${pick(CATEGORIES)}&price_min=100&price_max=2000`;
      const query = `q=${encodeURIComponent(q).replaceAll('%26', '&').replaceAll('%3D', '=')}`;
      if (!queries.includes(query)) queries.push(query);
    }
    expect(queries).toHaveLength(300);
    // Warm the index of this object (the route's first search builds it).
    expect((await send('GET', '/v1/ads?q=warm')).status).toBe(200);
    /** The object's own search call, as listAds makes it (src/routes/ads.ts). */
    const direct = (query: string) => {
      const params = new URLSearchParams(query);
      const number = (name: string) => (params.has(name) ? Number(params.get(name)) : undefined);
      return stub.searchAds(
        {
          q: params.get('q') ?? undefined,
          category: params.get('category') ?? undefined,
          price_min: number('price_min'),
          price_max: number('price_max'),
        },
        { offset: 0, limit: 20 },
        Date.now(),
      );
    };
    // Each query twice in a row through the Worker: first seen (the object scores every
    // matching ad) and repeated (its ranked list is kept until the index changes: a
    // popular query, or the next page of one). Then, from here straight to the object (no
    // Worker in between), the repeated search and a lookup that reads one missing row, the
    // round trip alone. workerd's clock stands still during computation, so the parts are
    // told apart by difference: the search itself is first seen minus repeated; the Worker's
    // own share (routing, validation, JSON, ETag) is repeated minus the object's call.
    const times: number[] = [];
    const repeated: number[] = [];
    const object: number[] = [];
    const roundTrip: number[] = [];
    let hits = 0;
    for (const query of queries) {
      for (const into of [times, repeated]) {
        const t = performance.now();
        const res = await send('GET', `/v1/ads?${query}&limit=20`);
        into.push(performance.now() - t);
        expect(res.status).toBe(200);
        const found = ((await res.json()) as { items: unknown[] }).items.length > 0;
        if (into === times) hits += found ? 1 : 0;
      }
      let t = performance.now();
      await direct(query);
      object.push(performance.now() - t);
      t = performance.now();
      await stub.get('aaaaaaaaaaaaaaaaaaaa');
      roundTrip.push(performance.now() - t);
    }
    const byKind = (xs: number[], kind: number) => xs.filter((_, i) => i % 5 === kind);
    const KINDS = ['one word', 'two words', 'prefix', 'typo', 'word + filters'];
    const f = (x: number) => x.toFixed(1);
    console.log(
      [
        `seeded ${total} live ads   ${f(seedMs / 1000)} s (create + approve in the object)`,
        `index build from SQLite   ${f(fresh)} ms (first search of a new instance)`,
        `GET /v1/ads?q=            median ${f(median(times))} ms, p95 ${f(p95(times))} ms (n=${times.length}; first seen; one word, two words, prefix, typo, with filters)`,
        `  the same, repeated       median ${f(median(repeated))} ms, p95 ${f(p95(repeated))} ms (${f(median(times) / median(repeated))}x faster at the median)`,
        ...KINDS.map(
          (name, k) =>
            `  first seen, ${name.padEnd(14)} median ${f(median(byKind(times, k)))} ms, p95 ${f(p95(byKind(times, k)))} ms`,
        ),
        `where a first-seen query's time goes (medians)`,
        `  the search in the object ${f(median(times) - median(repeated))} ms (first seen minus repeated)`,
        `  the object's call        ${f(median(object))} ms, p95 ${f(p95(object))} ms (repeated search: round trip, reading the page's rows, the answer's copy)`,
        `  of which the round trip  ${f(median(roundTrip))} ms, p95 ${f(p95(roundTrip))} ms (a lookup of one missing row)`,
        `  the Worker               ${f(median(repeated) - median(object))} ms (routing, validation, list items, JSON, ETag)`,
        `queries with results      ${hits} / ${times.length}`,
      ].join('\n'),
    );
  },
);
