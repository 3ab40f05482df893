/** scripts/bundle-size.ts, the bundle budget of `npm test`, on dry-run outputs written here. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUDGET_BYTES } from '../../scripts/bundle-size.ts';

const root = mkdtempSync(join(tmpdir(), 'edge-news-bundle-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A dry-run outdir whose one script has `bytes` bytes, half of them from one package. */
function outdir(name: string, bytes: number): string {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'index.js'), 'x'.repeat(bytes));
  writeFileSync(join(dir, 'index.js.map'), 'x'.repeat(BUDGET_BYTES)); // maps are not uploaded
  const half = Math.floor(bytes / 2);
  const inputs = {
    'node_modules/@scope/big/dist/a.js': { bytesInOutput: half },
    'src/core/x.ts': { bytesInOutput: bytes - half },
  };
  writeFileSync(
    join(dir, 'bundle-meta.json'),
    JSON.stringify({ outputs: { 'index.js': { inputs } } }),
  );
  return dir;
}

/** Sizes as the script prints them, worked out here (the fixture follows the budget). */
const kib = (bytes: number) => (bytes / 1024).toFixed(2);

const run = (dir: string) =>
  spawnSync(process.execPath, ['scripts/bundle-size.ts', dir], { encoding: 'utf8' });

describe('bundle-size', () => {
  it('passes at the budget and prints the size, gzip and the largest packages', () => {
    const r = run(outdir('at', BUDGET_BYTES));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^Worker bundle ${kib(BUDGET_BYTES).replace('.', '\\.')} KiB \\(${BUDGET_BYTES} bytes\\), gzip \\d+\\.\\d\\d KiB;`,
      ),
    );
    expect(r.stdout).toContain(`${kib(BUDGET_BYTES / 2)} KiB  @scope/big`);
    expect(r.stdout).toContain(`${kib(BUDGET_BYTES / 2)} KiB  src/core`);
  });

  it('fails one byte over the budget', () => {
    const r = run(outdir('over', BUDGET_BYTES + 1));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${BUDGET_BYTES + 1} bytes is over the budget of ${BUDGET_BYTES}`);
  });

  it('counts a module beside the script (a Text module) and names it', () => {
    const dir = outdir('text', BUDGET_BYTES - 100);
    // The text module alone takes the upload over the budget.
    writeFileSync(join(dir, `${'ab'.repeat(20)}-messages.txt`), 'ж'.repeat(51)); // 102 bytes
    const r = run(dir);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`(${BUDGET_BYTES + 2} bytes)`);
    expect(r.stdout).toContain('; 2 modules');
    expect(r.stdout).toContain(`${kib(102)} KiB  module messages.txt`);
    expect(r.stderr).toContain(`${BUDGET_BYTES + 2} bytes is over the budget of ${BUDGET_BYTES}`);
  });

  it('fails when the dry run left no script', () => {
    const dir = join(root, 'empty');
    mkdirSync(dir);
    // wrangler's README and a lone text module are not a Worker.
    writeFileSync(join(dir, 'README.md'), 'built output');
    writeFileSync(join(dir, `${'cd'.repeat(20)}-messages.txt`), '{}');
    const r = run(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('no script in');
  });
});
