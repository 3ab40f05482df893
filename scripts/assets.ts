/**
 * Fills assets/ (wrangler.toml [assets]) with what is not committed: Scalar's standalone
 * API reference bundle from @scalar/api-reference, for /docs (src/routes/docs.ts). The
 * build command of wrangler.toml, so `npm start`, `wrangler deploy` and its dry run have it;
 * `npm test` runs it before the tests. Copies only when the file differs.
 */
import { copyFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const require = createRequire(join(ROOT, 'package.json'));
const from = require.resolve('@scalar/api-reference/browser/standalone.js');
const to = join(ROOT, 'assets', 'docs', 'scalar.js');

const same = () => {
  try {
    return statSync(to).size === statSync(from).size && readFileSync(to).equals(readFileSync(from));
  } catch {
    return false;
  }
};
if (!same()) {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
  console.log(`assets/docs/scalar.js: ${statSync(to).size} bytes from @scalar/api-reference`);
}
