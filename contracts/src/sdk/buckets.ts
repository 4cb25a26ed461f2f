/**
 * NATS KV bucket names of the plugin SDK, derived from the subject prefix like stream names are
 * (dots and dashes become `_`): prefix `herald` → `herald_channel_config`, `herald_plugins`,
 * `herald_deliveries_<channel>`. A test prefix `t_ab12` gets its own buckets, and
 * `deleteTopology` removes them with the prefix's streams.
 */
import { DEFAULT_SUBJECT_PREFIX } from '../subjects.js';

export interface PluginBuckets {
  /** Channel configuration written by the gateway, one key per channel. */
  readonly config: string;
  /** Plugin registrations, one key per running instance (`<channel>.<instance id>`). */
  readonly plugins: string;
  /** Final outcomes of one channel's deliveries, keyed by delivery id (idempotency). */
  deliveries(channel: string): string;
}

/** Bucket names for a subject prefix. */
export function pluginBuckets(prefix: string = DEFAULT_SUBJECT_PREFIX): PluginBuckets {
  const base = prefix.replace(/[.-]/g, '_');
  return {
    config: `${base}_channel_config`,
    plugins: `${base}_plugins`,
    deliveries: (channel) => `${base}_deliveries_${channel.replace(/[.-]/g, '_')}`,
  };
}
