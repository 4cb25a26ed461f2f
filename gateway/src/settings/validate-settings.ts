/**
 * Validation of a settings body `{ "events": { "<column>": ["<channel>", …] } }` (SPEC §3.1, §7).
 * Pure: returns every problem found (never throws), each with a path such as
 * `events.scan_added[1]` and a message naming the offending value.
 */
import {
  BUILTIN_CHANNELS,
  EVENT_COLUMN_ALIASES,
  SYSTEM_ONLY_CHANNELS,
  severitySchema,
  toValidationIssues,
  type EventTypeDefinition,
  type ValidationIssue,
} from '@herald/contracts';
import { z } from 'zod';
import type { SettingsScope } from './settings-row.js';

const nonEmptyList = (what: string, leaveOut: string) =>
  z
    .array(z.string({ error: `must be ${what} (a string)` }).min(1, { error: `must not be an empty ${what}` }), {
      error: `must be a list of ${what}s`,
    })
    .min(1, { error: `must not be empty: leave ${leaveOut} out to accept every event` })
    .max(100, { error: 'must list at most 100 entries' });

/**
 * A filter on one column (SPEC §3.6): every clause given must pass for the row's channels to count.
 * At least one clause; `null` instead of a filter removes the column's filter.
 */
export const columnFilterSchema = z.strictObject({
  /** Only events at least this severe (`data.severity`, else `data.finding.severity`); an event without severity does not pass. */
  min_severity: severitySchema.optional(),
  /** Only events whose product type id (from the event's scope, the directory first) is listed; an event without one does not pass. */
  product_types: nonEmptyList('product type id', 'product_types').optional(),
  /** Only events with at least one of these tags in `data.tags` (exact, case-sensitive match). */
  tags_any: nonEmptyList('tag', 'tags_any').optional(),
});

/** The body shape; columns, channels and product types are checked against the context afterwards. */
export const settingsBodySchema = z.strictObject({
  events: z.record(z.string(), z.array(z.string())),
  /** Column → filter, or `null` to remove it. PUT: columns left out have no filter; PATCH: columns left out keep theirs. */
  filters: z.record(z.string(), columnFilterSchema.nullable()).optional(),
});
export type SettingsBody = z.infer<typeof settingsBodySchema>;

export interface SettingsValidationContext {
  /** The row being written; `msteams` is accepted in `system` only, product rows take product-scoped columns only. */
  readonly scope: SettingsScope;
  /** The catalogue plus registered event types: the known columns. */
  readonly eventTypes: readonly EventTypeDefinition[];
  /** Channels known besides the built-in ones (registered or configured third-party channels). @default [] */
  readonly extraChannels?: readonly string[];
  /** Product type ids of the directory, at least those the body's filters name; `undefined` skips the check. */
  readonly productTypes?: ReadonlySet<string>;
}

/** Every product type id the body's filters name (for the caller to look up before validating). */
export function filterProductTypes(body: unknown): string[] {
  const parsed = settingsBodySchema.safeParse(body);
  if (!parsed.success) return [];
  return [...new Set(Object.values(parsed.data.filters ?? {}).flatMap((filter) => filter?.product_types ?? []))];
}

const SCOPE_NAMES: Record<SettingsScope, string> = {
  system: 'system settings',
  template: 'the settings template',
  personal: 'personal settings',
  product: 'product settings',
};

export function validateSettings(body: unknown, context: SettingsValidationContext): ValidationIssue[] {
  const parsed = settingsBodySchema.safeParse(body);
  if (!parsed.success) return toValidationIssues(parsed.error, body);

  const issues: ValidationIssue[] = [];
  const types = new Map(context.eventTypes.map((type) => [type.name, type]));
  const channels = [...new Set([...BUILTIN_CHANNELS, ...(context.extraChannels ?? [])])];
  const known = new Set(channels);
  const productColumns = context.eventTypes.filter((type) => type.productScoped).map((type) => type.name);
  const columnIssue = (path: string, column: string): ValidationIssue | undefined => {
    const type = types.get(column);
    if (!type) {
      const alias = EVENT_COLUMN_ALIASES[column];
      return alias
        ? { path, message: `"${column}" has no column of its own: it is routed by "${alias}"; set "${alias}" instead` }
        : { path, message: `unknown event type "${column}"`, expected: `one of ${[...types.keys()].join(', ')}` };
    }
    if (context.scope === 'product' && !type.productScoped) {
      return { path, message: `"${column}" cannot be set per product: only ${productColumns.join(', ')} can be set per product` };
    }
    return undefined;
  };

  for (const [column, list] of Object.entries(parsed.data.events)) {
    const path = `events.${column}`;
    const wrongColumn = columnIssue(path, column);
    if (wrongColumn !== undefined) {
      issues.push(wrongColumn);
      continue;
    }
    list.forEach((channel, index) => {
      const at = `${path}[${index}]`;
      if (!known.has(channel)) {
        issues.push({ path: at, message: `unknown channel "${channel}"`, expected: `one of ${channels.join(', ')}` });
      } else if (SYSTEM_ONLY_CHANNELS.has(channel) && context.scope !== 'system') {
        issues.push({ path: at, message: `"${channel}" can only be used in the system settings, not in ${SCOPE_NAMES[context.scope]}` });
      }
    });
  }
  for (const [column, filter] of Object.entries(parsed.data.filters ?? {})) {
    const path = `filters.${column}`;
    const wrongColumn = columnIssue(path, column);
    if (wrongColumn !== undefined) {
      issues.push(wrongColumn);
      continue;
    }
    if (filter === null) continue;
    if (filter.min_severity === undefined && filter.product_types === undefined && filter.tags_any === undefined) {
      issues.push({
        path,
        message: 'an empty filter: give at least one of min_severity, product_types, tags_any, or null to remove the filter',
      });
      continue;
    }
    const productTypes = context.productTypes;
    filter.product_types?.forEach((id, index) => {
      if (productTypes !== undefined && !productTypes.has(id)) {
        issues.push({
          path: `${path}.product_types[${index}]`,
          message: `unknown product type "${id}": create it first (PUT /api/v1/product-types/${id}) or use the id of an existing one`,
        });
      }
    });
  }
  return issues;
}
