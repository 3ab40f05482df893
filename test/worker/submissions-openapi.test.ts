import { exports } from 'cloudflare:workers';
import { expect, it } from 'vitest';

it('documents every submissions route in /openapi.json', { timeout: 60_000 }, async () => {
  const res = await exports.default.fetch('http://x/openapi.json');
  expect(res.status).toBe(200);
  const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
  const ops = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`),
  );
  expect(ops).toEqual(
    expect.arrayContaining([
      'GET /v1/form-token',
      'POST /v1/ads',
      'GET /v1/ads',
      'GET /v1/ads/{id}',
      'GET /v1/ads/{id}/manage',
      'PATCH /v1/ads/{id}',
      'DELETE /v1/ads/{id}',
      'POST /v1/ads/{id}/renew',
      'POST /v1/ads/{id}/reports',
      'POST /v1/news',
      'GET /v1/news/{id}',
      'GET /v1/admin/submissions',
      'POST /v1/admin/submissions/{id}/{action}',
    ]),
  );
  const post = doc.paths['/v1/ads']?.post as { parameters?: { name: string; in: string }[] };
  expect(post.parameters).toEqual(
    expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key', in: 'header' })]),
  );
});
