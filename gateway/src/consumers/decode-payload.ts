/** The gateway consumers' decoder of their own records (plain JSON payloads: `decodeJson` in `@herald/contracts`). */
/**
 * Parses one of Herald's own records (a status report, a dead letter) so PostgreSQL can store it:
 * U+0000 in a string or key — from a remote error message, say — becomes U+FFFD. `undefined` when
 * it is not JSON.
 */
export function decodeStorableJson(data: Uint8Array): unknown {
  const clean = (text: string): string => text.replaceAll('\u0000', '\ufffd');
  try {
    return JSON.parse(Buffer.from(data).toString('utf8'), (_key, value: unknown) => {
      if (typeof value === 'string') return clean(value);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
      const keys = Object.keys(value);
      if (!keys.some((key) => key.includes('\u0000'))) return value;
      return Object.fromEntries(keys.map((key) => [clean(key), (value as Record<string, unknown>)[key]]));
    });
  } catch {
    return undefined;
  }
}
