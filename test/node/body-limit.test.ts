/**
 * A body over the limit sent chunked (no Content-Length, so the size is only known by
 * reading it) is answered 413, and the body is dealt with: the requests that come after it,
 * from other clients on other connections, are answered as usual. Through wrangler's dev
 * server (test/node/worker.ts) with real HTTP, since the fault is in how the connection
 * behind the Worker is left.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/core/submissions/schemas.ts';
import { startWorker } from './worker.ts';

type Worker = Awaited<ReturnType<typeof startWorker>>;
let worker: Worker;
let origin: URL;

beforeAll(async () => {
  worker = await startWorker();
  origin = await worker.url;
}, 120_000);
afterAll(async () => {
  await worker?.dispose();
});

interface Answer {
  status: number;
  type: string | undefined;
  body: string;
}

let clients = 0;

/** Longer than any answer takes here, shorter than the test: a request that hangs says so. */
const ANSWER_WITHIN_MS = 20_000;

/**
 * One request on a connection of its own (no keep-alive agent: each call is another
 * client). `chunks`: the body, written chunk by chunk; with Transfer-Encoding: chunked
 * unless `length` sends a Content-Length.
 */
function request(
  method: string,
  path: string,
  chunks: readonly string[] = [],
  length = false,
): Promise<Answer> {
  // A client of its own for the per-client rate limit, too (documentation range, RFC 3849).
  const headers: Record<string, string> = { 'cf-connecting-ip': `2001:db8:${++clients}::1` };
  if (chunks.length) headers['content-type'] = 'application/json';
  if (length) headers['content-length'] = String(Buffer.byteLength(chunks.join('')));
  return new Promise((resolve, reject) => {
    const req = http.request(
      new URL(path, origin).href,
      { method, agent: false, headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) =>
      // The server may answer 413 and close before it has read the whole body.
      error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error),
    );
    req.setTimeout(ANSWER_WITHIN_MS, () =>
      req.destroy(new Error(`${method} ${path}: no answer in ${ANSWER_WITHIN_MS} ms`)),
    );
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

/** A JSON body of about `bytes` bytes, in 1 KB chunks. */
function chunkedBody(bytes: number): string[] {
  const text = JSON.stringify({ title: 'x', text: 'y'.repeat(bytes) });
  return Array.from({ length: Math.ceil(text.length / 1024) }, (_, i) =>
    text.slice(i * 1024, (i + 1) * 1024),
  );
}

describe.each([
  ['chunked', false],
  ['with a Content-Length', true],
])('a body over the limit, %s', (_, length) => {
  it('is answered 413 problem+json, and the next clients are answered as usual', async () => {
    expect(LIMITS.bodyBytes).toBeLessThan(40_000);
    for (let round = 0; round < 3; round++) {
      const refused = await request('POST', '/v1/ads', chunkedBody(40_000), length);
      expect(refused.status, refused.body.slice(0, 200)).toBe(413);
      expect(refused.type).toBe('application/problem+json');
      expect(JSON.parse(refused.body)).toMatchObject({ code: 'payload_too_large', status: 413 });

      const after = await request('GET', '/v1/form-token');
      expect(after.status, after.body.slice(0, 200)).toBe(200);
      const news = await request('POST', '/v1/news', [JSON.stringify({ title: 1 })]);
      expect(news.status, news.body.slice(0, 200)).toBe(400);
    }
  });
});
