/** Channels (SPEC §2.5, §7): built-in and registered channels, and their configuration. */
import { Body, Controller, Get, Param, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CHANNEL_NAME_PATTERN, pageSchema } from '@herald/contracts';
import { ChannelConfigDistributor } from '../channel-config/channel-config-distributor.js';
import { ChannelConfigService } from '../channel-config/channel-config.service.js';
import { ApiError } from '../http/error.filter.js';
import { pageQuerySchema, paginate, parsePageQuery, positionKey } from '../http/pagination.js';
import { ChangeNotifier } from '../snapshot/change-notifier.js';
import { AdminOnly, AuthGuard } from './auth.guard.js';
import { ApiDoc } from './api-doc.decorator.js';
import { channelConfigBodySchema, channelConfigResponse, channelNameSchema, channelResponse } from './responses.js';

@ApiTags('channels')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('channels')
export class ChannelsController {
  constructor(
    private readonly service: ChannelConfigService,
    private readonly distributor: ChannelConfigDistributor,
    private readonly notifier: ChangeNotifier,
  ) {}

  @Get()
  @ApiDoc({
    summary: 'List channels: built-in, configured and registered, with their live plugin instances',
    query: pageQuerySchema,
    responses: { 200: pageSchema(channelResponse) },
  })
  async list(@Query() query: unknown) {
    const page = parsePageQuery(query);
    return paginate(await this.service.overview(), (_item, index) => positionKey(index), page);
  }

  @Get(':channel/config')
  @ApiDoc({
    summary: "Get a channel's configuration (secret fields write-only)",
    params: { channel: channelNameSchema },
    responses: { 200: channelConfigResponse },
    errors: [409],
  })
  @AdminOnly()
  async get(@Param('channel') channel: string) {
    return this.service.viewForApi(channel);
  }

  @Put(':channel/config')
  @ApiDoc({
    summary: "Replace a channel's configuration",
    params: { channel: channelNameSchema },
    body: channelConfigBodySchema,
    responses: { 200: channelConfigResponse },
    errors: [409],
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
