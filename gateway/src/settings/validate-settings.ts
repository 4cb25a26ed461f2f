/**
 * Validation of a settings body `{ "events": { "<column>": ["<channel>", …] } }` (SPEC §3.1, §7).
 * Pure: returns every problem found (never throws), each with a path such as
 * `events.scan_added[1]` and a message naming the offending value.
 */
import {
  BUILTIN_CHANNELS,
  EVENT_COLUMN_ALIASES,
  SYSTEM_ONLY_CHANNELS,
  toValidationIssues,
  type EventTypeDefinition,
  type ValidationIssue,
} from '@herald/contracts';
import { z } from 'zod';
import type { SettingsScope } from './settings-row.js';

/** The body shape; columns and channels are checked against the context afterwards. */
export const settingsBodySchema = z.strictObject({
  events: z.record(z.string(), z.array(z.string())),
});
export type SettingsBody = z.infer<typeof settingsBodySchema>;

export interface SettingsValidationContext {
  /** The row being written; `msteams` is accepted in `system` only, product rows take product-scoped columns only. */
  readonly scope: SettingsScope;
  /** The catalogue plus registered event types: the known columns. */
  readonly eventTypes: readonly EventTypeDefinition[];
  /** Channels known besides the built-in ones (registered or configured third-party channels). @default [] */
  readonly extraChannels?: readonly string[];
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

  for (const [column, list] of Object.entries(parsed.data.events)) {
    const path = `events.${column}`;
    const type = types.get(column);
    if (!type) {
      const alias = EVENT_COLUMN_ALIASES[column];
      issues.push(
        alias
          ? { path, message: `"${column}" has no column of its own: it is routed by "${alias}"; set "${alias}" instead` }
          : { path, message: `unknown event type "${column}"`, expected: `one of ${[...types.keys()].join(', ')}` },
      );
      continue;
    }
    if (context.scope === 'product' && !type.productScoped) {
      issues.push({ path, message: `"${column}" cannot be set per product: only ${productColumns.join(', ')} can be set per product` });
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
  return issues;
}
