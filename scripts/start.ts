/**
 * `npm start`: local secrets from the example when missing, the sample built and published
 * into the local KV, then `wrangler dev` on http://localhost:$PORT (default 8787).
 *
 *   npm start [-- --persist-to DIR]     local state in DIR instead of .wrangler/state
 *             [-- --inspector-port N]   wrangler's inspector on N instead of 9229 (or a free
 *                                       port when 9229 is taken)
 *
 * SIGINT or SIGTERM sent to npm stops wrangler and its workerd: npm forwards both to its
 * child, which is this script (package.json execs it, so no shell is left between); wrangler
 * is started here without npx between, so the signal reaches it and it shuts workerd down
 * (killed after a grace period); whatever of its tree it left running is killed when it
 * exits. test/node/start-signals.test.ts checks both signals.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { seedSampleAdsWhenUp } from './lib/sample-ads.ts';

/** How long wrangler gets to stop workerd before the rest of its tree is killed. */
const GRACE_MS = 10_000;

const { values } = parseArgs({
  options: { 'persist-to': { type: 'string' }, 'inspector-port': { type: 'string' } },
});
const persist = values['persist-to'] ? ['--persist-to', values['persist-to']] : [];

/**
 * 9229, where debuggers look first, when it is free; else any free port. wrangler would try
 * 9229 again when it restarts workerd after a change, and fail if another local server (a
 * second checkout, a benchmark) holds it meanwhile.
 */
async function inspectorPort(): Promise<number> {
  const listen = (port: number) =>
    new Promise<number | null>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(null));
      server.listen(port, '127.0.0.1', () => {
        const { port: bound } = server.address() as AddressInfo;
        server.close(() => resolve(bound));
      });
    });
  return (await listen(9229)) ?? (await listen(0)) ?? 9229;
}
const inspector = ['--inspector-port', values['inspector-port'] ?? String(await inspectorPort())];

if (!existsSync('.dev.vars')) {
  copyFileSync('.dev.vars.example', '.dev.vars');
  console.error('Created .dev.vars from .dev.vars.example (local secrets; git-ignored).');
}

const node = process.execPath;
const built = spawnSync(node, ['scripts/build.ts', '--local', '--keep', '3', ...persist], {
  stdio: 'inherit',
});
if (built.status !== 0) process.exit(built.status ?? 1);

const port = process.env.PORT ?? '8787';
const wrangler = join(import.meta.dirname, '..', 'node_modules', 'wrangler', 'bin', 'wrangler.js');
const dev = spawn(
  node,
  [wrangler, 'dev', '--port', port, '--ip', '127.0.0.1', ...persist, ...inspector],
  {
    stdio: 'inherit',
  },
);

// The sample's approved ads live in the Durable Object: posted through the running Worker.
void seedSampleAdsWhenUp(`http://127.0.0.1:${port}`);

/** Every process below `root` (`ps` works alike on Linux and macOS). */
function descendants(root: number): number[] {
  const rows = execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number));
  const found: number[] = [];
  for (let i = 0, queue = [root]; i < queue.length; i++) {
    for (const [pid, ppid] of rows) {
      if (ppid !== queue[i] || pid === undefined) continue;
      queue.push(pid);
      found.push(pid);
    }
  }
  return found;
}

/** wrangler's processes (workerd, esbuild), taken when a stop begins. */
let tree: number[] | null = null;
function stop(signal: NodeJS.Signals): void {
  if (tree !== null || dev.pid === undefined) return;
  // Taken now: once wrangler exits, its children are re-parented and can no longer be found.
  tree = descendants(dev.pid);
  dev.kill(signal);
  setTimeout(() => dev.kill('SIGKILL'), GRACE_MS).unref();
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stop(signal));
// A shell between npm and this script dies of npm's forwarded signal without passing it on
// (package.json execs this script to avoid one); an orphaned server stops as if signalled.
const parent = process.ppid;
setInterval(() => process.ppid !== parent && stop('SIGTERM'), 1000).unref();
dev.on('exit', (code) => {
  // Whatever wrangler left running goes with it.
  for (const pid of tree ?? []) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  process.exit(code ?? 0);
});
