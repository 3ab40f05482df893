// The README's "Typed client" example as it stands there (test/node/client-types.test.ts
// checks that the two are the same text), so `npm run typecheck` compiles it as an app would.
import { edgeNewsClient, readProblem } from 'edge-news/client';

const api = edgeNewsClient('https://news.example'); // { fetch } to send through another fetch
const res = await api.v1.feed.$get({ query: { section: 'sport', limit: '10' } });
if (res.ok) {
  const page = await res.json(); // FeedPage; TrimmedFeedPage (only `id` sure) with fields=
  console.log(page.items.map((item) => item.title));
} else {
  const problem = await readProblem(res); // Problem: problem.code is 'invalid_query' | …
  console.error(problem.code, problem.detail);
}
