/**
 * What a plugin's registration declares about its channel configuration (SPEC §2.5, "the registry
 * is data"): the settings' JSON Schema (from its zod schema), its secret fields and its defaults.
 * The gateway validates, seals and serves a channel's configuration from this declaration alone,
 * for built-in and third-party channels alike; the test harness seals with the same function.
 *
 * Invariants: the declared schema refuses unknown top-level fields (SPEC §2.5 "Unknown fields →
 * 400"), so a typo in a PUT is an error rather than a setting silently ignored; `defaults` holds the
 * zod `.default()` of each non-secret top-level field; a secret never has a default.
 */
import { z } from 'zod';
import { SecretBox } from '../secrets/secret-box.js';

/** The configuration part of a registration entry, as the gateway reads it. */
export interface ChannelConfigDeclaration {
  /** JSON Schema (draft 2020-12) of the channel's settings object. */
  readonly config_schema: Record<string, unknown>;
  /** Top-level fields stored sealed (`enc:v1:…`) and never echoed by the API. */
  readonly secret_fields: readonly string[];
  /** Value of each non-secret field a configuration leaves out. */
  readonly defaults: Readonly<Record<string, unknown>>;
}

/** The parts of a plugin definition a declaration is built from. */
export interface ConfigDeclarationSource {
  readonly channel: string;
  readonly configSchema: z.ZodType;
  readonly secretFields?: readonly string[];
}

/** Thrown when a plugin's declaration cannot be built; `code` is stable. */
export class ConfigDeclarationError extends Error {
  readonly code = 'invalid_plugin_definition';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Builds the declaration from a plugin's `configSchema` and `secretFields`. Throws
 * `ConfigDeclarationError` when the schema is not an object schema zod can express as JSON Schema,
 * or when a secret field is not one of its properties: a mistake the author must see at start, not
 * a secret stored in plaintext.
 */
export function declareChannelConfig(source: ConfigDeclarationSource): ChannelConfigDeclaration {
  let schema: unknown;
  try {
    schema = z.toJSONSchema(source.configSchema, { io: 'input', unrepresentable: 'any' });
  } catch (error) {
    throw new ConfigDeclarationError(
      `The ${source.channel} plugin's configSchema cannot be expressed as JSON Schema (${(error as Error).message}); ` +
        'use plain zod object fields (refinements are fine, transforms of the whole object are not)',
    );
  }
  if (!isRecord(schema) || schema['type'] !== 'object' || !isRecord(schema['properties'])) {
    throw new ConfigDeclarationError(`The ${source.channel} plugin's configSchema must be a zod object (z.object({ … }))`);
  }
  const properties = schema['properties'];
  const secretFields = [...(source.secretFields ?? [])];
  for (const field of secretFields) {
    if (!(field in properties)) {
      throw new ConfigDeclarationError(
        `The ${source.channel} plugin declares secret field "${field}", which its configSchema does not have; ` +
          `fields: ${Object.keys(properties).join(', ') || 'none'}`,
      );
    }
  }
  const defaults: Record<string, unknown> = {};
  for (const [field, property] of Object.entries(properties)) {
    if (!secretFields.includes(field) && isRecord(property) && 'default' in property) defaults[field] = property['default'];
  }
  const { $schema: _draft, ...rest } = schema;
  return {
    config_schema: { $schema: 'https://json-schema.org/draft/2020-12/schema', ...rest, additionalProperties: false },
    secret_fields: secretFields,
    defaults,
  };
}

/**
 * Seals the declared secret fields of `settings` that hold plaintext (`SecretBox`, bound to
 * `<channel>.<field>`); values already sealed and every other field pass unchanged. The gateway
 * stores and distributes what this returns; the test harness writes the same.
 */
export function sealSecretFields(
  channel: string,
  settings: Readonly<Record<string, unknown>>,
  secretFields: readonly string[],
  box: SecretBox,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...settings };
  for (const field of secretFields) {
    const value = out[field];
    if (typeof value === 'string' && !SecretBox.isSealed(value)) out[field] = box.seal(value, `${channel}.${field}`);
  }
  return out;
}
