/**
 * Ajv validators for the documents the tests check (Compose file, AsyncAPI payloads), with error
 * messages that name the failing path, so a failed assertion says what is wrong where.
 */
import Ajv2019Module from 'ajv/dist/2019.js';
import Ajv2020Module from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv';

// ajv ships CommonJS whose `module.exports` is the class, with `.default` pointing at itself.
export const Ajv2019 = Ajv2019Module.default;
export const Ajv2020 = Ajv2020Module.default;

/** One line per error: `<instance path or "(root)"> <message> <params>`. */
export function describeErrors(errors: readonly ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`.trim());
}
