/**
 * Figures for docs/submissions.md, printed (not asserted: the machine is shared). workerd's
 * clock advances only across I/O, so these are whole-request times, not CPU profiles:
 * `npm run bench:submissions`
 */
import { env } from 'cloudflare:workers';
import { expect, it, vi } from 'vitest';
import { APPROVED_NEWS_KEY } from '../../src/core/snapshot/keys.ts';
import { forgetApprovedNews, listApprovedNews } from '../../src/storage/submissions.ts';
import { approve, send, validAd, validNews } from '../../test/worker/submissions-helpers.ts';

vi.setConfig({ testTimeout: 120_000 });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)] ?? 0;

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
