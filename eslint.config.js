import js from '@eslint/js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import tseslint from 'typescript-eslint';

const BENCH_ONLY = Object.keys(
  JSON.parse(readFileSync(join(import.meta.dirname, 'scripts/bench/package.json'), 'utf8'))
    .dependencies,
);

export default tseslint.config(
  {
    ignores: [
      '.dependency-cruiser.cjs',
      'node_modules/',
      '.wrangler/',
      '.bench/',
      'worker-configuration.d.ts',
      'coverage/',
      // Scalar's bundle, copied from @scalar/api-reference (scripts/assets.ts)
      'assets/docs/scalar.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    // The benchmarks' own packages (scripts/bench/package.json) are installed only for them.
    ignores: ['scripts/bench/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...BENCH_ONLY, ...BENCH_ONLY.map((name) => `${name}/*`)],
              message: 'a benchmark-only package (scripts/bench/package.json)',
            },
          ],
        },
      ],
    },
  },
);
