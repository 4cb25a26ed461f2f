/** Liveness (the process answers) and readiness (NATS connected and streams provisioned, PostgreSQL answers). */
import { Controller, Get, HttpCode, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { MikroORM } from '@mikro-orm/postgresql';
import { EXTRA_READINESS } from '../config/tokens.js';
import { MessagingService } from '../messaging/messaging.service.js';
import { GatewayWarmUp } from './warm-up.js';
import { ApiDoc } from '../api/api-doc.decorator.js';
import { healthResponse, readinessResponse } from '../api/responses.js';

const DATABASE_CHECK_TIMEOUT_MS = 2_000;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly messaging: MessagingService,
    private readonly orm: MikroORM,
    private readonly warmUp: GatewayWarmUp,
    @Inject(EXTRA_READINESS) private readonly extraReady: () => boolean,
  ) {}

  @Get('live')
  @ApiDoc({ summary: 'Liveness: the process answers', responses: { 200: healthResponse } })
  @HttpCode(HttpStatus.OK)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  private async database(): Promise<boolean> {
    const query = this.orm.em
      .fork()
      .getConnection()
      .execute('select 1')
      .then(() => true)
      .catch(() => false);
    const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), DATABASE_CHECK_TIMEOUT_MS).unref());
    return Promise.race([query, timeout]);
  }

  @Get('ready')
  @ApiDoc({
    summary: 'Readiness: NATS connected and streams provisioned, PostgreSQL answers, caches warm',
    responses: { 200: readinessResponse, 503: { description: 'Not ready: `checks` says what is missing', schema: readinessResponse } },
  })
  async ready(
    @Res({ passthrough: true }) res: { status(code: number): unknown },
  ): Promise<{ status: 'ready' | 'not_ready'; checks: Record<string, boolean> }> {
    const checks = {
      nats: this.messaging.isReady(),
      database: await this.database(),
      warm: this.warmUp.done,
      ...(this.extraReady() ? {} : { apis: false }),
    };
    const ok = Object.values(checks).every(Boolean);
    res.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ok ? 'ready' : 'not_ready', checks };
  }
}
