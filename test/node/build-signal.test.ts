/**
 * A full build stopped by a signal (Ctrl-C, or SIGTERM from a supervisor) leaves no spill
 * behind: the streaming build (scripts/lib/stream-build.ts) keeps its articles and search runs
 * in a temporary folder, about 1.2 GB at 1M articles. The real CLI, on a generated corpus.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipeline } from '../../src/core/content/pipeline.ts';
import { corpus } from '../../scripts/bench/corpus.ts';
import { inputFiles, readRecords } from '../../scripts/lib/inputs.ts';
import { writeJsonl } from '../../scripts/lib/jsonl.ts';

let dir: string;
let input: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edge-news-signal-'));
  input = join(dir, 'corpus.jsonl');
  const sample = runPipeline(
    await readRecords(await inputFiles(['scripts/sample/news-page.jsonl'])),
  ).articles;
  // Enough articles that the build is still running when the signal comes.
  await writeJsonl(
    input,
    corpus(
      60_000,
      sample.map((a, i) => ({ ...a, id: `s${i}` })),
    ).slice(sample.length),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The build's temporary folders under `tmp`. */
const spills = async (tmp: string) =>
  (await readdir(tmp)).filter((name) => name.startsWith('edge-news-build-'));

describe('a full build stopped by a signal', { timeout: 300_000 }, () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`removes its temporary folder on ${signal} and stops`, async () => {
      const tmp = await mkdtemp(join(dir, `tmp-${signal}-`));
      const build = spawn(process.execPath, ['scripts/build.ts', input, '--dry-run'], {
        env: { ...process.env, TMPDIR: tmp },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      // Signalled once it has read its first records into the spill (its progress says so).
      const reading = new Promise<void>((resolve) =>
        build.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          if (/read\b.*\d/.test(stderr)) resolve();
        }),
      );
      const exited = once(build, 'exit');
      await Promise.race([reading, exited]);
      expect(build.exitCode, stderr).toBeNull(); // still running
      expect(await spills(tmp)).toHaveLength(1);
      build.kill(signal);
      const [code, by] = (await exited) as [number | null, NodeJS.Signals | null];
      // Killed by the signal, or (when Miniflare's own handler exits after ours) its code.
      expect(by === signal || code === 128 + constants.signals[signal], `${code} ${by}`).toBe(true);
      expect(await spills(tmp)).toEqual([]);
    });
  }
});
