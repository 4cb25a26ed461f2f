/**
 * Channel configuration (SPEC §2.5): the "System Settings" of each channel, edited through the API,
 * validated against the schema the channel's plugin registered (`ChannelRegistry`), stored with the
 * registered secret fields sealed (AES-256-GCM, `SecretBox`), distributed to plugins still sealed.
 * Built-in and third-party channels take exactly this path; nothing about a channel's settings is
 * known here beyond its registration. Merge rules (what a PUT keeps, clears, defaults) are in
 * `config-validation.ts`.
 *
 * A channel no plugin ever registered cannot be configured: 409 `channel_not_registered` (start
 * the plugin once; its last registration is remembered, so it may be down afterwards).
 */
import {
  ALWAYS_ENABLED_CHANNELS,
  BUILTIN_CHANNELS,
  CHANNEL_NAME_PATTERN,
  HeraldError,
  SecretBox,
  formatIssues,
  toValidationIssues,
  z,
  type ValidationIssue,
} from '@herald/contracts';
import { Injectable } from '@nestjs/common';
import { ApiError } from '../http/error.filter.js';
import type { ChannelRecord } from '../routing/snapshot-input.js';
import { ChannelConfigRepository, type ChannelConfigRow } from './channel-config.repository.js';
import { channelRecords, enabledOf } from './channel-records.js';
import { ChannelRegistry, type ChannelRegistration, type LiveChannel } from './channel-registry.js';
import { mergeSettings, settingsView, storedSettingsIssues } from './config-validation.js';
import { parseMailRecipients } from './system-destination.js';

/** A secret field as the API shows it. */
export interface SecretView {
  readonly configured: boolean;
}

/** `GET /channels/{channel}/config`. */
export interface ChannelConfigView {
  readonly channel: string;
  readonly enabled: boolean;
  /** Whether a configuration was ever saved (`false`: the registered defaults are shown). */
  readonly configured: boolean;
  /** Registered defaults, then stored plain fields; secret fields as `SecretView`. */
  readonly settings: Record<string, unknown>;
  /** `null` when never saved. */
  readonly updated_at: string | null;
}

/** One entry of `GET /channels`. */
export interface ChannelOverview {
  readonly name: string;
  readonly builtin: boolean;
  readonly enabled: boolean;
  /** Saved and valid against the registered schema. */
  readonly configured: boolean;
  /** `false` when the saved configuration no longer satisfies the registered schema (e.g. after a plugin upgrade); `null` when nothing can be judged. */
  readonly config_valid: boolean | null;
  /** What is wrong with the saved configuration, each naming its field; empty when valid. */
  readonly config_errors: readonly ValidationIssue[];
  /** A plugin registration was ever seen (live or remembered). */
  readonly registered: boolean;
  /** Version of the registration the configuration is validated against. */
  readonly registered_version: string | null;
  /** The configuration JSON Schema the plugin registered (what a configuration form is generated from); `null` when never registered. */
  readonly config_schema: Readonly<Record<string, unknown>> | null;
  /** The registered secret fields: write-only, answered as `{ "configured": true|false }`. */
  readonly secret_fields: readonly string[];
  readonly plugin: LiveChannel | null;
  readonly live: boolean;
}

/** What the `herald_channel_config` KV bucket carries; secret fields still sealed (`enc:v1:…`). */
export interface DistributedChannelConfig {
  readonly channel: string;
  readonly enabled: boolean;
  readonly settings: Record<string, unknown>;
  readonly updated_at: string;
}

const putBody = z.strictObject({
  enabled: z.boolean({ error: 'must be true or false' }),
  settings: z.record(z.string(), z.unknown(), { error: "must be an object of the channel's settings" }).default({}),
});

@Injectable()
export class ChannelConfigService {
  constructor(
    private readonly repository: ChannelConfigRepository,
    private readonly box: SecretBox,
    private readonly registry: ChannelRegistry,
  ) {}

  /** The API view of one channel; throws 409 `channel_not_registered` for a channel never registered nor saved. */
  async viewForApi(channel: string): Promise<ChannelConfigView> {
    if (!CHANNEL_NAME_PATTERN.test(channel)) throw badName(channel);
    const [registration, row] = await Promise.all([this.registry.get(channel), this.repository.get(channel)]);
    if (registration === null && row === null) throw notRegistered(channel);
    return view(channel, registration, row);
  }

  /** Every built-in, registered or configured channel, with its live state and whether its saved configuration is valid. */
  async overview(): Promise<ChannelOverview[]> {
    const [{ registrations, live }, rows] = await Promise.all([this.registry.list(), this.repository.list()]);
    const byName = new Map(rows.map((row) => [row.channel, row]));
    const builtin = new Set<string>(BUILTIN_CHANNELS);
    const names = [...new Set<string>([...BUILTIN_CHANNELS, ...byName.keys(), ...registrations.keys(), ...live.keys()])];
    return names.map((name) => {
      const row = byName.get(name) ?? null;
      const registration = registrations.get(name) ?? null;
      const errors = row && registration ? storedSettingsIssues(registration, row.settings) : [];
      const plugin = live.get(name) ?? null;
      return {
        name,
        builtin: builtin.has(name),
        enabled: row ? enabledOf(name, row) : ALWAYS_ENABLED_CHANNELS.has(name),
        configured: row !== null && registration !== null && errors.length === 0,
        config_valid: row && registration ? errors.length === 0 : null,
        config_errors: errors,
        registered: registration !== null,
        registered_version: registration?.version ?? null,
        config_schema: registration?.config_schema ?? null,
        secret_fields: registration ? [...registration.secret_fields] : [],
        plugin,
        live: plugin !== null,
      };
    });
  }

  /**
   * Applies `{ enabled, settings }` to the stored configuration (rules in `config-validation.ts`).
   * Throws `validation_failed` naming each bad field, 409 `channel_not_registered` when no plugin
   * of the channel ever registered.
   */
  async put(channel: string, body: unknown): Promise<ChannelConfigView> {
    if (!CHANNEL_NAME_PATTERN.test(channel)) throw badName(channel);
    const parsed = putBody.safeParse(body);
    if (!parsed.success) throw invalid(channel, toValidationIssues(parsed.error, body));
    const { enabled, settings: input } = parsed.data;
    if (ALWAYS_ENABLED_CHANNELS.has(channel) && !enabled) {
      throw invalid(channel, [{ path: 'enabled', message: `the ${channel} channel is always enabled`, expected: 'true' }]);
    }
    const registration = await this.registry.get(channel);
    if (registration === null) throw notRegistered(channel);
    const stored = await this.repository.get(channel);
    const merged = mergeSettings(channel, registration, input, stored?.settings ?? {}, this.box);
    if (!merged.ok) throw invalid(channel, merged.issues);
    return view(channel, registration, await this.repository.put(channel, enabled, merged.settings));
  }

  /** What plugins receive through the KV bucket; `null` when the channel was never configured. */
  async storedForDistribution(channel: string): Promise<DistributedChannelConfig | null> {
    const row = await this.repository.get(channel);
    if (!row) return null;
    return { channel, enabled: enabledOf(channel, row), settings: { ...row.settings }, updated_at: row.updated_at };
  }

  /** Lower-cased addresses of the mail channel's `mail_notifications_to`. */
  async systemMailRecipients(): Promise<string[]> {
    const row = await this.repository.get('mail');
    return parseMailRecipients(row?.settings['mail_notifications_to']);
  }

  /** Every built-in and configured channel, as routing sees it. */
  async channelRecords(): Promise<ChannelRecord[]> {
    return channelRecords(await this.repository.list());
  }
}

function view(channel: string, registration: ChannelRegistration | null, row: ChannelConfigRow | null): ChannelConfigView {
  const stored = row?.settings ?? {};
  // Without a registration (a configuration saved before registrations were kept): nothing sealed is shown.
  const settings = registration
    ? settingsView(registration, stored)
    : Object.fromEntries(
        Object.entries(stored).map(([field, value]) => [
          field,
          SecretBox.isSealed(value) ? ({ configured: true } satisfies SecretView) : value,
        ]),
      );
  return {
    channel,
    enabled: row ? enabledOf(channel, row) : ALWAYS_ENABLED_CHANNELS.has(channel),
    configured: row !== null,
    settings,
    updated_at: row?.updated_at ?? null,
  };
}

function notRegistered(channel: string): ApiError {
  return new ApiError(
    409,
    'channel_not_registered',
    `No plugin of channel ${channel} has registered yet, so its configuration schema is unknown; start the ${channel} plugin once (it registers within seconds), then retry`,
    [{ path: 'channel', message: `channel ${channel} was never registered`, expected: 'a channel whose plugin has run at least once' }],
  );
}

function badName(channel: string): HeraldError {
  return invalid(channel, [
    {
      path: 'channel',
      message: `"${channel}" is not a channel name`,
      expected: 'lowercase letters, digits, "_" or "-", starting with a letter, at most 32 characters',
    },
  ]);
}

function invalid(channel: string, issues: ValidationIssue[]): HeraldError {
  return new HeraldError('validation_failed', `Invalid configuration for channel ${channel}: ${formatIssues(issues)}`, issues);
}
