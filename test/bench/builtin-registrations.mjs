// The built-in channels' registrations, written as their plugins write them (`registerChannel`),
// so a benchmark can configure channels through the API before it starts the plugin processes
// (the gateway answers 409 channel_not_registered for a channel never registered). Needs `dist/`.
import { registerChannel } from '@herald/contracts/testing';
import { ALERT_CHANNEL } from '@herald/plugin-alert';
import { MAIL_CHANNEL } from '@herald/plugin-mail';
import { MSTEAMS_CHANNEL } from '@herald/plugin-msteams';
import { SLACK_CHANNEL } from '@herald/plugin-slack';
import { WEBHOOKS_CHANNEL } from '@herald/plugin-webhooks';

/** Registers every built-in channel under `prefix`; `stop()` removes the entries. */
export async function registerBuiltinChannels(nc, prefix) {
  const sources = [ALERT_CHANNEL, MAIL_CHANNEL, SLACK_CHANNEL, MSTEAMS_CHANNEL, WEBHOOKS_CHANNEL];
  const registrations = await Promise.all(sources.map((source) => registerChannel(nc, prefix, source, `bench-${source.channel}`)));
  return { stop: () => Promise.all(registrations.map((registration) => registration.stop())) };
}
