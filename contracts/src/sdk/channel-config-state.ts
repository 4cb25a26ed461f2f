/**
 * Resolves a channel's effective configuration from its layers (SPEC §2.5). Pure: the KV record,
 * the plugin's own settings and the key come in, a state comes out.
 *
 * Invariants:
 * - Layers merge field by field: `base` < KV `settings` < `envConfig` (a field the plugin's own
 *   environment sets always wins; `undefined` fields do not count as set).
 * - Sealed KV values (`enc:v1:…`) are opened with the key and the AAD `<channel>.<field>`; a field
 *   that `envConfig` overrides is never opened, so it needs no key.
 * - The result is `ready` only when the merged settings pass the plugin's schema and the channel is
 *   enabled; otherwise the state says why, in the words a `dropped` status reports.
 * - Without a KV record the channel counts as enabled: the gateway only routes to enabled channels,
 *   and a plugin configured by its own environment works without one. `alert` is always enabled.
 */
import { z } from 'zod';
import { ALWAYS_ENABLED_CHANNELS } from '../channels.js';
import { formatIssues, type ValidationIssue } from '../errors.js';
import { SecretBox } from '../secrets/secret-box.js';
import { toValidationIssues } from '../validation.js';

/** What the gateway writes under the channel's key in `<prefix>_channel_config`. */
export const channelConfigRecordSchema = z.object({
  channel: z.string().optional(),
  enabled: z.boolean(),
  /** The channel's settings; secret fields sealed. */
  settings: z.record(z.string(), z.unknown()).default({}),
  updated_at: z.string().nullable().optional(),
});
export type ChannelConfigRecord = z.infer<typeof channelConfigRecordSchema>;

export type ChannelConfigState<Config> =
  /** Messages are sent with `config`. */
  | { readonly kind: 'ready'; readonly config: Config }
  /** Disabled in the channel configuration: messages are dropped with `reason`. */
  | { readonly kind: 'disabled'; readonly reason: string; readonly config: Config | null }
  /** No valid configuration: messages are dropped with `reason`. */
  | { readonly kind: 'unconfigured'; readonly reason: string; readonly issues: readonly ValidationIssue[] };

export interface ChannelConfigLayers<Config> {
  readonly channel: string;
  readonly schema: z.ZodType<Config>;
  /** Lowest layer, e.g. defaults given to `runPlugin` as `config`. */
  readonly base?: Partial<Config> | undefined;
  /** The KV entry's value as read (parsed JSON), `null` when the key is absent or deleted. */
  readonly record: unknown;
  /** Highest layer: settings from the plugin's own environment. */
  readonly envConfig?: Partial<Config> | undefined;
  /** Opens sealed values; `null` when no `HERALD_SECRET_KEY` was given. */
  readonly secretBox: SecretBox | null;
}

function definedFields(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

function unconfigured<Config>(channel: string, issues: readonly ValidationIssue[]): ChannelConfigState<Config> {
  return { kind: 'unconfigured', reason: `channel ${channel} is not configured: ${formatIssues(issues)}`, issues };
}

/** Computes the channel's state from its layers; never throws. */
export function resolveChannelConfig<Config>(layers: ChannelConfigLayers<Config>): ChannelConfigState<Config> {
  const { channel } = layers;
  const env = definedFields(layers.envConfig);
  let enabled = true;
  let stored: Record<string, unknown> = {};
  if (layers.record !== null && layers.record !== undefined) {
    const parsed = channelConfigRecordSchema.safeParse(layers.record);
    if (!parsed.success) {
      return unconfigured(
        channel,
        toValidationIssues(parsed.error, layers.record).map((i) => ({ ...i, path: i.path === '' ? 'record' : `record.${i.path}` })),
      );
    }
    enabled = parsed.data.enabled || ALWAYS_ENABLED_CHANNELS.has(channel);
    stored = { ...parsed.data.settings };
  }
  const issues: ValidationIssue[] = [];
  for (const [field, value] of Object.entries(stored)) {
    if (field in env || typeof value !== 'string' || !SecretBox.isSealed(value)) continue;
    const location = `${channel}.${field}`;
    try {
      // Without a key, `fromBase64(undefined)` throws the operator-facing "how to fix" message.
      const box = layers.secretBox ?? SecretBox.fromBase64(undefined);
      stored[field] = box.open(value, location);
    } catch (error) {
      issues.push({ path: field, message: `secret cannot be opened: ${error instanceof Error ? error.message : String(error)}` });
      delete stored[field];
    }
  }
  if (issues.length > 0) return unconfigured(channel, issues);
  const merged = { ...definedFields(layers.base), ...stored, ...env };
  const result = layers.schema.safeParse(merged);
  if (!result.success) return unconfigured(channel, toValidationIssues(result.error, merged));
  if (!enabled) return { kind: 'disabled', reason: `channel ${channel} is disabled`, config: result.data };
  return { kind: 'ready', config: result.data };
}
