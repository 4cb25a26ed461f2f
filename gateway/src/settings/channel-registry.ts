/**
 * Port: channels known beyond the built-in ones (third-party plugins announced in the
 * `herald_plugins` KV bucket). Optional; without it, channels with a stored configuration count
 * as known. Provide it under `CHANNEL_REGISTRY`.
 */
export interface ChannelRegistry {
  /** Names of registered channels, e.g. `["discord"]`. */
  registeredChannels(): Promise<readonly string[]> | readonly string[];
}

/** Nest injection token for the optional `ChannelRegistry`. */
export const CHANNEL_REGISTRY = Symbol('herald.channel-registry');
