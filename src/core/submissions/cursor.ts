/**
 * Opaque list cursors: the sort key of the last item returned, `[time, id]`, as base64url
 * JSON. Lists are keyset-paginated, so items added meanwhile never shift a page.
 */
import * as v from 'valibot';

const Position = v.tuple([v.pipe(v.number(), v.integer(), v.minValue(0)), v.pipe(v.string(), v.regex(/^[a-z2-7]{20}$/))]);
export type Position = v.InferOutput<typeof Position>;

export function encodeCursor(position: Position): string {
  return btoa(JSON.stringify(position)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** The position in a cursor, or null when it is not one of ours. */
export function decodeCursor(cursor: string): Position | null {
  try {
    const json = atob(cursor.replaceAll('-', '+').replaceAll('_', '/'));
    const parsed = v.safeParse(Position, JSON.parse(json));
    return parsed.success ? parsed.output : null;
  } catch {
    return null;
  }
}
