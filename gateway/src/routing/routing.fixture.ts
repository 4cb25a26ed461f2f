/**
 * Builders for routing tests: a small directory, settings rows and events, all deep-frozen so a
 * test fails loudly if routing writes into its input.
 */
import { BUILTIN_CHANNELS, EVENT_CATALOGUE, destinationKey, type EventData, type HeraldEvent } from '@herald/contracts';
import fc from 'fast-check';
import type { RouteResult } from './route.js';
import type { EventChannels, SnapshotInput, UserRecord } from './snapshot-input.js';

export const EVENT_ID = 'evt-1';
export const SITE_URL = 'https://herald.example';
/** The instant routing tests route at (a Monday, 10:00 UTC). */
export const NOW = new Date('2026-11-23T10:00:00Z');

export function userRecord(id: string, username: string, overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    id,
    username,
    email: `${username}@example.com`,
    full_name: `${username.charAt(0).toUpperCase()}${username.slice(1)} Example`,
    active: true,
    superuser: false,
    global_role: null,
    slack_email: null,
    ...overrides,
  };
}

/** A row with every catalogue column empty except those given. */
export function row(columns: Readonly<Record<string, readonly string[]>> = {}): EventChannels {
  return { ...Object.fromEntries(EVENT_CATALOGUE.map((type) => [type.name, [] as readonly string[]])), ...columns };
}

/** Every built-in channel enabled, each with a system destination. */
export const ALL_CHANNELS_ON: SnapshotInput['channels'] = BUILTIN_CHANNELS.map((name) => ({
  name,
  enabled: true,
  has_system_destination: true,
}));

export function snapshotInput(overrides: Partial<SnapshotInput> = {}): SnapshotInput {
  return deepFreeze({
    users: [],
    productTypes: [],
    products: [],
    productMembers: [],
    productTypeMembers: [],
    eventTypes: EVENT_CATALOGUE,
    system: row(),
    personal: [],
    productSettings: [],
    channels: ALL_CHANNELS_ON,
    systemMailRecipients: [],
    systemLevelTrump: ['user_mentioned', 'review_requested'],
    ...overrides,
  });
}

export function heraldEvent(type: string, data: Partial<EventData> = {}): HeraldEvent {
  return deepFreeze({
    specversion: '1.0',
    id: EVENT_ID,
    source: 'test',
    type,
    time: '2026-11-23T10:00:00Z',
    data: { title: type, description: `Event ${type} has occurred.`, ...data },
  });
}

/** `<channel>:<destination key>` of every delivery, sorted: an exact, order-free picture of a result. */
export function planned(result: RouteResult): string[] {
  return result.deliveries.map((delivery) => `${delivery.channel}:${destinationKey(delivery.destination)}`).sort();
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * The seed of this run's property specs: `HERALD_PROPERTY_SEED` when set (an integer: a failed run
 * printed it, and it replays that run's cases and shrinking exactly), else a new one every run, so
 * runs keep exploring. Anything but an integer is refused.
 */
export const PROPERTY_SEED = propertySeed(process.env['HERALD_PROPERTY_SEED']);

function propertySeed(value: string | undefined): number {
  if (value === undefined || value === '') return Math.floor(Math.random() * 0x7fffffff);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value)))
    throw new Error(`HERALD_PROPERTY_SEED must be an integer (the seed a failed property run printed), got ${JSON.stringify(value)}`);
  return Number(value);
}

/** `fc.assert` with this run's seed (or `seed`); a failure says which seed replays it. */
export function assertProperty<T>(property: fc.IProperty<T>, numRuns: number, seed = PROPERTY_SEED): void {
  try {
    fc.assert(property, { seed, numRuns });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`property failed with seed ${seed}: replay with HERALD_PROPERTY_SEED=${seed}\n${message}`, { cause: error });
  }
}
