/**
 * Channel configuration (SPEC §2.5): the "System Settings" of each channel, edited through the API,
 * stored with secrets sealed (AES-256-GCM, `SecretBox`), distributed to plugins still sealed.
 * Secrets are write-only: the API view shows `{ "configured": true }`, never the value, and a PUT
 * that omits a secret keeps the stored one.
 */
import {
  ALWAYS_ENABLED_CHANNELS,
  BUILTIN_CHANNELS,
  CHANNEL_NAME_PATTERN,
  HeraldError,
  formatIssues,
  toValidationIssues,
  type ValidationIssue,
} from '@herald/contracts';
import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import type { ChannelRecord } from '../routing/snapshot-input.js';
import { ChannelConfigRepository, type ChannelConfigRow } from './channel-config.repository.js';
import { CHANNEL_SETTINGS, type ChannelSettingsSpec } from './channel-settings.js';
import { SecretBox } from '@herald/contracts';
import { channelRecords, enabledOf } from './channel-records.js';
import { parseMailRecipients } from './system-destination.js';

/** A secret field as the API shows it. */
export interface SecretView {
  readonly configured: boolean;
}

/** `GET /channels/{channel}/config`. */
export interface ChannelConfigView {
  readonly channel: string;
  readonly enabled: boolean;
  /** Plain fields as stored (defaults when never saved); secret fields as `SecretView`. */
  readonly settings: Record<string, unknown>;
  /** `null` when never saved. */
  readonly updated_at: string | null;
}

/** What the `herald_channel_config` KV bucket carries; secret fields still sealed (`enc:v1:…`). */
export interface DistributedChannelConfig {
  readonly channel: string;
  readonly enabled: boolean;
  readonly settings: Record<string, unknown>;
  readonly updated_at: string;
}

const thirdPartySettings = z.record(z.string(), z.json());

@Injectable()
export class ChannelConfigService {
  constructor(
    private readonly repository: ChannelConfigRepository,
    private readonly box: SecretBox,
  ) {}

  /** The API view of one channel; `null` for a non-built-in channel that was never configured. */
  async viewForApi(channel: string): Promise<ChannelConfigView | null> {
    const row = await this.repository.get(channel);
    if (!row && !isBuiltin(channel)) return null;
    return view(channel, row);
  }

  /** API views of every built-in channel and every configured one. */
  async listForApi(): Promise<ChannelConfigView[]> {
    const rows = new Map((await this.repository.list()).map((row) => [row.channel, row]));
    const names = [...new Set<string>([...BUILTIN_CHANNELS, ...rows.keys()])];
    return names.map((name) => view(name, rows.get(name) ?? null));
  }

  /**
   * Replaces a channel's configuration from `{ enabled, settings }`; fields left out take their
   * defaults, secrets left out are kept. Throws `validation_failed` naming each bad field.
   */
  async put(channel: string, body: unknown): Promise<ChannelConfigView> {
    if (!CHANNEL_NAME_PATTERN.test(channel)) {
      throw invalid(channel, [{ path: 'channel', message: `"${channel}" is not a channel name`, expected: String(CHANNEL_NAME_PATTERN) }]);
    }
    const spec = CHANNEL_SETTINGS[channel];
    const schema = z.strictObject({ enabled: z.boolean(), settings: (spec?.schema ?? thirdPartySettings).default({}) });
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw invalid(channel, toValidationIssues(parsed.error, body));
    const { enabled } = parsed.data;
    const input = parsed.data.settings as Record<string, unknown>;
    if (spec?.alwaysEnabled && !enabled) {
      throw invalid(channel, [{ path: 'enabled', message: `the ${channel} channel is always enabled`, expected: 'true' }]);
    }
    const stored = await this.repository.get(channel);
    const settings = spec ? this.merge(channel, spec, input, stored?.settings ?? {}) : input;
    return view(channel, await this.repository.put(channel, enabled, settings));
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

  private merge(
    channel: string,
    spec: ChannelSettingsSpec,
    input: Record<string, unknown>,
    stored: Record<string, unknown>,
  ): Record<string, unknown> {
    const settings: Record<string, unknown> = { ...spec.defaults };
    for (const [field, value] of Object.entries(input)) {
      if (!spec.secrets.includes(field) && value !== undefined) settings[field] = value;
    }
    for (const field of spec.secrets) {
      const value = input[field];
      if (typeof value === 'string') settings[field] = this.box.seal(value, `${channel}.${field}`);
      else if (value !== null && SecretBox.isSealed(stored[field])) settings[field] = stored[field];
    }
    return settings;
  }
}

function isBuiltin(channel: string): boolean {
  return (BUILTIN_CHANNELS as readonly string[]).includes(channel);
}

function view(channel: string, row: ChannelConfigRow | null): ChannelConfigView {
  const spec = CHANNEL_SETTINGS[channel];
  const settings: Record<string, unknown> = { ...(spec?.defaults ?? {}), ...(row?.settings ?? {}) };
  for (const field of spec?.secrets ?? []) settings[field] = { configured: SecretBox.isSealed(settings[field]) } satisfies SecretView;
  return {
    channel,
    enabled: row ? enabledOf(channel, row) : ALWAYS_ENABLED_CHANNELS.has(channel),
    settings,
    updated_at: row?.updated_at ?? null,
  };
}

function invalid(channel: string, issues: ValidationIssue[]): HeraldError {
  return new HeraldError('validation_failed', `Invalid configuration for channel ${channel}: ${formatIssues(issues)}`, issues);
}
