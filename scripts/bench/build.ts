/**
 * `npm run bench:build`: how long a full build takes and how much memory it peaks at, this
 * checkout beside a baseline commit, on the same generated corpus (corpus.ts: real text from
 * ../shared/data, beyond it generated with the same word frequencies). Every run is the real
 * `scripts/build.ts` in its own process (`/usr/bin/time -f %M` gives its peak RSS); head and
 * base runs alternate, so a change in the machine's load hits both alike.
 *
 *   node scripts/bench/build.ts [--size 10k] [--runs 3] [--base REF] [--local] [--cpu-prof DIR]
 *
 * `--base REF` checks REF out beside this one (a detached git worktree in the temp folder,
 * removed afterwards, sharing this checkout's node_modules). Without `--local` the builds are
 * dry runs (no KV: the build alone); with it they publish into a fresh local KV each.
 * Prints each run, then the medians and the ratio head / base.
 */
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { corpus, loadReal } from './corpus.ts';
import { writeJsonl } from '../lib/jsonl.ts';
import { median } from './stats.ts';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '10k' },
    runs: { type: 'string', default: '3' },
    base: { type: 'string' },
    local: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
  },
});

const size = Number(values.size.replace(/k$/i, '000').replace(/m$/i, '000000'));
const runs = Number(values.runs);
const log = (line: string) =>
  console.error(`[bench:build ${new Date().toISOString().slice(11, 19)}] ${line}`);

interface Run {
  ms: number;
  rss: number;
  articles: number;
  keys: number;
}

/** One full build of `input` by the checkout at `root`, in its own process. */
async function build(root: string, input: string, tmp: string, label: string): Promise<Run> {
  const target = values.local
    ? ['--local', '--no-lease', '--persist-to', await mkdtemp(join(tmp, 'kv-'))]
    : ['--dry-run'];
  const prof = values['cpu-prof']
    ? ['--cpu-prof', '--cpu-prof-dir', resolve(values['cpu-prof'], label)]
    : [];
  const started = performance.now();
  const child = spawn(
    '/usr/bin/time',
    [
      '-f',
      'peak-rss-kb %M',
      process.execPath,
      ...prof,
      'scripts/build.ts',
      '--json',
      ...target,
      input,
    ],
    { cwd: root, env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=20000' } },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`${label} failed (exit ${code}):\n${stderr.slice(-2000)}`);
  const rss = Number(/peak-rss-kb (\d+)/.exec(stderr)?.[1] ?? 0) * 1024;
  const summary = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
    articles: number;
    keys_written: number;
  };
  return { ms, rss, articles: summary.articles, keys: summary.keys_written };
}

const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main() {
  const tmp = await mkdtemp(join(tmpdir(), 'bench-build-'));
  const head = process.cwd();
  let base: string | null = null;
  try {
    log(`generating ${size} articles`);
    const input = join(tmp, 'corpus.jsonl');
    await writeJsonl(
      input,
      corpus(size, loadReal(), (done) => log(`  generated ${done}`)),
    );
    if (values.base) {
      const sha = execFileSync('git', ['rev-parse', values.base], { encoding: 'utf8' }).trim();
      base = join(tmp, `base-${sha.slice(0, 8)}`);
      execFileSync('git', ['worktree', 'add', '--detach', base, sha], { stdio: 'ignore' });
      await symlink(join(head, 'node_modules'), join(base, 'node_modules'));
      log(`base ${values.base} = ${sha.slice(0, 8)} at ${base}`);
    }
    const results: Record<'head' | 'base', Run[]> = { head: [], base: [] };
    for (let r = 0; r < runs; r++) {
      for (const [label, root] of [
        ['head', head],
        ['base', base],
      ] as const) {
        if (!root) continue;
        const run = await build(root, input, tmp, `${label}-${r + 1}`);
        results[label].push(run);
        log(
          `${label} run ${r + 1}: ${secs(run.ms)}, peak RSS ${mib(run.rss)}, ${run.articles} articles, ${run.keys} keys written`,
        );
      }
    }
    const summary = (label: 'head' | 'base') => {
      const list = results[label];
      return { ms: median(list.map((x) => x.ms)), rss: median(list.map((x) => x.rss)) };
    };
    const h = summary('head');
    console.log(`size ${size}, ${runs} run(s) each, ${values.local ? 'local KV' : 'dry run'}`);
    console.log(`head: median ${secs(h.ms)}, peak RSS ${mib(h.rss)}`);
    if (base) {
      const b = summary('base');
      console.log(`base: median ${secs(b.ms)}, peak RSS ${mib(b.rss)}`);
      console.log(
        `head / base: time ${(h.ms / b.ms).toFixed(2)}x, peak RSS ${(h.rss / b.rss).toFixed(2)}x`,
      );
    }
  } finally {
    if (base && existsSync(base))
      execFileSync('git', ['worktree', 'remove', '--force', base], { stdio: 'ignore' });
    await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench:build failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
});
