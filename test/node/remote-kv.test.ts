import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batches } from '../../scripts/lib/remote-kv.ts';

describe('remote bulk batches', () => {
  it('keeps every batch within 10,000 pairs and 90 MB, in order, losing nothing', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3_000_000 }), { maxLength: 200 }),
        fc.integer({ min: 0, max: 25_000 }),
        (sizes, small) => {
          const entries = [
            ...sizes.map((n, i) => ({ key: `big:${i}`, value: 'x'.repeat(n) })),
            ...Array.from({ length: small }, (_, i) => ({ key: `small:${i}`, value: '1' })),
          ];
          const out = batches(entries);
          expect(out.flat()).toEqual(entries);
          for (const batch of out) {
            expect(batch.length).toBeLessThanOrEqual(10_000);
            const bytes = batch.reduce((n, e) => n + e.key.length + e.value.length + 64, 0);
            expect(bytes <= 90 * 1024 * 1024 || batch.length === 1).toBe(true);
          }
        },
      ),
      { numRuns: 20 },
    );
  });
});
