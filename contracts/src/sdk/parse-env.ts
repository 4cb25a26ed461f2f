/**
 * Environment variables parsed once at start into a typed object by a schema. Blank values count
 * as unset. Every bad variable is reported in one `HeraldError('invalid_configuration')`, each with
 * its name, what is wrong and the value found — except for secrets, whose values never reach an
 * error message or a log.
 */
import type { z } from 'zod';
import { HeraldError, type ValidationIssue } from '../errors.js';

export interface ParseEnvOptions {
  /** What the variables configure, for the error's first line: `Invalid configuration of <subject>:`, e.g. "the mail plugin". */
  readonly subject: string;
  /** Variables whose values are never shown in the error (keys, tokens, URLs that may hold a password). @default none */
  readonly secrets?: readonly string[];
}

/** Parses `env` with `schema` (an object schema keyed by variable name); throws one error listing every problem. */
export function parseEnv<Schema extends z.ZodType>(
  schema: Schema,
  env: Readonly<Record<string, string | undefined>>,
  options: ParseEnvOptions,
): z.output<Schema> {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  const secrets = new Set(options.secrets ?? []);
  const issues: ValidationIssue[] = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '');
    const found = present[name];
    const shown = found === undefined || secrets.has(name) ? '' : ` (got "${found}")`;
    return { path: name, message: `${issue.message}${shown}` };
  });
  throw new HeraldError(
    'invalid_configuration',
    `Invalid configuration of ${options.subject}:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`,
    issues,
  );
}
