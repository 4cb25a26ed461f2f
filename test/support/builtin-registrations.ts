/**
 * The built-in channels' registrations, written as their plugins write them (`registerChannel`:
 * the entry `runPlugin` publishes), for tests that configure channels through the gateway API
 * without running the plugins. Each plugin's `…_CHANNEL` is what its own `definePlugin` spreads.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { registerChannel } from '@herald/contracts/testing';
import { ALERT_CHANNEL } from '@herald/plugin-alert';
import { MAIL_CHANNEL } from '@herald/plugin-mail';
import { MSTEAMS_CHANNEL } from '@herald/plugin-msteams';
import { SLACK_CHANNEL } from '@herald/plugin-slack';
import { WEBHOOKS_CHANNEL } from '@herald/plugin-webhooks';

export const BUILTIN_CHANNEL_SOURCES = [ALERT_CHANNEL, MAIL_CHANNEL, SLACK_CHANNEL, MSTEAMS_CHANNEL, WEBHOOKS_CHANNEL] as const;

/** Registers every built-in channel under `prefix`; `stop()` removes the entries. */
export async function registerBuiltinChannels(connection: NatsConnection, prefix: string): Promise<{ stop(): Promise<void> }> {
  const registrations = await Promise.all(BUILTIN_CHANNEL_SOURCES.map((source) => registerChannel(connection, prefix, source)));
  return { stop: async () => void (await Promise.all(registrations.map((registration) => registration.stop()))) };
}
