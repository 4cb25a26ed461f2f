/**
 * A channel's registration without running its plugin, for tests of the gateway's channel
 * configuration API: the same entry, built by the same code (`declareChannelConfig`,
 * `PluginRegistration`), that `runPlugin` writes to `<prefix>_plugins` and refreshes every 5 s.
 * `stop()` removes it, as a plugin's graceful stop does.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { SINGLE_REPLICA } from '../jetstream/stream-storage.js';
import { silentLogger } from '../logger.js';
import { pluginBuckets } from '../sdk/buckets.js';
import { declareChannelConfig, type ConfigDeclarationSource } from '../sdk/config-registration.js';
import { defaultInstanceId, PluginRegistration } from '../sdk/plugin-registration.js';

/** What is registered: a plugin definition, or the `…_CHANNEL` part of one. */
export interface RegisteredChannelSource extends ConfigDeclarationSource {
  readonly version: string;
}

/** Registers `source`'s channel under `prefix` (one instance); resolves once the entry is written. */
export async function registerChannel(
  connection: NatsConnection,
  prefix: string,
  source: RegisteredChannelSource,
  instanceId: string = defaultInstanceId(),
): Promise<PluginRegistration> {
  return PluginRegistration.start({
    connection,
    bucket: pluginBuckets(prefix).plugins,
    storage: SINGLE_REPLICA,
    channel: source.channel,
    version: source.version,
    instanceId,
    declaration: declareChannelConfig(source),
    logger: silentLogger,
  });
}
