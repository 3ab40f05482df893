/**
 * The README's "Deploy to Cloudflare" section read against wrangler.toml (as wrangler itself
 * reads it) and .dev.vars.example: every binding, variable, secret, migration, rate-limit
 * namespace and cron an operator meets on a fresh account is named there, so a new one
 * cannot ship unexplained.
 */
import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { unstable_readConfig } from 'wrangler';
import { expect, it } from 'vitest';

/** What the check reads of wrangler's own reading of the file. */
const Config = v.object({
  kv_namespaces: v.array(v.object({ binding: v.string() })),
  vars: v.record(v.string(), v.unknown()),
  durable_objects: v.object({
    bindings: v.array(v.object({ name: v.string(), class_name: v.string() })),
  }),
  migrations: v.array(v.object({ tag: v.string() })),
  ratelimits: v.array(v.object({ name: v.string(), namespace_id: v.string() })),
  assets: v.optional(v.object({ binding: v.optional(v.string()) })),
  triggers: v.object({ crons: v.array(v.string()) }),
});

function section(text: string, heading: string): string {
  const start = text.indexOf(`\n## ${heading}\n`);
  expect(start, heading).toBeGreaterThan(0);
  const end = text.indexOf('\n## ', start + heading.length + 4);
  return text.slice(start, end < 0 ? undefined : end);
}

it('names every binding, variable, secret, migration, limiter and cron of wrangler.toml', () => {
  const deploy = section(readFileSync('README.md', 'utf8'), 'Deploy to Cloudflare');
  const config = v.parse(Config, unstable_readConfig({ config: 'wrangler.toml' }));
  const secrets = [...readFileSync('.dev.vars.example', 'utf8').matchAll(/^([A-Z_]+)=/gm)].map(
    (m) => m[1]!,
  );
  const names = [
    ...config.kv_namespaces.map((kv) => kv.binding),
    ...Object.keys(config.vars),
    ...secrets,
    ...config.durable_objects.bindings.flatMap((d) => [d.name, d.class_name]),
    ...config.migrations.map((m) => m.tag),
    ...config.ratelimits.flatMap((r) => [r.name, r.namespace_id]),
    ...(config.assets?.binding ? [config.assets.binding] : []),
    ...config.triggers.crons,
  ];
  expect(secrets).toEqual(['ADMIN_TOKEN', 'TURNSTILE_SECRET']);
  expect(names.length).toBeGreaterThanOrEqual(18);
  expect(names.filter((name) => !deploy.includes(name))).toEqual([]);
});
