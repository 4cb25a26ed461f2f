/**
 * Turns schema-library issues into Herald's `ValidationIssue`s: a dotted path, what is wrong, and
 * the expected form. The only place that knows zod's issue shape.
 */
import type { z } from 'zod';
import type { ValidationIssue } from './errors.js';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`;
  return typeof value;
}

/** `["data", "recipients", 1]` → `data.recipients[1]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** Maps zod issues to Herald issues; `input` is the value that was parsed (to say what was found). */
export function toValidationIssues(error: z.ZodError, input: unknown): ValidationIssue[] {
  return error.issues.map((issue) => {
    const path = formatPath(issue.path);
    const found = valueAt(input, issue.path);
    switch (issue.code) {
      case 'invalid_type': {
        const expected = typeof issue.expected === 'string' ? issue.expected : undefined;
        const custom = !issue.message.startsWith('Invalid input');
        const what = custom ? issue.message : `must be ${expected ?? 'another type'}`;
        const message = found === undefined ? `is required but missing; it ${what}` : `${what}, got ${describe(found)}`;
        return { path, message, ...(expected ? { expected } : {}) };
      }
      case 'unrecognized_keys':
        return {
          path: path === '' ? issue.keys.join(', ') : `${path}.${issue.keys.join(', ')}`,
          message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`,
          expected: 'only the documented fields',
        };
      default:
        return { path, message: issue.message };
    }
  });
}
