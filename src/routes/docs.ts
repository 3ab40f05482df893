/**
 * The OpenAPI 3.1 document, generated from the same valibot schemas that validate
 * requests, and a self-contained HTML page that renders it (no third-party scripts, so
 * it works offline and under a strict CSP).
 */
import { type Context, Hono } from 'hono';
import { generateSpecs } from 'hono-openapi';
import type { AppEnv } from '../env.ts';
import { edgeCache } from '../http/cache.ts';
import { publicOrigin } from '../http/public-url.ts';

type OpenApiDocument = Awaited<ReturnType<typeof generateSpecs>>;

const escape = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

export function renderDocsPage(doc: OpenApiDocument): string {
  const rows: string[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of ['get', 'post', 'patch', 'delete', 'put'] as const) {
      const op = (
        item as Record<
          string,
          | {
              summary?: string;
              description?: string;
              parameters?: { name: string; in: string; required?: boolean }[];
            }
          | undefined
        >
      )[method];
      if (!op) continue;
      const params = (op.parameters ?? [])
        .map(
          (p) =>
            `<code>${escape(p.name)}</code> <small>(${escape(p.in)}${p.required ? ', required' : ''})</small>`,
        )
        .join(', ');
      rows.push(
        `<section class="op"><h2><span class="m ${method}">${method.toUpperCase()}</span> <code>${escape(path)}</code></h2>` +
          `<p>${escape(op.summary ?? '')}</p>${op.description ? `<p>${escape(op.description)}</p>` : ''}${params ? `<p>Parameters: ${params}</p>` : ''}</section>`,
      );
    }
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(doc.info.title)} API</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}code{background:#f3f3f3;padding:0 .2em}
.m{font:bold 13px monospace;padding:.1em .4em;border-radius:3px;color:#fff;background:#555}.get{background:#2a7}.post{background:#27a}.patch{background:#a72}.delete{background:#a33}
.op{border-top:1px solid #ddd;padding:.5rem 0}h2{font-size:1.05rem;margin:.3rem 0}</style></head>
<body><h1>${escape(doc.info.title)} API <small>${escape(doc.info.version)}</small></h1>
<p>${escape(doc.info.description ?? '')}</p><p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${escape(doc.openapi)}).</p>
<main>${rows.join('\n')}</main></body></html>`;
}

export function docsRoutes(app: Hono<AppEnv>) {
  let spec: Promise<OpenApiDocument> | undefined;
  // Generated once per isolate; `servers` is the public origin of each request.
  const document = async (c: Context<AppEnv>): Promise<OpenApiDocument> => ({
    ...(await (spec ??= generateSpecs(app, {
      documentation: {
        openapi: '3.1.0',
        info: {
          title: 'Edge News',
          version: '1.0.0',
          description:
            'Feeds, search and submissions for news aggregators, served from Cloudflare Workers and KV. Errors are RFC 9457 problem+json.',
        },
      },
      exclude: ['/openapi.json', '/docs'],
      // Our feeds end in .json/.xml/.atom: they are routes, not static files.
      excludeStaticFile: false,
    }))),
    servers: [{ url: publicOrigin(c) }],
  });
  return new Hono<AppEnv>()
    .use('/openapi.json', edgeCache())
    .use('/docs', edgeCache())
    .get('/openapi.json', async (c) => c.json(await document(c)))
    .get('/docs', async (c) => c.html(renderDocsPage(await document(c))));
}
