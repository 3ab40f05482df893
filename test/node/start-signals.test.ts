/**
 * `npm start` (scripts/start.ts) stopped by a signal sent to npm alone, the way a process
 * manager or `kill <pid>` stops it: wrangler and workerd must stop with it. Real processes
 * on a free loopback port, each with its own local KV directory.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './free-port.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const started: ChildProcess[] = [];
const dirs: string[] = [];

afterAll(() => {
  // A failed run must not leave a server behind: the whole group npm leads here.
  for (const child of started) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Every process below `root`, with its command line (from `ps`, on Linux and macOS alike). */
function descendants(root: number): { pid: number; cmd: string }[] {
  const rows = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m) => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), cmd: m[3]! }));
  const found: { pid: number; cmd: string }[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const row of rows.filter((r) => r.ppid === parent)) {
      found.push({ pid: row.pid, cmd: row.cmd });
      queue.push(row.pid);
    }
  }
  return found;
}

/** Running, not a zombie waiting for a parent that will never reap it. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc (macOS): kill(0) answered
  }
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => resolve(socket.destroy() && true));
    socket.once('error', () => resolve(false));
  });

async function until(what: string, check: () => boolean | Promise<boolean>, ms: number) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe.concurrent('npm start stopped by a signal', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`stops wrangler and workerd on ${signal}, and the port refuses connections`, async () => {
      const port = await freePort();
      // Two servers start at once here (and other projects' may run): wrangler's default
      // inspector port 9229 would be taken by whichever binds first.
      const inspectorPort = await freePort();
      const persist = mkdtempSync(join(tmpdir(), 'edge-news-start-'));
      dirs.push(persist);
      const npm = spawn(
        'npm',
        ['start', '--', '--persist-to', persist, '--inspector-port', String(inspectorPort)],
        {
          cwd: ROOT,
          env: { ...process.env, PORT: String(port), WRANGLER_SEND_METRICS: 'false' },
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true, // its own group, only so that afterAll can clean up after a failure
        },
      );
      started.push(npm);
      let log = '';
      npm.stdout!.on('data', (b: Buffer) => (log += b));
      npm.stderr!.on('data', (b: Buffer) => (log += b));
      const health = () =>
        fetch(`http://127.0.0.1:${port}/v1/health`).then(
          (r) => r.status === 200,
          () => false,
        );
      await until(`npm start serves on ${port}\n${log}`, health, 180_000).catch((e: Error) => {
        throw new Error(`${e.message}\n${log}`);
      });

      const tree = descendants(npm.pid!);
      expect(tree.some((p) => p.cmd.includes('wrangler'))).toBe(true);
      expect(tree.some((p) => p.cmd.includes('workerd'))).toBe(true);

      process.kill(npm.pid!, signal); // npm alone, not its group
      await until(`port ${port} refuses connections`, async () => !(await accepts(port)), 60_000);
      await until(
        'no process of the tree remains',
        () => [npm.pid!, ...tree.map((p) => p.pid)].every((pid) => !alive(pid)),
        60_000,
      ).catch((e: Error) => {
        const left = tree.filter((p) => alive(p.pid)).map((p) => `${p.pid} ${p.cmd}`);
        throw new Error(`${e.message}; still running:\n${left.join('\n')}`);
      });
    }, 300_000);
  }
});
