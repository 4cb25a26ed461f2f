/**
 * Ajv validators for the documents the tests check (Compose file, AsyncAPI payloads), with error
 * messages that name the failing path, so a failed assertion says what is wrong where.
 */
import AjvModule from 'ajv';
import Ajv2019Module from 'ajv/dist/2019.js';
import addFormatsModule from 'ajv-formats';
import type { ErrorObject } from 'ajv';

// ajv and ajv-formats ship CommonJS whose `module.exports` is the export, with `.default` pointing at itself.
/** Draft-07 (AsyncAPI 3.0's Schema Object is a superset of it). */
export const Ajv = AjvModule.default;
export const Ajv2019 = Ajv2019Module.default;
/** Adds the standard `format`s (date-time, email, uri, …) to an Ajv instance. */
export const addFormats = addFormatsModule.default;

/** One line per error: `<instance path or "(root)"> <message> <params>`. */
export function describeErrors(errors: readonly ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`.trim());
}
