/** Liveness (the process answers) and readiness (NATS connected, streams provisioned). */
import { Controller, Get, HttpCode, HttpStatus, Res } from '@nestjs/common';
import { MessagingService } from '../messaging/messaging.service.js';

@Controller('health')
export class HealthController {
  constructor(private readonly messaging: MessagingService) {}

  @Get('live')
  @HttpCode(HttpStatus.OK)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  ready(@Res({ passthrough: true }) res: { status(code: number): unknown }): {
    status: 'ready' | 'not_ready';
    checks: Record<string, boolean>;
  } {
    const nats = this.messaging.isReady();
    const checks = { nats };
    const ok = Object.values(checks).every(Boolean);
    res.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ok ? 'ready' : 'not_ready', checks };
  }
}
