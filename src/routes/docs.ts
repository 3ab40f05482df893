/**
 * The API's own documentation: `/openapi.json`, the OpenAPI 3.1 document that
 * `npm run openapi` builds from the routes into assets/openapi.json (so no generator is in
 * the Worker), with the public origin as its server; and `/docs`, Scalar's API reference
 * over it. Scalar's bundle is a Workers Static Asset of the same deploy (assets/docs/,
 * copied from @scalar/api-reference by scripts/assets.ts), outside the Worker script: the
 * page works offline, and its "try it" console calls the server that served it.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { edgeCache } from '../http/cache.ts';
import { ApiError } from '../http/problem.ts';
import { publicOrigin } from '../http/public-url.ts';

/**
 * The narrowest policy Scalar runs under (test/node/docs-page.test.ts records every
 * violation in Chromium): its script and our setup file from this origin, the document and
 * "try it" requests to this origin only. Styles must allow inline: Scalar injects its CSS
 * as `<style>` elements at run time. Fonts are the system's (`withDefaultFonts: false`).
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Edge News API</title>
</head>
<body>
<noscript>The reference needs JavaScript; the document itself is <a href="/openapi.json">/openapi.json</a>.</noscript>
<div id="app"></div>
<script src="/docs/scalar.js"></script>
<script src="/docs/setup.js"></script>
</body>
</html>
`;

/** The static asset at `path` of this deploy (wrangler.toml [assets]); 503 when it is missing. */
async function asset(c: { env: Env; req: { url: string } }, path: string): Promise<Response> {
  const res = await c.env.ASSETS.fetch(new URL(path, c.req.url));
  if (!res.ok)
    throw new ApiError(
      'unavailable',
      `${path} is not deployed: run npm run openapi, and deploy with wrangler.toml [assets].`,
    );
  return res;
}

export const docsRoutes = new Hono<AppEnv>()
  .use('/openapi.json', edgeCache({ params: [] }))
  .use('/docs', edgeCache({ params: [] }))
  .get('/openapi.json', async (c) => {
    const { openapi, info, ...rest } = (await (await asset(c, '/openapi.json')).json()) as {
      openapi: string;
      info: unknown;
    };
    return c.json({ openapi, info, servers: [{ url: publicOrigin(c) }], ...rest });
  })
  .get('/docs', (c) => c.html(DOCS_PAGE, 200, { 'content-security-policy': DOCS_CSP }));
