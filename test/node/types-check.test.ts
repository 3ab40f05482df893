/** `npm run types -- --check` (scripts/types.ts) on a copy of the project's configuration. */
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'edge-news-types-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
for (const f of ['wrangler.toml', '.dev.vars.example', 'worker-configuration.d.ts']) {
  copyFileSync(join(ROOT, f), join(dir, f));
}
// wrangler reads the entry's exports to type the Durable Object namespace, once it has run
// the [build] command (scripts/assets.ts, which fills the [assets] directory from
// node_modules); without them it types less.
cpSync(join(ROOT, 'src'), join(dir, 'src'), { recursive: true });
mkdirSync(join(dir, 'scripts'));
copyFileSync(join(ROOT, 'scripts', 'assets.ts'), join(dir, 'scripts', 'assets.ts'));
symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));

const types = (...args: string[]) =>
  spawnSync(process.execPath, [join(ROOT, 'scripts', 'types.ts'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  });

describe('npm run types -- --check', () => {
  it('passes on the committed file', () => {
    const r = types('--check');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 60_000);

  it('fails after a change to wrangler.toml and leaves the file as it was; npm run types fixes it', () => {
    appendFileSync(
      join(dir, 'wrangler.toml'),
      '\n[[kv_namespaces]]\nbinding = "EXTRA"\nid = "1"\n',
    );
    const stale = readFileSync(join(dir, 'worker-configuration.d.ts'), 'utf8');
    const r = types('--check');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('worker-configuration.d.ts is out of date with wrangler.toml');
    expect(readFileSync(join(dir, 'worker-configuration.d.ts'), 'utf8')).toBe(stale);

    expect(types().status).toBe(0);
    expect(readFileSync(join(dir, 'worker-configuration.d.ts'), 'utf8')).toContain(
      'EXTRA: KVNamespace;',
    );
    expect(types('--check').status).toBe(0);
  }, 90_000);
});
