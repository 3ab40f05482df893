/**
 * The methods a path answers, taken from the app's own routes (`app.routes`), for a 405
 * with `Allow` (RFC 9110 §15.5.6, §10.2.1) when a known path is asked with another method.
 * No hand list: a route added to any group is in `Allow` the day it is mounted.
 */
import { METHOD_NAME_ALL } from 'hono/router';
import { TrieRouter } from 'hono/router/trie-router';

interface Route {
  method: string;
  path: string;
}

/**
 * A lookup from a request path to the methods of the routes matching it, sorted; empty when
 * none does. GET brings HEAD (Hono answers HEAD with the GET handler) and every path has
 * OPTIONS (the CORS middleware answers it). Middleware (`ALL`) is no route of its own.
 */
export function allowedMethods(routes: readonly Route[]): (path: string) => string[] {
  const router = new TrieRouter<string>();
  for (const { method, path } of routes)
    if (method !== METHOD_NAME_ALL) router.add(METHOD_NAME_ALL, path, method);
  return (path) => {
    const methods = new Set(router.match(METHOD_NAME_ALL, path)[0].map(([method]) => method));
    if (methods.size === 0) return [];
    if (methods.has('GET')) methods.add('HEAD');
    methods.add('OPTIONS');
    return [...methods].sort();
  };
}
