/**
 * `npm run deploy`: build the snapshot from the given inputs (default: the sample), publish
 * it to the Cloudflare namespace, then deploy the Worker. The Worker goes out after the
 * data, so the code that reads a snapshot format is never older than the snapshot.
 */
import { spawnSync } from 'node:child_process';

const inputs = process.argv.slice(2);
const run = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run(process.execPath, ['scripts/build.ts', '--remote', '--keep', '5', ...inputs]);
run('npx', ['wrangler', 'deploy']);
