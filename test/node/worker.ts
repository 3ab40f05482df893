/** The Worker of wrangler.toml started in Node (wrangler's dev server), for tests that need a real HTTP origin. */
import { unstable_startWorker } from 'wrangler';

/** `persist`: a local KV folder to serve (scripts/build.ts --local --persist-to), else an empty one. */
export const startWorker = (persist: string | false = false) =>
  unstable_startWorker({
    config: 'wrangler.toml',
    dev: { server: { port: 0 }, inspector: false, persist, logLevel: 'error' },
  });
