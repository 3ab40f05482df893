/**
 * `npm run bench:startup`: a fresh isolate's start-up, this tree's Worker against the bundle
 * of an older commit (default dff198c, the last with zod and snowball-stemmers' 25 languages
 * in the bundle). Each run starts a new Miniflare (a new workerd, so a new isolate that
 * parses, compiles and evaluates the whole script) and times it to the first response of
 * GET /v1/health on an empty local KV. An empty Worker gives the fixed cost of workerd and
 * Miniflare, subtracted for the "script" column. Runs alternate between the three scripts,
 * so the machine's load falls on each alike. Prints medians and the ratio against the base.
 *
 *   node scripts/bench/startup.ts [--base <git ref>] [--runs 15]
 *
 * The base is built from `git archive <ref>` under .bench/startup/<commit>/ with its own
 * production dependencies (npm ci --omit=dev) and this tree's wrangler, once per commit.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median, percentile } from './stats.ts';
import { bundleApp, instance, textModules } from './workerd.ts';

const { values } = parseArgs({
  options: {
    base: { type: 'string', default: 'dff198c' },
    runs: { type: 'string', default: '15' },
  },
});
const runs = Number(values.runs);
const ROOT = join(import.meta.dirname, '..', '..');
const WRANGLER = join(ROOT, 'node_modules', '.bin', 'wrangler');
const git = (...args: string[]) =>
  execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();

/** The bundle `wrangler deploy` would have uploaded at `ref`, built once per commit. */
function baseBundle(ref: string): string {
  const commit = git('rev-parse', '--short', `${ref}^{commit}`);
  const dir = join(ROOT, '.bench', 'startup', commit);
  const out = join(dir, 'out', 'index.js');
  if (existsSync(out)) return out;
  console.error(`building the Worker of ${ref} (${commit}) in ${dir}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C "${dir}"`], { cwd: ROOT });
  const npm = { cwd: dir, stdio: 'ignore' } as const;
  execFileSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], npm);
  execFileSync(WRANGLER, ['deploy', '--dry-run', '--outdir', join(dir, 'out')], npm);
  return out;
}

// Under the project: Miniflare names modules by their path relative to it.
mkdirSync(join(ROOT, '.bench'), { recursive: true });
const work = mkdtempSync(join(ROOT, '.bench', 'startup-run-'));
const empty = join(work, 'empty.js');
writeFileSync(empty, 'export default { fetch: () => new Response("ok") };\n');
const scripts = [
  { name: 'empty Worker', path: empty },
  { name: `base ${values.base}`, path: baseBundle(values.base) },
  { name: 'this tree', path: bundleApp(join(work, 'current')) },
].map((s) => ({
  ...s,
  // The upload: the script and the Text modules beside it.
  kib:
    (statSync(s.path).size + textModules(s.path).reduce((n, m) => n + statSync(m.path).size, 0)) /
    1024,
}));

async function startUp(path: string): Promise<number> {
  const kv = mkdtempSync(join(work, 'kv-'));
  const t0 = performance.now();
  const mf = instance(path, kv);
  const res = await mf.dispatchFetch('http://localhost/v1/health');
  await res.arrayBuffer();
  const ms = performance.now() - t0;
  await mf.dispose();
  return ms;
}

const times = scripts.map(() => [] as number[]);
try {
  for (let r = 0; r < runs; r++) {
    // Rotate the order every round: no script always runs right after another's teardown.
    for (let k = 0; k < scripts.length; k++) {
      const i = (r + k) % scripts.length;
      times[i]!.push(await startUp(scripts[i]!.path));
    }
    console.error(`  round ${r + 1}/${runs}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const fixed = median(times[0]!);
const rows = scripts.map((s, i) => {
  const p50 = median(times[i]!);
  return {
    ...s,
    p50,
    p90: percentile(times[i]!, 90),
    net: p50 - fixed,
  };
});
const base = rows[1]!;
console.log(`\nfresh isolate to first response, ${runs} runs each (Miniflare + workerd, loopback)`);
console.log('script              KiB   p50 ms  p90 ms  script ms  vs base');
for (const r of rows) {
  const ratio =
    r === rows[0]
      ? ''
      : `${(r.p50 / base.p50).toFixed(2)}x (script ${(r.net / base.net).toFixed(2)}x)`;
  console.log(
    `${r.name.padEnd(16)} ${r.kib.toFixed(0).padStart(6)} ${r.p50.toFixed(0).padStart(8)} ${r.p90
      .toFixed(0)
      .padStart(7)} ${r.net.toFixed(0).padStart(10)}  ${ratio}`,
  );
}
