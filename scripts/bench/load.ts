/**
 * `npm run bench:load`: the whole Worker under a mixed load, and nothing accepted lost.
 *
 * Publishes an archive of generated articles (scripts/bench/corpus.ts, default 100k) into a
 * scratch local KV, starts `wrangler dev` on it (loopback only), and drives it with
 * autocannon for a bounded time: 70% feed reads (JSON feed pages by language and section,
 * articles, RSS and Atom), 25% search and suggest, 5% submissions (ads and reader news, each
 * from its own client address, with form tokens fetched from /v1/form-token and aged past
 * their fill time). It prints throughput, p50/p99 latency, responses by status, workerd's
 * RSS over time, and then reads every 201 back through the moderation queue: zero lost.
 *
 *   node scripts/bench/load.ts [--articles 100000] [--seconds 60 | --soak 10m]
 *                              [--connections 10] [--port N] [--reuse] [--server-nice 0]
 *                              [--mix mixed | notfound]
 *
 * With --soak the run is long and the RSS check applies: the last minute's median RSS must
 * be within 10% of the second minute's (the first minute is warm-up: caches filling).
 *
 * Beside workerd's RSS it samples the Worker isolate's V8 heap through the inspector
 * (`wrangler dev --inspector-port`, CDP `Runtime.getHeapUsage`), so growth can be told apart:
 * what the isolate's JavaScript holds, and what workerd and Miniflare hold outside it (the
 * local cache and KV services, the Durable Object's SQLite). `--mix notfound` is the control:
 * every request is a 404 that touches no KV, cache or Durable Object. wrangler dev's own
 * output goes to `wrangler-dev.log` beside the archive, and the summary counts the lines that
 * say a request hung or did I/O of another request.
 *
 * On a shared machine run the driver niced (`nice -n 15 npm run bench:load`): the publish and
 * the load generator then yield to others, while `wrangler dev` and its workerd, the server
 * being measured, are set back to --server-nice (default 0) as they start, so the figures are
 * the server's and not the scheduler's.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { getPriority, setPriority } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { buildSnapshot } from '../../src/core/snapshot/build.ts';
import { nextBuild, publishSnapshot } from '../../src/core/snapshot/publish.ts';
import { openLocalKv } from '../lib/local-kv.ts';
import { corpus, loadReal, rng } from './corpus.ts';
import { QUERIES } from './queries.ts';
import { median, percentile } from './stats.ts';

const { values } = parseArgs({
  options: {
    articles: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '60' },
    soak: { type: 'string' },
    connections: { type: 'string', default: '10' },
    port: { type: 'string' },
    reuse: { type: 'boolean', default: false },
    'server-nice': { type: 'string', default: '0' },
    mix: { type: 'string', default: 'mixed' },
  },
});
if (values.mix !== 'mixed' && values.mix !== 'notfound')
  throw new Error(`--mix takes mixed or notfound, not ${values.mix}`);

const ROOT = join(import.meta.dirname, '..', '..');
const port = values.port === undefined ? await freePort() : Number(values.port);
const inspectorPort = await freePort();
const base = `http://127.0.0.1:${port}`;

/** A port the kernel hands out on loopback (listen on 0, read it back, close). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}
const articleCount = Number(values.articles);
const seconds = values.soak ? parseDuration(values.soak) : Number(values.seconds);
const persist = join(ROOT, '.wrangler', 'bench-load', String(articleCount));

function parseDuration(text: string): number {
  const m = /^(\d+)(s|m)?$/.exec(text);
  if (!m) throw new Error(`--soak takes a duration like 10m or 600s, not ${text}`);
  return Number(m[1]) * (m[2] === 'm' ? 60 : 1);
}

const log = (line: string) => console.error(`[bench:load] ${line}`);

/** Publishes the archive once per size; --reuse keeps an earlier run's KV. */
async function publishArchive(): Promise<string[]> {
  const idsFile = join(persist, 'article-ids.json');
  if (values.reuse && existsSync(idsFile)) {
    log(`reusing the ${articleCount}-article archive in ${persist}`);
    return JSON.parse(readFileSync(idsFile, 'utf8')) as string[];
  }
  rmSync(persist, { recursive: true, force: true });
  mkdirSync(persist, { recursive: true });
  log(`generating ${articleCount} articles (real text from ../shared/data where present)`);
  // Generated articles are already normalised and distinct: no pipeline pass (its `extra`
  // would record them all as folded reader news).
  const articles = corpus(articleCount, loadReal(), (done) => log(`  generated ${done}`));
  const stats = { read: articles.length, skipped: 0, merged: 0, grouped: 0 };
  // Bulk writes straight into the local KV's files (scripts/lib/local-kv.ts): through the
  // binding a 100k publish took hours on a loaded machine.
  const kv = await openLocalKv({ persistTo: persist });
  const store = kv.store;
  try {
    const started = performance.now();
    const built = buildSnapshot(articles, stats, {
      base: await nextBuild(store),
      onProgress: progressLine,
    });
    await publishSnapshot(store, built, { onProgress: progressLine });
    log(
      `published ${built.counts.articles} articles, ${built.counts.keys} keys in ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  } finally {
    await kv.close();
  }
  const rand = rng(7);
  const sample = Array.from(
    { length: 2_000 },
    () => articles[Math.floor(rand() * articles.length)]!.id,
  );
  writeFileSync(idsFile, JSON.stringify(sample));
  return sample;
}

let lastStage = '';
const t0 = performance.now();
function progressLine(stage: string, done: number, total: number): void {
  if (stage !== lastStage || done === total || done % 20_000 === 0) {
    log(`  ${stage}: ${done}/${total} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    lastStage = stage;
  }
}

async function waitForServer(): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/v1/health`)).ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error('wrangler dev did not answer /v1/health in 180 s');
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Every process below `root` in the process tree (root included), with its RSS in KiB. */
function processTree(root: number): { pid: number; rss: number; comm: string }[] {
  const ps = spawnSync('ps', ['-e', '-o', 'pid=,ppid=,rss=,comm='], { encoding: 'utf8' }).stdout;
  const rows = ps
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .map(([pid, ppid, rss, comm]) => ({
      pid: Number(pid),
      ppid: Number(ppid),
      rss: Number(rss),
      comm: comm ?? '',
    }));
  const below = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const r of rows)
      if (below.has(r.ppid) && !below.has(r.pid)) {
        below.add(r.pid);
        grew = true;
      }
  }
  return rows.filter((r) => below.has(r.pid));
}

/** RSS (KiB) of every workerd process below `root`. */
const workerdRssKib = (root: number): number =>
  processTree(root)
    .filter((r) => r.comm.startsWith('workerd'))
    .reduce((sum, r) => sum + r.rss, 0);

/** The admin token `wrangler dev` reads from .dev.vars (created from the example, as npm start does). */
function adminToken(): string {
  const vars = join(ROOT, '.dev.vars');
  if (!existsSync(vars)) copyFileSync(join(ROOT, '.dev.vars.example'), vars);
  const m = /^ADMIN_TOKEN\s*=\s*"?([^"\n]+)"?/m.exec(readFileSync(vars, 'utf8'));
  if (!m) throw new Error('.dev.vars has no ADMIN_TOKEN');
  return m[1]!;
}

/** Every id in the moderation queue with this status, all pages. */
async function queueIds(status: string): Promise<Set<string>> {
  const ids = new Set<string>();
  const headers = { authorization: `Bearer ${adminToken()}` };
  let cursor: string | null = null;
  do {
    const url = `${base}/v1/admin/submissions?status=${status}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await fetch(url, { headers });
    if (res.status !== 200) throw new Error(`the moderation queue answered ${res.status}`);
    const page = (await res.json()) as { items: { id: string }[]; next_cursor: string | null };
    for (const item of page.items) ids.add(item.id);
    cursor = page.next_cursor;
  } while (cursor);
  return ids;
}

async function formTokens(n: number): Promise<string[]> {
  const tokens: string[] = [];
  let wait = 0;
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${base}/v1/form-token`);
    const body = (await res.json()) as { form_token: string; min_fill_seconds: number };
    tokens.push(body.form_token);
    wait = Math.max(wait, body.min_fill_seconds);
  }
  log(`waiting ${wait} s for the form tokens' fill time`);
  await new Promise((r) => setTimeout(r, wait * 1000 + 500));
  return tokens;
}

/**
 * The Worker isolate's V8 heap through wrangler dev's inspector (Chrome DevTools Protocol,
 * https://chromedevtools.github.io/devtools-protocol/tot/Runtime/#method-getHeapUsage):
 * `used` is what the isolate's objects take (garbage not yet collected included), `total` what
 * V8 has reserved for them. Null when the inspector does not answer.
 */
async function inspector(): Promise<{
  heap(): Promise<{ used: number; total: number } | null>;
  close(): void;
} | null> {
  try {
    const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as {
      webSocketDebuggerUrl?: string;
    }[];
    const url = targets.find((t) => t.webSocketDebuggerUrl)?.webSocketDebuggerUrl;
    if (!url) return null;
    // wrangler's inspector proxy refuses a WebSocket without an Origin of its allow-list
    // (node_modules/wrangler/wrangler-dist/InspectorProxyWorker.js); undici takes headers.
    const socket = new WebSocket(url, {
      headers: { origin: `http://127.0.0.1:${inspectorPort}` },
    } as unknown as string[]);
    await new Promise((resolve, reject) => {
      socket.addEventListener('open', resolve, { once: true });
      socket.addEventListener('error', reject, { once: true });
    });
    let id = 0;
    const waiting = new Map<number, (result: unknown) => void>();
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
      if (message.id !== undefined) waiting.get(message.id)?.(message.result ?? null);
      if (message.id !== undefined) waiting.delete(message.id);
    });
    const call = (method: string) =>
      new Promise<unknown>((resolve) => {
        const n = ++id;
        waiting.set(n, resolve);
        socket.send(JSON.stringify({ id: n, method }));
        setTimeout(() => {
          if (waiting.delete(n)) resolve(null);
        }, 10_000);
      });
    return {
      async heap() {
        const r = (await call('Runtime.getHeapUsage')) as {
          usedSize?: number;
          totalSize?: number;
        } | null;
        return r?.usedSize === undefined || r.totalSize === undefined
          ? null
          : { used: r.usedSize, total: r.totalSize };
      },
      close: () => socket.close(),
    };
  } catch (error) {
    log(`no V8 heap figures: the inspector did not answer (${String(error)})`);
    return null;
  }
}

/** Lines of wrangler dev's log that say a request hung or touched another request's I/O. */
function serverTrouble(file: string): Map<string, { count: number; first: string }> {
  const kinds: [string, RegExp][] = [
    ['hung', /had hung|will never generate a response/],
    ['cross-request I/O', /on behalf of a different request/],
    ['cross-request promise', /resolved or rejected from a different request context/],
    ['unhandled error', /unhandled error/],
  ];
  const found = new Map<string, { count: number; first: string }>();
  if (!existsSync(file)) return found;
  for (const line of readFileSync(file, 'utf8').split('\n'))
    for (const [kind, pattern] of kinds)
      if (pattern.test(line)) {
        const seen = found.get(kind);
        if (seen) seen.count++;
        else found.set(kind, { count: 1, first: line.slice(0, 300) });
      }
  return found;
}

async function main(): Promise<void> {
  const ids = await publishArchive();
  adminToken(); // .dev.vars must exist before wrangler dev starts: it holds the secrets
  const serverLog = join(persist, 'wrangler-dev.log');
  log(`starting wrangler dev on ${base} (its output: ${serverLog})`);
  const logFd = openSync(serverLog, 'w');
  const dev = spawn(
    'npx',
    [
      'wrangler',
      'dev',
      '--port',
      String(port),
      '--ip',
      '127.0.0.1',
      '--inspector-port',
      String(inspectorPort),
      '--persist-to',
      persist,
    ],
    { cwd: ROOT, stdio: ['ignore', logFd, logFd], detached: true },
  );
  closeSync(logFd);
  // The server runs at its own priority, not the driver's (see the header comment): set
  // now, for what it starts, and again once it answers, for what it started meanwhile.
  const serverNice = Number(values['server-nice']);
  const renice = () => {
    if (!dev.pid || getPriority() === serverNice) return;
    for (const { pid } of processTree(dev.pid)) {
      try {
        setPriority(pid, serverNice);
      } catch {
        // exited meanwhile (npx hands over to wrangler)
      }
    }
  };
  renice();
  const stop = () => {
    if (dev.pid) {
      try {
        process.kill(-dev.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  };
  process.on('SIGINT', () => {
    stop();
    process.exit(130);
  });
  try {
    await waitForServer();
    renice();
    log(
      `driver at nice ${getPriority()}, wrangler dev and workerd at nice ${getPriority(dev.pid)}`,
    );
    const tokens = await formTokens(20);
    const rand = rng(42);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const sections = (
      (await (await fetch(`${base}/v1/sections`)).json()) as { sections: { section: string }[] }
    ).sections.map((s) => s.section);
    const accepted: string[] = [];
    const statuses = new Map<number, number>();
    /** The first body of each refusal status, printed in the summary. */
    const refusals = new Map<number, string>();
    const byKind = new Map<string, number>();
    let client = 0;

    type Req = {
      method: 'GET' | 'POST';
      path: string;
      headers?: Record<string, string>;
      body?: string;
    };
    const feeds = (): Req => {
      const r = rand();
      if (r < 0.4) {
        const lang = pick(['ru', 'en', 'uk', '']);
        const section = rand() < 0.5 ? `&section=${pick(sections)}` : '';
        return { method: 'GET', path: `/v1/feed?limit=20${lang && `&lang=${lang}`}${section}` };
      }
      if (r < 0.75) return { method: 'GET', path: `/v1/articles/${pick(ids)}` };
      if (r < 0.9) return { method: 'GET', path: pick(['/feed.xml', '/feed.atom', '/feed.json']) };
      return { method: 'GET', path: `/sections/${pick(sections)}/feed.xml` };
    };
    const search = (): Req => {
      const q = pick(QUERIES);
      if (rand() < 0.2)
        return { method: 'GET', path: `/v1/suggest?q=${encodeURIComponent(q.q.trim())}` };
      const params = new URLSearchParams({ q: q.q, ...q.params });
      return { method: 'GET', path: `/v1/search?${params}` };
    };
    const submit = (): Req => {
      // Each submission from its own client (the limit is 5 per minute per client).
      // A header only (every request goes to loopback): addresses of the documentation
      // prefix 2001:db8::/32 (RFC 3849), one /64 each.
      const n = ++client;
      const ip = `2001:db8:${(n >> 16).toString(16)}:${(n & 0xffff).toString(16)}::1`;
      const token = pick(tokens);
      const news = rand() < 0.3;
      const body = news
        ? {
            title: `Load test report number ${n}`,
            text: `A reader reports event ${n} in detail, long enough to pass the minimum length rule.`,
            url: `https://reader.example/${n}`,
            section: 'society',
            lang: 'en',
            website: '',
            form_token: token,
          }
        : {
            title: `Bicycle for sale ${n}`,
            text: `A city bicycle in good condition, number ${n}, new tyres and lights.`,
            category: 'electronics',
            price: { amount: 100 + (n % 900), currency: 'EUR' },
            contact: { name: 'Load Test', email: `load${n}@example.com` },
            location: 'Kyiv',
            lang: 'en',
            website: '',
            form_token: token,
          };
      return {
        method: 'POST',
        path: news ? '/v1/news' : '/v1/ads',
        headers: { 'content-type': 'application/json', 'cf-connecting-ip': ip },
        body: JSON.stringify(body),
      };
    };

    /** `heap`: the isolate's V8 heap in use (KiB), when the inspector answers. */
    /** The control: a 404 (no route), which reads no KV, cache or Durable Object. */
    const notFound = (): Req => ({ method: 'GET', path: `/v1/no-such-route/${++client}` });

    const rss: { t: number; kib: number; heap?: number }[] = [];
    const devtools = await inspector();
    const started = Date.now();
    const sampler = setInterval(() => {
      if (!dev.pid) return;
      const sample: (typeof rss)[number] = {
        t: (Date.now() - started) / 1000,
        kib: workerdRssKib(dev.pid),
      };
      rss.push(sample);
      void devtools?.heap().then((h) => {
        if (h) sample.heap = h.used / 1024;
      });
    }, 5_000);
    const ticker = setInterval(() => {
      const done = [...statuses.values()].reduce((a, b) => a + b, 0);
      const last = rss.at(-1);
      log(
        `${Math.round((Date.now() - started) / 1000)}/${seconds} s, ${done} responses` +
          (last ? `, workerd RSS ${(last.kib / 1024).toFixed(0)} MiB` : '') +
          (last?.heap ? `, V8 heap ${(last.heap / 1024).toFixed(0)} MiB` : ''),
      );
    }, 15_000);

    log(`driving ${seconds} s with ${values.connections} connections`);
    const result = await autocannon({
      url: base,
      connections: Number(values.connections),
      duration: seconds,
      requests: [
        {
          setupRequest: (req) => {
            const r = rand();
            const kind =
              values.mix === 'notfound'
                ? 'notfound'
                : r < 0.7
                  ? 'feeds'
                  : r < 0.95
                    ? 'search'
                    : 'submissions';
            byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
            const next =
              kind === 'notfound'
                ? notFound()
                : kind === 'feeds'
                  ? feeds()
                  : kind === 'search'
                    ? search()
                    : submit();
            return { ...req, ...next, headers: { ...next.headers } };
          },
          onResponse: (status, body) => {
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
            if (status === 201) accepted.push((JSON.parse(body) as { id: string }).id);
            else if (status >= 400 && !refusals.has(status))
              refusals.set(status, body.slice(0, 300));
          },
        },
      ],
    });
    clearInterval(sampler);
    clearInterval(ticker);
    devtools?.close();

    // Every accepted submission must be in the moderation queue (nothing approved it).
    const pending = await queueIds('pending');
    const held = await queueIds('held');
    const lostIds = accepted.filter((id) => !pending.has(id) && !held.has(id));
    for (const id of lostIds) log(`LOST ${id}: not in the moderation queue`);
    const lost = lostIds.length;

    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    console.log(
      `\nbench:load: ${articleCount} articles, ${seconds} s, ${values.connections} connections`,
    );
    console.log(`requests   ${total} (${result.requests.average.toFixed(0)} req/s average)`);
    console.log(
      `mix        ${[...byKind].map(([k, n]) => `${k} ${((100 * n) / total).toFixed(0)}%`).join(', ')}`,
    );
    console.log(
      `latency    p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`,
    );
    console.log(
      `status     ${[...statuses]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}: ${n}`)
        .join(', ')}`,
    );
    for (const [status, body] of refusals) console.log(`first ${status}: ${body}`);
    console.log(`errors     ${result.errors} socket errors, ${result.timeouts} timeouts`);
    console.log(`accepted   ${accepted.length} submissions (201), lost ${lost}`);
    for (const [kind, { count, first }] of serverTrouble(serverLog))
      console.log(`server log ${count} lines of ${kind}; the first: ${first}`);
    const minute = (
      m: number,
      of: (s: (typeof rss)[number]) => number | undefined = (s) => s.kib,
    ) =>
      median(
        rss
          .filter((s) => s.t >= m * 60 && s.t < (m + 1) * 60)
          .map(of)
          .filter((x): x is number => x !== undefined),
      );
    console.log('workerd RSS and the isolate V8 heap in use (MiB, every 5 s):');
    for (let i = 0; i < rss.length; i += Math.max(1, Math.floor(rss.length / 12))) {
      const { t, kib, heap } = rss[i]!;
      console.log(
        `  ${t.toFixed(0).padStart(5)} s  ${(kib / 1024).toFixed(0).padStart(5)}  ${heap === undefined ? '-' : (heap / 1024).toFixed(0)}`,
      );
    }
    const kibs = rss.map((s) => s.kib);
    if (kibs.length)
      console.log(
        `  median ${(median(kibs) / 1024).toFixed(0)}, p95 ${(percentile(kibs, 95) / 1024).toFixed(0)}`,
      );
    let flat = true;
    if (values.soak && seconds >= 180) {
      const second = minute(1);
      const last = minute(Math.floor(seconds / 60) - 1);
      const ratio = last / second;
      flat = Math.abs(ratio - 1) <= 0.1;
      console.log(
        `soak       last minute ${(last / 1024).toFixed(0)} MiB vs second ${(second / 1024).toFixed(0)} MiB: ` +
          `${ratio.toFixed(3)}x (${flat ? 'flat' : 'NOT flat'}: the bound is 10%)`,
      );
      const heapOf = (s: (typeof rss)[number]) => s.heap;
      const [heapSecond, heapLast] = [
        minute(1, heapOf),
        minute(Math.floor(seconds / 60) - 1, heapOf),
      ];
      if (heapSecond > 0 && heapLast > 0)
        console.log(
          `           V8 heap in use: last minute ${(heapLast / 1024).toFixed(0)} MiB vs second ${(heapSecond / 1024).toFixed(0)} MiB; ` +
            `outside the heap ${((last - heapLast) / 1024).toFixed(0)} vs ${((second - heapSecond) / 1024).toFixed(0)} MiB`,
        );
    }
    const fivexx = [...statuses].filter(([s]) => s >= 500).reduce((a, [, n]) => a + n, 0);
    if (lost > 0 || fivexx > 0 || !flat) process.exitCode = 1;
  } finally {
    stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
