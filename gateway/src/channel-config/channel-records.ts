/**
 * Pure: stored channel rows → routing's `ChannelRecord`s. Every built-in channel is present
 * (unconfigured ones disabled, except `alert`, which is always enabled), followed by configured
 * third-party channels.
 */
import { ALWAYS_ENABLED_CHANNELS, BUILTIN_CHANNELS } from '@herald/contracts';
import type { ChannelRecord } from '../routing/snapshot-input.js';
import { hasSystemDestination } from './system-destination.js';

/** The parts of a stored row this needs. */
export interface StoredChannelRow {
  readonly channel: string;
  readonly enabled: boolean;
  readonly settings: Readonly<Record<string, unknown>>;
}

/** A stored row's effective enabled flag (`alert` cannot be off). */
export function enabledOf(channel: string, row: Pick<StoredChannelRow, 'enabled'>): boolean {
  return ALWAYS_ENABLED_CHANNELS.has(channel) || row.enabled;
}

export function channelRecords(rows: readonly StoredChannelRow[]): ChannelRecord[] {
  const byName = new Map(rows.map((row) => [row.channel, row]));
  const names = [...new Set<string>([...BUILTIN_CHANNELS, ...byName.keys()])];
  return names.map((name) => {
    const row = byName.get(name);
    return {
      name,
      enabled: row ? enabledOf(name, row) : ALWAYS_ENABLED_CHANNELS.has(name),
      has_system_destination: hasSystemDestination(name, row?.settings ?? {}),
    };
  });
}
