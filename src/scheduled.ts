/**
 * The Worker's scheduled handler (`[triggers] crons` in wrangler.toml): the poll of
 * `npm run ingest` (src/core/ingest/poll.ts), run by Cloudflare every few minutes, so a
 * deployed site stays fresh with no machine of its own. The sources are the file
 * `npm run ingest` last wrote to KV (SOURCES_KEY); without one there is nothing to poll.
 *
 * Limits of one invocation (https://developers.cloudflare.com/workers/platform/limits/):
 * 1,000 KV operations, counted by `budgetedStore`, and 50 subrequests on the Free plan, so
 * at most INGEST_MAX_FEEDS feeds (default 40) are fetched per run, rotating through the rest.
 * docs/ingest.md counts what one poll spends.
 */
import { budgetedStore, WORKER_COMPACT_ARTICLES } from './core/ingest/budget.ts';
import { leasedPublisher } from './core/ingest/lease.ts';
import { pollSources } from './core/ingest/poll.ts';
import { publishArticles } from './core/ingest/publish.ts';
import { parseSources } from './core/ingest/sources.ts';
import { SOURCES_KEY } from './core/snapshot/keys.ts';
import { bindingStore } from './storage/kv-binding.ts';
import { publishLease } from './storage/publish-lease.ts';
import { forgetPointer } from './storage/snapshots.ts';
import { approvedNewsFromStore } from './storage/submissions.ts';

/** Free plan: 50 subrequests per invocation; the lease and a margin take the rest. */
const DEFAULT_MAX_FEEDS = 40;

export const scheduled: ExportedHandlerScheduledHandler<Env> = async (controller, env) => {
  const store = budgetedStore(bindingStore(env.NEWS));
  const text = await store.get(SOURCES_KEY);
  if (text === null) {
    console.log(`ingest: no sources in KV (${SOURCES_KEY}); run npm run ingest once to send them`);
    return;
  }
  const sources = parseSources(text, SOURCES_KEY);
  const holder = `cron ${controller.cron} at ${new Date(controller.scheduledTime).toISOString()}`;
  const publish = leasedPublisher(publishLease(env.PUBLISH_LOCK), holder, (articles, live) =>
    publishArticles(store, articles, {
      expectedLive: live,
      approved: () => approvedNewsFromStore(store),
      compactUpTo: WORKER_COMPACT_ARTICLES,
    }),
  );
  const summary = await pollSources(
    sources,
    { store, fetch, publish },
    { maxFeeds: Number(env.INGEST_MAX_FEEDS) || DEFAULT_MAX_FEEDS },
  );
  // This isolate serves requests too: it must not answer from the old pointer for 5 s.
  if (summary.published) forgetPointer();
  const { reports, ...totals } = summary;
  console.log(`ingest: ${JSON.stringify({ ...totals, kv_operations: store.used })}`);
  for (const r of reports.filter((r) => r.result === 'failed'))
    console.warn(`ingest: ${r.url} failed: ${r.error} (next try ${r.next_at})`);
  if (summary.publish_error) throw new Error(`ingest: publish failed: ${summary.publish_error}`);
};
