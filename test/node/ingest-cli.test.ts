/** `npm run ingest` as a user runs it: a sources file, a local KV folder, one poll. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type FeedServer, startFeedServer } from './ingest-server.ts';

const run = promisify(execFile);
let server: FeedServer;
let dir: string;

beforeAll(async () => {
  server = await startFeedServer([
    { guid: 'x', title: 'Ferry timetable changes from Monday', published: '2024-07-15T08:00:00Z' },
  ]);
  dir = await mkdtemp(join(tmpdir(), 'edge-news-ingest-cli-'));
});

afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it(
  'polls once, prints progress per feed and a JSON summary, then a 304 on the next run',
  { timeout: 120_000 },
  async () => {
    const sources = join(dir, 'sources.json');
    await writeFile(
      sources,
      JSON.stringify({
        format: 1,
        sources: [
          { url: `${server.url}/live.xml`, source: 'Polled Wire', section: 'world', lang: 'en' },
          { url: `${server.url}/broken.xml`, source: 'Broken Wire', section: 'world', lang: 'en' },
        ],
      }),
    );
    const args = ['scripts/ingest.ts', '--local', '--once', '--json', '--host-delay', '0'];
    const opts = [...args, '--sources', sources, '--persist-to', join(dir, 'state')];
    const first = await run(process.execPath, opts);
    const lines = first.stderr.split('\n').map((l) => l.replace(/ +/g, ' ').trim());
    expect(lines).toContain(`[1/2] Polled Wire ${server.url}/live.xml: new 200 1/1 new (utf-8)`);
    expect(lines.find((l) => l.startsWith('[2/2]'))).toMatch(
      /^\[2\/2\] Broken Wire .*: failed 200 not a readable RSS, Atom, RDF or JSON feed: .* next try \d{4}-/,
    );
    const summary = JSON.parse(first.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ feeds: 2, fetched: 1, failed: 1, new_articles: 1 });
    expect(summary.published).toMatchObject({ added: 1 });

    const second = await run(process.execPath, opts);
    expect(JSON.parse(second.stdout)).toMatchObject({
      not_modified: 1,
      backing_off: 1,
      published: null,
    });
  },
);

it(
  'refuses a bad duration and a bad sources file with a message',
  { timeout: 60_000 },
  async () => {
    const bad = run(process.execPath, ['scripts/ingest.ts', '--every', 'soon']);
    await expect(bad).rejects.toMatchObject({
      stderr: expect.stringContaining(
        '--every must be a duration such as 30s, 5m or 1h, not "soon"',
      ),
    });
  },
);
