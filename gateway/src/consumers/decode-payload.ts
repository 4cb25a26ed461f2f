import { decodeJson } from '@herald/contracts';

const clean = (text: string): string => text.replaceAll('\u0000', '\ufffd');

/** Each string and key as PostgreSQL's jsonb can store it (U+0000 becomes U+FFFD). */
function storable(_key: string, value: unknown): unknown {
  if (typeof value === 'string') return clean(value);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  if (!keys.some((key) => key.includes('\u0000'))) return value;
  return Object.fromEntries(keys.map((key) => [clean(key), (value as Record<string, unknown>)[key]]));
}

/**
 * Parses one of Herald's own records (a status report, a dead letter) so PostgreSQL can store it:
 * U+0000 in a string or key — from a remote error message, say — becomes U+FFFD. `undefined` when
 * it is not JSON.
 */
export function decodeStorableJson(data: Uint8Array): unknown {
  return decodeJson(data, storable);
}
