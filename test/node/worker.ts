/** The Worker of wrangler.toml started in Node (wrangler's dev server), for tests that need a real HTTP origin. */
import { unstable_startWorker } from 'wrangler';

export const startWorker = () =>
  unstable_startWorker({
    config: 'wrangler.toml',
    dev: { server: { port: 0 }, inspector: false, persist: false, logLevel: 'error' },
  });
