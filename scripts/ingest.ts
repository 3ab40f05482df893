/**
 * Polls the feeds of a sources file and publishes what is new (docs/ingest.md).
 *
 *   node scripts/ingest.ts [--local | --remote] [--once | --every 5m] [--sources FILE]
 *                          [--persist-to DIR] [--host-delay 1s] [--timeout 15s] [--json]
 *                          [--no-lease]
 *
 * The same poll as the Worker's scheduled handler (src/core/ingest/poll.ts), which polls the
 * sources this script last wrote to KV. Progress per
 * feed goes to stderr, a summary per poll to stdout (one JSON line with --json). `--every`
 * keeps polling until interrupted; Ctrl-C lets the running poll finish. A publish holds the
 * publish lease (scripts/lib/publish-lease.ts): with `--remote` the deployed Worker's, which
 * its cron takes too (EDGE_NEWS_URL, ADMIN_TOKEN), not a file only this machine sees.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { leasedPublisher } from '../src/core/ingest/lease.ts';
import {
  pollSources,
  type FeedReport,
  type PollSummary,
  type Publisher,
} from '../src/core/ingest/poll.ts';
import { publishArticles } from '../src/core/ingest/publish.ts';
import { parseSources, SOURCES_FORMAT } from '../src/core/ingest/sources.ts';
import { SOURCES_KEY } from '../src/core/snapshot/keys.ts';
import { approvedNewsFromStore } from '../src/storage/submissions.ts';
import { DEFAULT_PERSIST, openLocalKv } from './lib/local-kv.ts';
import { scriptLease } from './lib/publish-lease.ts';
import type { Article } from '../src/core/content/article.ts';
import { openRemoteKv } from './lib/remote-kv.ts';

export const DEFAULT_SOURCES = 'scripts/sources.json';

const { values } = parseArgs({
  options: {
    local: { type: 'boolean', default: false },
    remote: { type: 'boolean', default: false },
    once: { type: 'boolean', default: false },
    every: { type: 'string' },
    sources: { type: 'string', default: DEFAULT_SOURCES },
    'persist-to': { type: 'string' },
    'host-delay': { type: 'string', default: '1s' },
    timeout: { type: 'string', default: '15s' },
    json: { type: 'boolean', default: false },
    'no-lease': { type: 'boolean', default: false },
  },
});

/** "300", "30s", "5m", "1h" to milliseconds (a bare number is seconds). */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new Error(`${flag} must be a duration such as 30s, 5m or 1h, not "${text}"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 's'] ?? 1000;
  return Number(match[1]) * unit;
}

function line(report: FeedReport, done: number, total: number): string {
  const what = [
    report.result.padEnd(12),
    report.status === null ? '   ' : String(report.status),
    report.result === 'new' || report.result === 'unchanged'
      ? `${report.new}/${report.items} new${report.invalid ? `, ${report.invalid} invalid` : ''} (${report.charset})`
      : '',
    report.error ?? '',
    report.next_at ? `next try ${report.next_at}` : '',
  ];
  return `  [${done}/${total}] ${report.source} ${report.url}: ${what.filter(Boolean).join(' ')}`;
}

function summaryText(s: PollSummary): string {
  return [
    `poll      ${s.started_at}`,
    `feeds     ${s.feeds}: ${s.fetched} fetched, ${s.not_modified} not modified, ${s.failed} failed, ${s.backing_off} backing off, ${s.deferred} deferred`,
    `new       ${s.new_articles} article(s)`,
    s.published
      ? `published ${s.published.snapshot} (${s.published.added} added to the archive, ${s.published.keys_written} keys written)`
      : s.publish_error
        ? `published nothing: ${s.publish_error}`
        : 'published nothing (nothing new)',
    `state     ${s.state_writes} feed state(s) written`,
    `time      ${(s.ms / 1000).toFixed(2)} s`,
  ].join('\n');
}

async function main(): Promise<void> {
  if (values.local && values.remote) throw new Error('choose one of --local, --remote');
  if (values.once && values.every) throw new Error('choose one of --once, --every');
  const every = values.every ? parseDuration(values.every, '--every') : null;
  const sources = parseSources(await readFile(values.sources, 'utf8'), values.sources);
  const persist = values['persist-to'] ?? DEFAULT_PERSIST;
  const target = values.remote
    ? await openRemoteKv()
    : await openLocalKv(values['persist-to'] ? { persistTo: persist } : {});
  // The Worker's scheduled poll reads the same list from KV (src/scheduled.ts).
  const sent = JSON.stringify({ format: SOURCES_FORMAT, sources });
  if ((await target.store.get(SOURCES_KEY)) !== sent) {
    await target.store.putMany([{ key: SOURCES_KEY, value: sent }]);
    console.error(`Sent the ${sources.length} source(s) to KV for the scheduled poll`);
  }
  const lease = scriptLease({ remote: values.remote, persist, noLease: values['no-lease'] });
  const publishLive = (articles: Article[], live: string | null) =>
    publishArticles(target.store, articles, {
      expectedLive: live,
      approved: () => approvedNewsFromStore(target.store),
    });
  const publish: Publisher = lease
    ? leasedPublisher(lease, `ingest pid ${process.pid}`, publishLive)
    : (articles) => publishLive(articles, null);
  let stopping = false;
  process.on('SIGINT', () => {
    if (stopping) process.exit(130);
    stopping = true;
    console.error('Stopping after this poll (Ctrl-C again to quit now)');
  });
  try {
    for (;;) {
      console.error(`Polling ${sources.length} feed(s) from ${values.sources}`);
      const summary = await pollSources(
        sources,
        {
          store: target.store,
          fetch,
          publish,
          onFeed: (report, done, total) => console.error(line(report, done, total)),
        },
        {
          hostDelayMs: parseDuration(values['host-delay'], '--host-delay'),
          timeoutMs: parseDuration(values.timeout, '--timeout'),
        },
      );
      console.log(values.json ? JSON.stringify(summary) : summaryText(summary));
      if (summary.publish_error) process.exitCode = 1;
      if (every === null || stopping) break;
      await new Promise((resolve) => setTimeout(resolve, every));
      if (stopping) break;
    }
  } finally {
    await target.close();
  }
}

main().catch((error: unknown) => {
  console.error(`Ingest failed: ${(error as Error).message}`);
  process.exitCode = 1;
});
