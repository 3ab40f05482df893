/**
 * Where `wrangler dev`'s memory goes, for `npm run bench:load`: the RSS of each process of the
 * local server, and the V8 heap of every isolate in its runtime workerd.
 *
 * `wrangler dev` runs two workerd processes (node_modules/wrangler/wrangler-dist/cli.js,
 * ProxyController and LocalRuntimeController): the proxy, which owns the `--port` socket and
 * runs wrangler's ProxyWorker and InspectorProxyWorker, and the runtime, which runs Miniflare's
 * isolates (core:entry, the assets router, the KV and cache services, ...) and the Worker
 * itself (core:user:<name>). The runtime is started with `--inspector-addr=localhost:0`; its
 * inspector lists every isolate (`GET /json`), Miniflare's as well as ours, which wrangler's
 * own inspector port (only the Worker) does not.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export type Role = 'proxy workerd' | 'runtime workerd' | 'wrangler node' | 'other';

/** Every process below `root` in the process tree (root included), with its RSS in KiB. */
export function processTree(root: number): { pid: number; rss: number; comm: string }[] {
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

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** The processes below `root` with their role; `port` is the one wrangler dev serves on. */
export function serverProcesses(
  root: number,
  port: number,
): { pid: number; rss: number; role: Role }[] {
  return processTree(root).map(({ pid, rss, comm }) => {
    const args = commandLine(pid);
    const role: Role = comm.startsWith('workerd')
      ? args.includes(`--socket-addr=entry=127.0.0.1:${port} `)
        ? 'proxy workerd'
        : 'runtime workerd'
      : args.includes('wrangler-dist/cli.js')
        ? 'wrangler node'
        : 'other';
    return { pid, rss, role };
  });
}

/** TCP ports a process listens on: its socket inodes (/proc/PID/fd) in /proc/net/tcp{,6}. */
export function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]!);
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    return [];
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue; // no IPv6
    }
    // Columns (proc(5)): sl local_address rem_address st ... inode; st 0A is LISTEN.
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] === '0A' && inodes.has(cols[9] ?? ''))
        ports.push(parseInt(cols[1]!.split(':')[1]!, 16));
    }
  }
  return ports;
}

/** One Chrome DevTools Protocol session over a WebSocket; a call answers null after 5 s. */
export async function cdpSession(
  url: string,
  origin?: string,
): Promise<{ call(method: string): Promise<unknown>; close(): void }> {
  // wrangler's inspector proxy refuses a WebSocket without an Origin of its allow-list
  // (node_modules/wrangler/wrangler-dist/InspectorProxyWorker.js); undici takes headers.
  const socket = new WebSocket(
    url,
    origin ? ({ headers: { origin } } as unknown as string[]) : undefined,
  );
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true });
    socket.addEventListener('error', reject, { once: true });
  });
  let id = 0;
  const waiting = new Map<number, (result: unknown) => void>();
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (message.id === undefined) return;
    waiting.get(message.id)?.(message.result ?? null);
    waiting.delete(message.id);
  });
  return {
    call: (method) =>
      new Promise<unknown>((resolve) => {
        if (socket.readyState !== WebSocket.OPEN) return resolve(null);
        const n = ++id;
        waiting.set(n, resolve);
        socket.send(JSON.stringify({ id: n, method }));
        setTimeout(() => {
          if (waiting.delete(n)) resolve(null);
        }, 5_000);
      }),
    close: () => socket.close(),
  };
}

/** `Runtime.getHeapUsage` (https://chromedevtools.github.io/devtools-protocol/tot/Runtime/). */
async function heapUsed(session: { call(method: string): Promise<unknown> }) {
  const r = (await session.call('Runtime.getHeapUsage')) as { usedSize?: number } | null;
  return r?.usedSize;
}

export interface Isolates {
  /** Every isolate's V8 heap in use, KiB, by name (core:user:<worker>, core:entry, ...). */
  heaps(): Promise<Map<string, number>>;
  /** A full garbage collection in every isolate (`HeapProfiler.collectGarbage`). */
  collectGarbage(): Promise<void>;
  close(): void;
}

/** The debugger URLs an inspector lists (`GET /json`), by target id; empty when it does not answer. */
async function inspectorTargets(port: number): Promise<Map<string, string>> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/json`, {
      signal: AbortSignal.timeout(3_000),
    });
    const targets = (await res.json()) as { id?: string; webSocketDebuggerUrl?: string }[];
    if (!Array.isArray(targets)) return new Map();
    return new Map(
      targets.flatMap((t) =>
        t.id && t.webSocketDebuggerUrl ? [[t.id, t.webSocketDebuggerUrl] as const] : [],
      ),
    );
  } catch {
    return new Map(); // not an inspector (the entry socket answers the Worker's own 404)
  }
}

/**
 * Sessions with every isolate of the runtime workerd `pid`, through its own inspector (the
 * one of the process's listening ports that lists debugger URLs). An isolate takes one
 * session at a time, and wrangler's InspectorProxyWorker holds the Worker's: that one is
 * reached through wrangler's inspector port (`wranglerPort`) as `core:user:worker`. Null when
 * no inspector answers.
 */
export async function runtimeIsolates(pid: number, wranglerPort: number): Promise<Isolates | null> {
  for (const port of listeningPorts(pid)) {
    const targets = await inspectorTargets(port);
    if (targets.size === 0) continue;
    const sessions = new Map<string, Awaited<ReturnType<typeof cdpSession>>>();
    for (const [id, url] of targets)
      if (!id.startsWith('core:user:')) sessions.set(id, await cdpSession(url));
    const worker = [...(await inspectorTargets(wranglerPort)).values()][0];
    if (worker)
      sessions.set(
        'core:user:worker',
        await cdpSession(worker, `http://127.0.0.1:${wranglerPort}`),
      );
    return {
      async heaps() {
        const used = await Promise.all(
          [...sessions].map(async ([name, session]) => [name, await heapUsed(session)] as const),
        );
        return new Map(
          used.flatMap(([name, bytes]) => (bytes === undefined ? [] : [[name, bytes / 1024]])),
        );
      },
      async collectGarbage() {
        await Promise.all(
          [...sessions.values()].map(async (session) => {
            await session.call('HeapProfiler.enable');
            await session.call('HeapProfiler.collectGarbage');
          }),
        );
      },
      close() {
        for (const session of sessions.values()) session.close();
      },
    };
  }
  return null;
}

/** Least-squares slope of `y` over `t` (seconds), per minute; 0 for fewer than 2 points. */
export function slopePerMinute(points: readonly { t: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const num = points.reduce((a, p) => a + (p.t - mt) * (p.y - my), 0);
  const den = points.reduce((a, p) => a + (p.t - mt) ** 2, 0);
  return den === 0 ? 0 : (num / den) * 60;
}
