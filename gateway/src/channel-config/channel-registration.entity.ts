/** The last registration seen of a channel (SPEC §2.5): what its configuration looks like. */
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const ChannelRegistrationEntity = defineEntity({
  name: 'ChannelRegistration',
  tableName: 'channel_registrations',
  properties: {
    channel: p.string().primary(),
    version: p.string(),
    config_schema: p.json<Record<string, unknown>>(),
    secret_fields: p.json<string[]>(),
    defaults: p.json<Record<string, unknown>>(),
    seen_at: p.datetime(),
  },
});
export type ChannelRegistrationEntity = InferEntity<typeof ChannelRegistrationEntity>;
