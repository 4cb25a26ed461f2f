/**
 * A channel's system settings (SPEC §2.5). Secret fields inside `settings` are stored sealed by
 * `SecretBox` (AES-256-GCM); nothing in this table is ever a plaintext secret.
 */
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const ChannelConfigEntity = defineEntity({
  name: 'ChannelConfig',
  tableName: 'channel_config',
  properties: {
    channel: p.string().primary(),
    enabled: p.boolean(),
    settings: p.json<Record<string, unknown>>(),
    updated_at: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type ChannelConfigEntity = InferEntity<typeof ChannelConfigEntity>;
