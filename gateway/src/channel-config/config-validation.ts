/**
 * Channel configuration against the schema its plugin registered (SPEC §2.5, "the registry is
 * data"): the same code for built-in and third-party channels. Pure apart from sealing.
 *
 * Rules of a `PUT /channels/{channel}/config` `settings` object:
 * - a plain field set → stored; left out → the stored value is kept (or the registered default
 *   applies when none is stored); `null` → the stored value is removed, the default applies again;
 * - a secret field set to a string → sealed (`enc:v1:…`); left out, or `{ "configured": … }` (the
 *   API's own view sent back) → the stored secret is kept; `null` → cleared;
 * - the result (defaults + stored + given) must satisfy the registered JSON Schema; a kept secret
 *   counts as present (it cannot be checked again: only its sealed form is stored);
 * - fields the schema does not have are refused.
 * Only what was set is stored (no defaults), so a newer plugin version's defaults take effect.
 */
import { SecretBox, sealSecretFields, type ChannelConfigDeclaration, type ValidationIssue } from '@herald/contracts';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';

// ajv and ajv-formats ship CommonJS whose `module.exports` is the export, with `.default` pointing at itself.
const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;

// Schemas come from plugins: unknown keywords (zod's own annotations) are ignored, not fatal.
const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: true });
addFormats(ajv);

/** Compiled validators by schema text: a registration is compiled once, not per request. */
const compiled = new Map<string, ValidateFunction>();

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The registered schema without secrets in `required`: a kept secret is checked by presence only. */
function validatorFor(declaration: ChannelConfigDeclaration): ValidateFunction {
  const schema = declaration.config_schema;
  const key = JSON.stringify([schema, declaration.secret_fields]);
  let validate = compiled.get(key);
  if (!validate) {
    const required = Array.isArray(schema['required']) ? (schema['required'] as unknown[]) : [];
    const { $schema: _draft, ...rest } = schema;
    validate = ajv.compile({ ...rest, required: required.filter((field) => !declaration.secret_fields.includes(String(field))) });
    compiled.set(key, validate);
  }
  return validate;
}

function propertiesOf(declaration: ChannelConfigDeclaration): Record<string, unknown> {
  const properties = declaration.config_schema['properties'];
  return isRecord(properties) ? properties : {};
}

function describedAs(declaration: ChannelConfigDeclaration, field: string): string | undefined {
  const property = propertiesOf(declaration)[field];
  if (!isRecord(property)) return undefined;
  if (typeof property['description'] === 'string') return property['description'];
  if (Array.isArray(property['enum'])) return `one of ${property['enum'].map((v) => JSON.stringify(v)).join(', ')}`;
  if (typeof property['type'] === 'string') return `a ${property['type']}`;
  return undefined;
}

function settingsPath(instancePath: string, field?: string): string {
  const segments = instancePath.split('/').filter((s) => s !== '');
  if (field !== undefined) segments.push(field);
  let out = 'settings';
  for (const segment of segments) out += /^\d+$/.test(segment) ? `[${segment}]` : `.${segment.replace(/~1/g, '/').replace(/~0/g, '~')}`;
  return out;
}

function toIssue(declaration: ChannelConfigDeclaration, error: ErrorObject): ValidationIssue {
  const params = error.params as Record<string, unknown>;
  const field = (error.instancePath.split('/')[1] ?? '') || undefined;
  if (error.keyword === 'additionalProperties' && error.instancePath === '') {
    const name = String(params['additionalProperty']);
    const known = Object.keys(propertiesOf(declaration));
    return {
      path: settingsPath('', name),
      message: `unknown field "${name}"`,
      expected: known.length === 0 ? 'no settings (this channel has none)' : `one of the fields ${known.join(', ')}`,
    };
  }
  if (error.keyword === 'required') {
    const name = String(params['missingProperty']);
    const expected = describedAs(declaration, name);
    return { path: settingsPath(error.instancePath, name), message: 'is required; set it', ...(expected ? { expected } : {}) };
  }
  const message =
    error.keyword === 'pattern'
      ? 'does not have the expected form'
      : error.keyword === 'format'
        ? `must be a valid ${String(params['format'])}`
        : (error.message ?? 'is invalid');
  const expected = field === undefined ? undefined : describedAs(declaration, field);
  return { path: settingsPath(error.instancePath), message, ...(expected ? { expected } : {}) };
}

/** Issues of `config` against the declaration, secrets already counted by the caller. */
function schemaIssues(declaration: ChannelConfigDeclaration, config: Record<string, unknown>): ValidationIssue[] {
  const validate = validatorFor(declaration);
  if (validate(config)) return [];
  return (validate.errors ?? []).map((error) => toIssue(declaration, error));
}

function requiredSecrets(declaration: ChannelConfigDeclaration): string[] {
  const required = Array.isArray(declaration.config_schema['required']) ? (declaration.config_schema['required'] as unknown[]) : [];
  return declaration.secret_fields.filter((field) => required.includes(field));
}

function plainOf(declaration: ChannelConfigDeclaration, settings: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(settings).filter(([field]) => !declaration.secret_fields.includes(field)));
}

const SECRET_EXPECTED = 'a string to set the secret, null to clear it, or { "configured": true } (or leave it out) to keep it';

function isSecretView(value: unknown): boolean {
  return isRecord(value) && Object.keys(value).length === 1 && typeof value['configured'] === 'boolean';
}

export type MergeResult =
  { readonly ok: true; readonly settings: Record<string, unknown> } | { readonly ok: false; readonly issues: ValidationIssue[] };

/**
 * Applies a PUT's `settings` to the stored ones (rules in the header). Returns what to store
 * (new secrets sealed with `box`), or every issue, each naming its field.
 */
export function mergeSettings(
  channel: string,
  declaration: ChannelConfigDeclaration,
  input: Readonly<Record<string, unknown>>,
  stored: Readonly<Record<string, unknown>>,
  box: SecretBox,
): MergeResult {
  const issues: ValidationIssue[] = [];
  const next: Record<string, unknown> = plainOf(declaration, stored);
  const given: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(input)) {
    if (declaration.secret_fields.includes(field) || value === undefined) continue;
    if (value === null) delete next[field];
    else next[field] = value;
  }
  const present = new Set<string>();
  for (const field of declaration.secret_fields) {
    const value = input[field];
    if (typeof value === 'string') {
      given[field] = value;
      present.add(field);
    } else if (value === undefined || isSecretView(value)) {
      if (SecretBox.isSealed(stored[field])) {
        next[field] = stored[field];
        present.add(field);
      }
    } else if (value !== null) {
      issues.push({ path: `settings.${field}`, message: 'is a secret and cannot take this value', expected: SECRET_EXPECTED });
    }
  }
  const candidate = { ...declaration.defaults, ...plainOf(declaration, next), ...given };
  issues.push(...schemaIssues(declaration, candidate));
  for (const field of requiredSecrets(declaration)) {
    if (!present.has(field))
      issues.push({
        path: `settings.${field}`,
        message: 'is required; set it',
        expected: 'a string (a secret: stored sealed, never shown)',
      });
  }
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, settings: sealSecretFields(channel, { ...next, ...given }, declaration.secret_fields, box) };
}

/** Whether stored settings (secrets sealed) still satisfy the declaration, e.g. after a plugin upgrade; `[]` when they do. */
export function storedSettingsIssues(declaration: ChannelConfigDeclaration, stored: Readonly<Record<string, unknown>>): ValidationIssue[] {
  const issues = schemaIssues(declaration, { ...declaration.defaults, ...plainOf(declaration, stored) });
  for (const field of requiredSecrets(declaration)) {
    if (!SecretBox.isSealed(stored[field]))
      issues.push({
        path: `settings.${field}`,
        message: 'is required; set it',
        expected: 'a string (a secret: stored sealed, never shown)',
      });
  }
  return issues;
}

/** The API view of settings: defaults, then stored plain fields; each declared secret as `{ configured }`. */
export function settingsView(declaration: ChannelConfigDeclaration, stored: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const view: Record<string, unknown> = { ...declaration.defaults, ...plainOf(declaration, stored) };
  for (const field of declaration.secret_fields) view[field] = { configured: SecretBox.isSealed(stored[field]) };
  return view;
}
