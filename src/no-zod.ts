/**
 * Stands in for `zod/v4/core` in the Worker bundle (wrangler.toml `[alias]`). hono-openapi's
 * @standard-community/standard-json turns a schema into JSON Schema by its vendor and imports
 * zod only for zod schemas; this project's schemas are all valibot, so that import is never
 * reached, yet esbuild would bundle all of zod (696 KiB) for it. If a zod schema ever
 * reaches the OpenAPI generator, it fails loudly with this message instead.
 */
export function toJSONSchema(): never {
  throw new Error(
    'edge-news: zod is not bundled (wrangler.toml [alias]); describe routes with valibot schemas',
  );
}
