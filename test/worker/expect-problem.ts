/** Shared by the contract and fuzz suites: what any answer to bad input must look like. */
import { expect } from 'vitest';

/** Below 500; a 4xx is problem+json whose `status` matches, with a `code` and no stack trace. */
export async function expectClientError(res: Response, what: string) {
  const text = await res.text();
  expect(res.status, `${what} -> ${res.status} ${text.slice(0, 200)}`).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.headers.get('content-type'), what).toBe('application/problem+json');
    const problem = JSON.parse(text) as {
      status: number;
      code: string;
      detail: string;
      title: string;
    };
    expect(problem.status, what).toBe(res.status);
    expect(typeof problem.code, what).toBe('string');
    expect(problem.detail, what).not.toMatch(/\n\s+at |\.ts:\d+/);
  }
}
