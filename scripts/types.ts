/**
 * `npm run types`: worker-configuration.d.ts from wrangler.toml, the `Env` interface only
 * (`wrangler types --include-runtime=false`); the runtime types come from
 * @cloudflare/workers-types (tsconfig.json), as in workers-sdk's fixtures. Secrets are typed
 * from .dev.vars.example, which every checkout has (.dev.vars is local and may differ).
 *
 * `npm run types -- --check` (part of `npm test`): regenerates the file and fails, restoring
 * it, when that changed it. `wrangler types --check` cannot do this: it re-reads secrets from
 * .dev.vars only, which CI does not have, so it would always call the file out of date.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
/** The project whose types these are: the working directory, as for wrangler itself. */
const FILE = 'worker-configuration.d.ts';
const ARGS = ['types', '--include-runtime=false', '--strict-vars=false'];

const check = process.argv.includes('--check');
const before = readFileSync(FILE, 'utf8');
const wrangler = spawnSync(
  join(ROOT, 'node_modules', '.bin', 'wrangler'),
  [...ARGS, '--env-file', '.dev.vars.example'],
  { encoding: 'utf8', stdio: check ? 'pipe' : 'inherit' },
);
if (wrangler.status !== 0) {
  console.error(`${wrangler.stdout ?? ''}${wrangler.stderr ?? ''}wrangler types failed`);
  process.exit(1);
}
if (check) {
  const after = readFileSync(FILE, 'utf8');
  if (after !== before) {
    writeFileSync(FILE, before);
    console.error('worker-configuration.d.ts is out of date with wrangler.toml: run npm run types');
    process.exit(1);
  }
  console.log('worker-configuration.d.ts is up to date');
}
