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

/**
 * Deepest nesting accepted in an event (objects and arrays, the envelope itself is level 1).
 * DefectDojo's deepest payload (`data.finding.test.engagement.product.product_type`) is 7 levels.
 * @default 32
 */
export const MAX_JSON_DEPTH = 32;

export interface JsonInspection {
  /** Each string (value or key) carrying U+0000 and each container nested too deep, by path. */
  readonly issues: ValidationIssue[];
  /** True when some container is nested deeper than allowed: walk the value no further. */
  readonly tooDeep: boolean;
}

/**
 * Walks a decoded JSON value without recursion (a 10 000-level array cannot overflow the stack
 * here) and reports, naming each field: nesting deeper than `maxDepth`, and U+0000 in any string
 * or key — PostgreSQL `text` and `jsonb` cannot store it (SQLSTATE 22021/22P05). Stops after
 * `maxIssues` issues.
 */
export function inspectJson(value: unknown, maxDepth: number = MAX_JSON_DEPTH, maxIssues = 20): JsonInspection {
  const issues: ValidationIssue[] = [];
  let tooDeep = false;
  const stack: Array<{ value: unknown; path: PropertyKey[] }> = [{ value, path: [] }];
  while (stack.length > 0 && issues.length < maxIssues) {
    const { value: current, path } = stack.pop()!;
    if (typeof current === 'string') {
      if (current.includes('\u0000')) {
        issues.push({
          path: formatPath(path),
          message: 'contains the NUL character (\\u0000), which cannot be stored',
          expected: 'text without \\u0000; remove or replace it',
        });
      }
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (path.length + 1 > maxDepth) {
      tooDeep = true;
      issues.push({
        path: formatPath(path),
        message: `is nested more than ${maxDepth} levels deep`,
        expected: `at most ${maxDepth} levels of nested objects and arrays; flatten the data`,
      });
      continue;
    }
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i], path: [...path, i] });
      continue;
    }
    const keys = Object.keys(current);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      if (key.includes('\u0000')) {
        issues.push({
          path: formatPath([...path, key.replaceAll('\u0000', '\\u0000')]),
          message: 'field name contains the NUL character (\\u0000), which cannot be stored',
          expected: 'field names without \\u0000',
        });
        continue;
      }
      stack.push({ value: (current as Record<string, unknown>)[key], path: [...path, key] });
    }
  }
  return { issues, tooDeep };
}
