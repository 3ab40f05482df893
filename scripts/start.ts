/**
 * `npm start`: local secrets from the example when missing, the sample built and published
 * into the local KV, then `wrangler dev` on http://localhost:$PORT (default 8787).
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { seedSampleAdsWhenUp } from './lib/sample-ads.ts';

if (!existsSync('.dev.vars')) {
  copyFileSync('.dev.vars.example', '.dev.vars');
  console.error('Created .dev.vars from .dev.vars.example (local secrets; git-ignored).');
}

const node = process.execPath;
const built = spawnSync(node, ['scripts/build.ts', '--local', '--keep', '3'], { stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

const port = process.env.PORT ?? '8787';
const dev = spawn('npx', ['wrangler', 'dev', '--port', port, '--ip', '127.0.0.1'], {
  stdio: 'inherit',
});
// The sample's approved ads live in the Durable Object: posted through the running Worker.
void seedSampleAdsWhenUp(`http://127.0.0.1:${port}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => dev.kill(signal));
dev.on('exit', (code) => process.exit(code ?? 0));
