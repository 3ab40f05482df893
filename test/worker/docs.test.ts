/**
 * /openapi.json and /docs through the real Worker in workerd, with the static assets of the
 * same deploy (wrangler.toml [assets]) behind its ASSETS binding: the document is the
 * committed asset with the public origin as its server, the page is Scalar's under its CSP,
 * and Scalar's bundle is an asset, not part of the Worker script. Chromium runs the page in
 * test/node/docs-page.test.ts.
 */
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { DOCS_CSP } from '../../src/routes/docs.ts';

const get = (path: string) => exports.default.fetch(`http://docs.test${path}`);

describe('the API documentation', () => {
  it('GET /openapi.json is the asset, with the request origin as its server', async () => {
    const asset = (await (await env.ASSETS.fetch('http://assets/openapi.json')).json()) as Record<
      string,
      unknown
    >;
    expect(asset.servers).toBeUndefined();
    const res = await get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('etag')).toBeTruthy();
    const doc = (await res.json()) as Record<string, unknown>;
    expect(doc.servers).toEqual([{ url: 'http://docs.test' }]);
    const { servers: _, ...rest } = doc;
    expect(rest).toEqual(asset);
  });

  it('GET /docs is the Scalar page under its CSP, loading only assets of this origin', async () => {
    const res = await get('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(DOCS_CSP);
    expect(DOCS_CSP).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    const html = await res.text();
    const scripts = [...html.matchAll(/<script([^>]*)>([^<]*)<\/script>/g)];
    expect(scripts.map((m) => m[1])).toEqual([' src="/docs/scalar.js"', ' src="/docs/setup.js"']);
    // No inline code: the CSP needs no hash or nonce.
    expect(scripts.every((m) => m[2] === '')).toBe(true);
    for (const path of ['/docs/scalar.js', '/docs/setup.js']) {
      const asset = await env.ASSETS.fetch(`http://assets${path}`);
      expect(asset.status, path).toBe(200);
      expect(asset.headers.get('content-type'), path).toMatch(/javascript/);
      expect((await asset.text()).length, path).toBeGreaterThan(
        path.endsWith('scalar.js') ? 1e6 : 100,
      );
    }
    expect(await (await env.ASSETS.fetch('http://assets/docs/setup.js')).text()).toContain(
      "url: '/openapi.json'",
    );
  });
});
