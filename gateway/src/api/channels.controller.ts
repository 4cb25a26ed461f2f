/** Channels (SPEC §2.5, §7): built-in and registered channels, and their configuration. */
import { Body, Controller, Get, Param, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CHANNEL_NAME_PATTERN } from '@herald/contracts';
import { ChannelConfigDistributor } from '../channel-config/channel-config-distributor.js';
import { ChannelConfigService } from '../channel-config/channel-config.service.js';
import { ApiError } from '../http/error.filter.js';
import { paginate, parsePageQuery, positionKey } from '../http/pagination.js';
import { ChangeNotifier } from '../snapshot/change-notifier.js';
import { AdminOnly, AuthGuard } from './auth.guard.js';

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
  async list(@Query() query: unknown) {
    const page = parsePageQuery(query);
    return paginate(await this.service.overview(), (_item, index) => positionKey(index), page);
  }

  @Get(':channel/config')
  @AdminOnly()
  async get(@Param('channel') channel: string) {
    return this.service.viewForApi(channel);
  }

  @Put(':channel/config')
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
