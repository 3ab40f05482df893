/**
 * `npm run deploy`: build the snapshot from the given inputs (default: the sample), publish
 * it to the Cloudflare namespace, then deploy the Worker. The Worker goes out after the
 * data, so the code that reads a snapshot format is never older than the snapshot.
 *
 *   npm run deploy -- [inputs...] [--skip-invalid] [--keep N]
 *   npm run deploy -- --dry-run [inputs...] [--persist-to DIR] [--outdir DIR]
 *
 * `--dry-run` runs the same flow against the local KV that `wrangler dev` reads (or DIR):
 * build, publish, prune, then `wrangler deploy --dry-run`, which bundles the Worker and
 * checks the configuration without uploading anything (test/node/deploy.test.ts).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'dry-run': { type: 'boolean', default: false },
    'skip-invalid': { type: 'boolean', default: false },
    keep: { type: 'string', default: '5' },
    'persist-to': { type: 'string' },
    outdir: { type: 'string', default: join('.wrangler', 'deploy-dry-run') },
  },
});
const dry = values['dry-run'];
if (!dry && values['persist-to']) throw new Error('--persist-to is for --dry-run (local KV)');

const ROOT = join(import.meta.dirname, '..');
const run = (args: string[]) => {
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

const target = dry
  ? ['--local', ...(values['persist-to'] ? ['--persist-to', values['persist-to']] : [])]
  : ['--remote'];
// The publish takes the deployed Worker's publish lease (EDGE_NEWS_URL, ADMIN_TOKEN); before the
// first deploy there is no Worker, and so no cron or other publisher, to serialise with.
const firstDeploy = !dry && !process.env.EDGE_NEWS_URL;
if (firstDeploy)
  console.error('EDGE_NEWS_URL is not set: publishing without the lease (a first deploy)');
const build = [
  ...target,
  '--keep',
  values.keep,
  ...(firstDeploy ? ['--no-lease'] : []),
  ...positionals,
];
run([
  join(ROOT, 'scripts', 'build.ts'),
  ...build,
  ...(values['skip-invalid'] ? ['--skip-invalid'] : []),
]);

const wrangler = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
run([wrangler, 'deploy', ...(dry ? ['--dry-run', '--outdir', values.outdir] : [])]);
if (dry)
  console.error(
    `dry run: published to local KV; Worker bundled into ${values.outdir}, not uploaded`,
  );
