import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

/** The Worker in workerd on real local KV, with the secrets .dev.vars gives `wrangler dev`. */
const workerd = () =>
  cloudflareTest({
    wrangler: { configPath: './wrangler.toml' },
    miniflare: { bindings: { ADMIN_TOKEN: 'test-admin-token', TURNSTILE_SECRET: '' } },
  });

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [workerd()],
        // As below: a test that seeds a snapshot takes over 5 s at a load average of 15
        // (test/worker/feed.test.ts timed out so while seven worktrees ran their suites), and
        // a beforeAll that seeds one over 10 s (feed.test.ts again, at a load average of 17).
        test: {
          name: 'worker',
          include: ['test/worker/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'node',
          include: ['test/node/**/*.test.ts'],
          environment: 'node',
          // Real processes and Miniflare on a shared 2-core machine: 5 s fails tests that wait
          // correctly (test/node/snapshots.test.ts at a load average of 20).
          testTimeout: 30_000,
        },
      },
      // Timing runs print figures and assert none: only `npm run bench:submissions` runs them.
      ...(process.env.EDGE_NEWS_BENCH
        ? [
            {
              plugins: [workerd()],
              test: { name: 'bench', include: ['scripts/bench/**/*.test.ts'] },
            },
          ]
        : []),
    ],
  },
});
