import type { Article } from '../article.ts';

/** One KV value of the search index, written at `searchKey(snapshot, part)`. */
export interface SearchPart {
  part: string;
  value: string;
}

/**
 * Builds the search index parts for a snapshot. Placeholder until the search issue
 * lands: the snapshot builder already calls it, so the index ships with the snapshot.
 */
export function buildSearchParts(_articles: readonly Article[], _onProgress?: (done: number, total: number) => void): SearchPart[] {
  return [];
}
