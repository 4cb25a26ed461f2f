/** Prometheus metrics at `/metrics` (no authentication, like `/health`). */
import { Controller, Get, Header } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { ApiDoc } from './api-doc.decorator.js';

@ApiTags('metrics')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: GatewayMetrics) {}

  @Get()
  @ApiDoc({
    summary: 'Prometheus metrics',
    responses: { 200: { description: 'Prometheus text exposition format 0.0.4', contentType: 'text/plain; version=0.0.4' } },
  })
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
