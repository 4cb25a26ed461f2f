/** Channels (SPEC §2.5, §7): built-in and registered channels, and their configuration. */
import { Body, Controller, Get, Inject, Param, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { JetStreamApiError } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { BUILTIN_CHANNELS, CHANNEL_NAME_PATTERN, pageSchema } from '@herald/contracts';
import { ChannelConfigDistributor, channelBuckets } from '../channel-config/channel-config-distributor.js';
import { ChannelConfigService } from '../channel-config/channel-config.service.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import { GATEWAY_CONFIG, NATS_CONNECTION } from '../config/tokens.js';
import { ApiError } from '../http/error.filter.js';
import { pageQuerySchema, paginate, parsePageQuery, positionKey } from '../http/pagination.js';
import { ChangeNotifier } from '../snapshot/change-notifier.js';
import { AdminOnly, AuthGuard } from './auth.guard.js';
import { found } from './not-found.js';
import { ApiDoc } from './api-doc.decorator.js';
import { channelConfigBodySchema, channelConfigResponse, channelNameSchema, channelResponse } from './responses.js';

/** A channel's live plugin instances, aggregated from the `herald_plugins` KV bucket. */
interface PluginRegistration {
  readonly name: string;
  /** Version announced by the most recent heartbeat. */
  readonly version: string | null;
  /** Live instances: keys `<channel>.<instance id>` that have not expired. */
  readonly instances: number;
  readonly last_heartbeat: string | null;
}

/** One instance's entry as the plugin SDK writes it (`PluginRegistrationEntry`). */
interface InstanceEntry {
  readonly name?: unknown;
  readonly version?: unknown;
  readonly last_heartbeat?: unknown;
}

@ApiTags('channels')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('channels')
export class ChannelsController {
  constructor(
    private readonly service: ChannelConfigService,
    private readonly distributor: ChannelConfigDistributor,
    private readonly notifier: ChangeNotifier,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** Per channel: live instance count, newest heartbeat and the version it announced. */
  private async registrations(): Promise<Map<string, PluginRegistration>> {
    const out = new Map<string, PluginRegistration>();
    const kv = await new Kvm(this.nc).open(channelBuckets(this.config.subjectPrefix).plugins);
    try {
      for await (const key of await kv.keys()) {
        const entry = await kv.get(key);
        if (entry?.operation !== 'PUT') continue;
        const value = entry.json<InstanceEntry>();
        const name = typeof value.name === 'string' ? value.name : (key.split('.')[0] ?? key);
        const heartbeat = typeof value.last_heartbeat === 'string' ? value.last_heartbeat : null;
        const version = typeof value.version === 'string' ? value.version : null;
        const seen = out.get(name);
        const newer = seen === undefined || (heartbeat !== null && (seen.last_heartbeat === null || heartbeat > seen.last_heartbeat));
        out.set(name, {
          name,
          version: newer ? version : (seen?.version ?? null),
          instances: (seen?.instances ?? 0) + 1,
          last_heartbeat: newer ? heartbeat : (seen?.last_heartbeat ?? null),
        });
      }
    } catch (error) {
      // No plugin has registered yet: the bucket does not exist.
      if (!(error instanceof JetStreamApiError && error.status === 404)) throw error;
    }
    return out;
  }

  @Get()
  @ApiDoc({
    summary: 'List channels: built-in, configured and registered, with their live plugin instances',
    query: pageQuerySchema,
    responses: { 200: pageSchema(channelResponse) },
  })
  async list(@Query() query: unknown) {
    const page = parsePageQuery(query);
    const configs = await this.service.listForApi();
    const registrations = await this.registrations();
    const names = [...new Set([...BUILTIN_CHANNELS, ...configs.map((c) => c.channel), ...registrations.keys()])];
    const builtin = new Set<string>(BUILTIN_CHANNELS);
    const items = names.map((name) => {
      const config = configs.find((c) => c.channel === name);
      const plugin = registrations.get(name) ?? null;
      return {
        name,
        builtin: builtin.has(name),
        enabled: name === 'alert' ? true : (config?.enabled ?? false),
        configured: config?.updated_at !== null && config?.updated_at !== undefined,
        plugin,
        live: plugin !== null,
      };
    });
    return paginate(items, (_item, index) => positionKey(index), page);
  }

  @Get(':channel/config')
  @ApiDoc({
    summary: "Get a channel's configuration (secret fields write-only)",
    params: { channel: channelNameSchema },
    responses: { 200: channelConfigResponse },
  })
  @AdminOnly()
  async get(@Param('channel') channel: string) {
    return found(await this.service.viewForApi(channel), `channel ${channel}`);
  }

  @Put(':channel/config')
  @ApiDoc({
    summary: "Replace a channel's configuration",
    params: { channel: channelNameSchema },
    body: channelConfigBodySchema,
    responses: { 200: channelConfigResponse },
  })
  @AdminOnly()
  async put(@Param('channel') channel: string, @Body() body: unknown) {
    if (!CHANNEL_NAME_PATTERN.test(channel)) {
      throw new ApiError(400, 'validation_failed', `Invalid channel name "${channel}"`, [
        { path: 'channel', message: 'must be lowercase letters, digits, "_" or "-", starting with a letter, at most 32 characters' },
      ]);
    }
    const view = await this.service.put(channel, body);
    await this.distributor.distribute(channel);
    await this.notifier.changed(`channel ${channel} configuration`);
    return view;
  }
}
