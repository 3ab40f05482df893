/**
 * `npm run openapi`: writes the OpenAPI 3.1 document of the API routes to
 * assets/openapi.json, which the deploy serves as a Workers Static Asset (wrangler.toml
 * [assets]; GET /openapi.json reads it and names the public origin in `servers`). Built
 * here, not in the Worker, so the JSON Schema converter stays out of the Worker bundle.
 *
 * `npm run openapi -- --check` (part of `npm test`): fails when the committed file is not
 * what the routes say now, like `npm run types -- --check`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { OPENAPI_FILE, openApiText } from './openapi/build.ts';

const text = openApiText();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(OPENAPI_FILE, 'utf8');
  } catch {
    // missing: out of date
  }
  if (current !== text) {
    console.error('assets/openapi.json is out of date with the routes: run npm run openapi');
    process.exit(1);
  }
  console.log('assets/openapi.json is up to date');
} else {
  writeFileSync(OPENAPI_FILE, text);
  console.log(`wrote assets/openapi.json (${Object.keys(JSON.parse(text).paths).length} paths)`);
}
