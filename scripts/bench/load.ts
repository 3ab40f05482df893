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
 *                              [--mix mixed | notfound] [--via runtime | proxy]
 *                              [--collect-garbage 15]
 *
 * With --soak the run is long and the RSS check applies: the last minute's median RSS must
 * be within 10% of the second minute's (the first minute is warm-up: caches filling).
 *
 * The RSS is sampled per process (scripts/bench/load-memory.ts): wrangler's proxy workerd, the
 * runtime workerd that runs Miniflare's isolates and the Worker, and wrangler's node. Beside
 * it, the V8 heap in use of every isolate of the runtime, through its inspector (CDP
 * `Runtime.getHeapUsage`): the Worker's, and Miniflare's own isolates together, so growth can
 * be told apart: what our JavaScript holds, what Miniflare's JavaScript holds, and what the
 * processes hold outside any heap. `--collect-garbage N` forces a full collection in every
 * isolate of the runtime every N seconds (CDP `HeapProfiler.collectGarbage`; 0: never), to tell
 * garbage from what is kept. `--via proxy` sends the load through wrangler's proxy workerd (its
 * ProxyWorker, a dev-only hop with no inspector); by default it goes to the runtime's own entry
 * socket, as a deployed Worker's traffic has no such hop. docs/reliability.md ("Memory over the
 * soak") has the figures of each. `--mix notfound` is the control: every request is a 404 that
 * touches no KV, cache or Durable Object. wrangler dev's own output goes to `wrangler-dev.log`
 * beside the archive, and the summary counts the lines that say a request hung or did I/O of
 * another request.
 *
 * On a shared machine run the driver niced (`nice -n 15 npm run bench:load`): the publish and
 * the load generator then yield to others, while `wrangler dev` and its workerd, the server
 * being measured, are set back to --server-nice (default 0) as they start, so the figures are
 * the server's and not the scheduler's.
 */
import { spawn } from 'node:child_process';
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
import {
  type Role,
  listeningPorts,
  processTree,
  runtimeIsolates,
  serverProcesses,
  slopePerMinute,
} from './load-memory.ts';
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
    via: { type: 'string', default: 'runtime' },
    'collect-garbage': { type: 'string', default: '15' },
  },
});
if (values.mix !== 'mixed' && values.mix !== 'notfound')
  throw new Error(`--mix takes mixed or notfound, not ${values.mix}`);
if (values.via !== 'runtime' && values.via !== 'proxy')
  throw new Error(`--via takes runtime or proxy, not ${values.via}`);

const ROOT = join(import.meta.dirname, '..', '..');
const port = values.port === undefined ? await freePort() : Number(values.port);
const inspectorPort = await freePort();
/** Where the load goes: wrangler's proxy on --port, then (--via runtime) the runtime's own entry socket. */
let base = `http://127.0.0.1:${port}`;

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

/**
 * The runtime workerd's entry socket: the one of its listening ports where the Worker answers
 * /v1/health (Miniflare's entry worker in front of it, as behind wrangler's proxy; the others
 * are its inspector and debug ports).
 */
async function runtimeEntry(pid: number): Promise<string | null> {
  for (const p of listeningPorts(pid)) {
    try {
      const res = await fetch(`http://127.0.0.1:${p}/v1/health`, {
        signal: AbortSignal.timeout(3_000),
      });
      if (res.ok) return `http://127.0.0.1:${p}`;
    } catch {
      // not HTTP, or not the Worker
    }
  }
  return null;
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
    const runtime = serverProcesses(dev.pid!, port).find((p) => p.role === 'runtime workerd');
    if (values.via === 'runtime') {
      const entry = runtime ? await runtimeEntry(runtime.pid) : null;
      if (entry === null) throw new Error("the runtime workerd's entry socket did not answer");
      base = entry;
      log(`driving the runtime's entry socket ${base} (not wrangler's proxy on ${port})`);
    }
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

    /** The control: a 404 (no route), which reads no KV, cache or Durable Object. */
    const notFound = (): Req => ({ method: 'GET', path: `/v1/no-such-route/${++client}` });

    /**
     * Every 5 s: RSS (KiB) of each process of the server by role, `kib` the workerd ones
     * together (the soak's bound), and the V8 heap in use (KiB) of the Worker's isolate and of
     * Miniflare's isolates together, when the runtime's inspector answers.
     */
    type Sample = {
      t: number;
      /** Responses so far. */
      done: number;
      kib: number;
      roles: Map<Role, number>;
      worker?: number;
      miniflare?: number;
    };
    const samples: Sample[] = [];
    const isolates = runtime ? await runtimeIsolates(runtime.pid, inspectorPort) : null;
    if (!isolates) log("no V8 heap figures: the runtime workerd's inspector did not answer");
    const gcEvery = Number(values['collect-garbage']);
    if (isolates && gcEvery > 0)
      log(`a full garbage collection in every isolate of the runtime every ${gcEvery} s`);
    const started = Date.now();
    // RSS every 5 s whatever the inspector does; heaps (and a forced collection) in the
    // background, one round at a time, into the sample taken as the round started.
    let inspecting = false;
    let lastGc = started;
    const sampler = setInterval(() => {
      if (!dev.pid) return;
      const roles = new Map<Role, number>();
      for (const { role, rss } of serverProcesses(dev.pid, port))
        roles.set(role, (roles.get(role) ?? 0) + rss);
      const sample: Sample = {
        t: (Date.now() - started) / 1000,
        done: [...statuses.values()].reduce((a, b) => a + b, 0),
        kib: (roles.get('proxy workerd') ?? 0) + (roles.get('runtime workerd') ?? 0),
        roles,
      };
      samples.push(sample);
      if (!isolates || inspecting) return;
      inspecting = true;
      void (async () => {
        if (gcEvery > 0 && Date.now() - lastGc >= gcEvery * 1000) {
          lastGc = Date.now();
          await isolates.collectGarbage();
        }
        const heaps = await isolates.heaps();
        if (heaps.size) {
          sample.worker = [...heaps].find(([name]) => name.startsWith('core:user:'))?.[1];
          sample.miniflare = [...heaps]
            .filter(([name]) => !name.startsWith('core:user:'))
            .reduce((a, [, kib]) => a + kib, 0);
        }
      })().finally(() => (inspecting = false));
    }, 5_000);
    const mib = (kib: number | undefined) => (kib === undefined ? '-' : (kib / 1024).toFixed(0));
    const ticker = setInterval(() => {
      const done = [...statuses.values()].reduce((a, b) => a + b, 0);
      const last = samples.at(-1);
      log(
        `${Math.round((Date.now() - started) / 1000)}/${seconds} s, ${done} responses` +
          (last
            ? `, workerd RSS ${mib(last.kib)} MiB (proxy ${mib(last.roles.get('proxy workerd'))}, ` +
              `runtime ${mib(last.roles.get('runtime workerd'))}), V8 heap Worker ${mib(last.worker)}, ` +
              `Miniflare ${mib(last.miniflare)} MiB`
            : ''),
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
    isolates?.close();

    // Every accepted submission must be in the moderation queue (nothing approved it).
    const pending = await queueIds('pending');
    const held = await queueIds('held');
    const lostIds = accepted.filter((id) => !pending.has(id) && !held.has(id));
    for (const id of lostIds) log(`LOST ${id}: not in the moderation queue`);
    const lost = lostIds.length;

    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    console.log(
      `\nbench:load: ${articleCount} articles, ${seconds} s, ${values.connections} connections, ` +
        `via ${values.via}, forced GC ${gcEvery > 0 ? `every ${gcEvery} s` : 'off'}`,
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
    const minute = (m: number, of: (s: Sample) => number | undefined = (s) => s.kib) =>
      median(
        samples
          .filter((s) => s.t >= m * 60 && s.t < (m + 1) * 60)
          .map(of)
          .filter((x): x is number => x !== undefined),
      );
    console.log(
      "memory (MiB, every 5 s): workerd RSS = proxy + runtime; wrangler (node); V8 heap in use of the Worker and of Miniflare's isolates",
    );
    for (let i = 0; i < samples.length; i += Math.max(1, Math.floor(samples.length / 12))) {
      const { t, kib, roles, worker, miniflare } = samples[i]!;
      console.log(
        `  ${t.toFixed(0).padStart(5)} s  ${mib(kib).padStart(5)} = ${mib(roles.get('proxy workerd'))} + ` +
          `${mib(roles.get('runtime workerd'))}; ${mib(roles.get('wrangler node'))}; ${mib(worker)}, ${mib(miniflare)}`,
      );
    }
    const kibs = samples.map((s) => s.kib);
    if (kibs.length)
      console.log(`  workerd median ${mib(median(kibs))}, p95 ${mib(percentile(kibs, 95))}`);
    let flat = true;
    if (values.soak && seconds >= 180) {
      const lastMinute = Math.floor(seconds / 60) - 1;
      const parts: [string, (s: Sample) => number | undefined][] = [
        ['workerd RSS (the bound)', (s) => s.kib],
        ['  proxy workerd', (s) => s.roles.get('proxy workerd')],
        ['  runtime workerd', (s) => s.roles.get('runtime workerd')],
        ['wrangler node RSS', (s) => s.roles.get('wrangler node')],
        ['Worker V8 heap', (s) => s.worker],
        ["Miniflare's V8 heaps", (s) => s.miniflare],
      ];
      console.log(`soak       second minute -> last (ratio); slope after the first minute`);
      for (const [name, of] of parts) {
        const [second, last] = [minute(1, of), minute(lastMinute, of)];
        if (!(second > 0)) continue;
        const points = samples
          .filter((s) => s.t >= 60)
          .map((s) => ({ t: s.t, y: of(s) }))
          .filter((p): p is { t: number; y: number } => p.y !== undefined)
          .map((p) => ({ t: p.t, y: p.y / 1024 }));
        console.log(
          `  ${name.padEnd(24)} ${mib(second).padStart(5)} -> ${mib(last).padStart(5)} MiB ` +
            `(${(last / second).toFixed(3)}x); ${slopePerMinute(points).toFixed(1)} MiB/min`,
        );
      }
      // A slope means little if the server got no CPU: the responses of each minute.
      const doneBy = (m: number) =>
        m === 0 ? 0 : (samples.findLast((s) => s.t < m * 60)?.done ?? 0);
      console.log(
        `  responses per minute     ${Array.from({ length: lastMinute + 1 }, (_, m) => doneBy(m + 1) - doneBy(m)).join(', ')}`,
      );
      const ratio = minute(lastMinute) / minute(1);
      flat = Math.abs(ratio - 1) <= 0.1;
      console.log(
        `soak       workerd RSS ${ratio.toFixed(3)}x (${flat ? 'flat' : 'NOT flat'}: the bound is 10%)`,
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
