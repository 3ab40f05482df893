/**
 * Opaque list cursors: the sort key of the last item returned, `[time, id]`, as base64url
 * JSON. Lists are keyset-paginated, so items added meanwhile never shift a page.
 */
import * as v from 'valibot';
import { decodeOpaque, encodeOpaque } from '../lib/opaque.ts';
import { SUBMISSION_ID } from './schemas.ts';

const Position = v.tuple([
  v.pipe(v.number(), v.integer(), v.minValue(0)),
  v.pipe(v.string(), v.regex(SUBMISSION_ID)),
]);
export type Position = v.InferOutput<typeof Position>;

export const encodeCursor = (position: Position): string => encodeOpaque(position);

/** The position in a cursor, or null when it is not one of ours. */
export const decodeCursor = (cursor: string): Position | null => decodeOpaque(cursor, Position);
