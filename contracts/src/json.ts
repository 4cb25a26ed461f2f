/**
 * Parses a JSON payload (UTF-8 bytes); `undefined` when it is not JSON. `reviver` as
 * `JSON.parse` takes it.
 */
export function decodeJson(data: Uint8Array, reviver?: (key: string, value: unknown) => unknown): unknown {
  try {
    return JSON.parse(Buffer.from(data).toString('utf8'), reviver) as unknown;
  } catch {
    return undefined;
  }
}
