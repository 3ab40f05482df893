/**
 * Whatever a client sends, the submission routes answer with a 2xx or a problem+json 4xx,
 * never a 5xx (fast-check through the real Worker).
 */
import fc from 'fast-check';
import { describe, it, vi } from 'vitest';
import { expectClientError } from './expect-problem.ts';
import { approve, owner, postAd, send, validAd } from './submissions-helpers.ts';

vi.setConfig({ testTimeout: 120_000 });

// Arbitrary JSON, and valid ads with one field replaced by arbitrary JSON.
const anyJson = fc.jsonValue({ maxDepth: 3 });
const fields = [
  'title',
  'text',
  'category',
  'price',
  'contact',
  'location',
  'lang',
  'images',
  'website',
  'form_token',
  'turnstile_token',
];

describe('no 5xx for any input', () => {
  it('POST /v1/ads and /v1/news with arbitrary JSON or one arbitrary field', async () => {
    const base = await validAd();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/v1/ads', '/v1/news'),
        fc.oneof(
          anyJson,
          fc
            .record({ field: fc.constantFrom(...fields), value: anyJson })
            .map(({ field, value }) => ({ ...base, [field]: value })),
        ),
        async (path, body) => {
          await expectClientError(await send('POST', path, JSON.stringify(body)), `POST ${path}`);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('GET /v1/ads and /v1/admin/submissions with arbitrary query strings', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.constantFrom('category', 'lang', 'since', 'limit', 'cursor', 'status', 'kind', 'x'),
          fc.string({ maxLength: 40 }),
          { maxKeys: 4 },
        ),
        async (query) => {
          const qs = new URLSearchParams(query).toString();
          await expectClientError(await send('GET', `/v1/ads?${qs}`), `GET /v1/ads?${qs}`);
          await expectClientError(
            await send('GET', `/v1/admin/submissions?${qs}`, undefined, {
              authorization: 'Bearer test-admin-token',
            }),
            `GET /v1/admin/submissions?${qs}`,
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('owner and report routes with arbitrary ids, tokens and bodies', async () => {
    const { body } = await postAd();
    await approve(body.id);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constant(body.id), fc.string({ maxLength: 30 }).map(encodeURIComponent)),
        fc.oneof(fc.constant(body.manage_token), fc.string({ maxLength: 60 })),
        anyJson,
        async (id, token, json) => {
          const auth = /^[\x20-\x7e]*$/.test(token) ? owner(token) : {};
          await expectClientError(
            await send('PATCH', `/v1/ads/${id}`, JSON.stringify(json), auth),
            `PATCH /v1/ads/${id}`,
          );
          await expectClientError(
            await send('POST', `/v1/ads/${id}/reports`, JSON.stringify(json)),
            `POST /v1/ads/${id}/reports`,
          );
          await expectClientError(await send('GET', `/v1/ads/${id}`), `GET /v1/ads/${id}`);
        },
      ),
      { numRuns: 100 },
    );
  });
});
