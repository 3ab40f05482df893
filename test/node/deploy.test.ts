/**
 * `npm run deploy -- --dry-run` (scripts/deploy.ts): the whole deploy flow against a local
 * KV directory of its own, with `wrangler deploy --dry-run` at the end.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { POINTER_KEY } from '../../src/core/snapshot/keys.ts';
import { openLocalKv } from '../../scripts/lib/local-kv.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'edge-news-deploy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const deploy = (...args: string[]) =>
  spawnSync(process.execPath, ['scripts/deploy.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  });

describe('npm run deploy -- --dry-run', () => {
  it('builds, publishes the sample to local KV and bundles the Worker without uploading it', async () => {
    const persist = join(dir, 'state');
    const outdir = join(dir, 'out');
    const r = deploy('--dry-run', '--persist-to', persist, '--outdir', outdir);
    expect(r.stderr).not.toContain('choose one of');
    expect(r.status).toBe(0);
    const live = /^snapshot\s+(\S+) \(live\)$/m.exec(r.stdout + r.stderr)?.[1];
    expect(live).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{8}$/);
    expect(r.stdout).toContain('--dry-run: exiting now.');
    expect(statSync(join(outdir, 'index.js')).size).toBeGreaterThan(0);

    const kv = await openLocalKv({ persistTo: persist });
    try {
      const pointer = JSON.parse((await kv.store.get(POINTER_KEY)) ?? 'null') as {
        snapshot: string;
      } | null;
      expect(pointer?.snapshot).toBe(live);
    } finally {
      await kv.close();
    }
  }, 180_000);

  it('stops before wrangler when the build fails', () => {
    const outdir = join(dir, 'never');
    const r = deploy(
      '--dry-run',
      '--persist-to',
      join(dir, 'bad'),
      '--outdir',
      outdir,
      'missing.jsonl',
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('input missing.jsonl does not exist');
    expect(existsSync(outdir)).toBe(false);
  }, 60_000);
});
