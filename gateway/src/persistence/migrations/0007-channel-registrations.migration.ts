/**
 * The last registration the gateway saw of each channel (SPEC §2.5): its configuration schema,
 * secret fields, defaults and version. Registrations live in the `herald_plugins` KV bucket and
 * expire without heartbeats; this copy lets an operator read and edit a channel's configuration
 * while its plugin is briefly down.
 */
import { Migration } from '@mikro-orm/migrations';

export class Migration0007ChannelRegistrations extends Migration {
  override name = '0007-channel-registrations';

  override up(): void {
    this.addSql(`create table gateway.channel_registrations (
      channel text primary key,
      version text not null,
      config_schema jsonb not null,
      secret_fields jsonb not null default '[]'::jsonb,
      defaults jsonb not null default '{}'::jsonb,
      seen_at timestamptz not null default now()
    )`);
  }
}
