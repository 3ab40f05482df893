/**
 * Opaque tokens handed to clients (the feed, search and list cursors): base64url of UTF-8
 * JSON, read back through a schema. Anything that is not one of ours decodes to null.
 */
import * as v from 'valibot';

export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

export function encodeOpaque(value: unknown): string {
  return base64url(new TextEncoder().encode(JSON.stringify(value)));
}

/** The value of a token, or null for anything longer than `maxLength`, malformed, or not matching `schema`. */
export function decodeOpaque<S extends v.GenericSchema>(
  text: string,
  schema: S,
  maxLength = 512,
): v.InferOutput<S> | null {
  if (text.length === 0 || text.length > maxLength || !/^[A-Za-z0-9_-]+$/.test(text)) return null;
  try {
    const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
    const json: unknown = JSON.parse(
      new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(
        Uint8Array.from(binary, (c) => c.charCodeAt(0)),
      ),
    );
    const parsed = v.safeParse(schema, json);
    return parsed.success ? parsed.output : null;
  } catch {
    return null;
  }
}
