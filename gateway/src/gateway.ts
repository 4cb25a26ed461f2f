/**
 * Starting and stopping a gateway: used by `main.ts`, the all-in-one runner and tests.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Type } from '@nestjs/common';
import { asyncApiDocument, connectNats, type HttpHandler, type Logger, type StartupProbe } from '@herald/contracts';
import type pg from 'pg';
import { AppModule } from './app.module.js';
import type { GatewayConfig } from './config/gateway-config.js';
import { consoleAssets } from './http/console-assets.js';
import { ErrorFilter } from './http/error.filter.js';
import { PathIdPipe, refuseUnstorableInput, requireJsonBody } from './http/request-guards.js';
import type { RoutingPort } from './ingest/routing-port.js';
import type { Clock } from './scheduler/clock.js';
import { MessagingService } from './messaging/messaging.service.js';

export interface StartGatewayOptions {
  readonly config: GatewayConfig;
  readonly logger: Logger;
  /** Listen on `config.httpPort`. @default true */
  readonly listen?: boolean;
  readonly routingPort?: Type<RoutingPort> | RoutingPort;
  /** Time for the scheduler. @default the system clock */
  readonly clock?: Clock;
  /** Run on this pool instead of DATABASE_URL / a private PGlite (all-in-one mode). */
  readonly databasePool?: pg.Pool;
  /**
   * Connect-style handlers tried before the gateway's own routes, with the full URL (all-in-one
   * mode mounts the plugins' APIs — alerts, webhooks — whose handlers serve `/api/v1/...`).
   */
  readonly apiHandlers?: readonly HttpHandler[];
  /**
   * What answers on `config.httpPort` while the gateway waits for NATS and PostgreSQL (`main.ts`
   * passes one so `/health/ready` says 503 meanwhile); closed just before the gateway listens.
   * @default none
   */
  readonly startupProbe?: StartupProbe;
  /**
   * A further `/health/ready` condition (all-in-one: every plugin API mounted). @default none
   */
  readonly ready?: () => boolean;
  /** Folder of the built console served at `/`. @default the repository's `console/dist` */
  readonly consoleDir?: string;
}

export interface RunningGateway {
  readonly app: NestExpressApplication;
  /** The port the HTTP API listens on (0 when not listening). */
  readonly port: number;
  /** Stops consumers (draining in-flight work), closes HTTP and drains NATS. */
  close(): Promise<void>;
}

export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const { config, logger } = options;
  options.startupProbe?.waitingFor('nats');
  const connection = await connectNats({ url: config.natsUrl, name: 'herald-gateway', security: config.natsSecurity, wait: { logger } });
  options.startupProbe?.waitingFor('database');
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot({
      config,
      connection,
      logger,
      ...(options.routingPort ? { routingPort: options.routingPort } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.databasePool ? { databasePool: options.databasePool } : {}),
      ...(options.ready ? { ready: options.ready } : {}),
    }),
    { logger: false, abortOnError: false, bodyParser: false },
  );
  app.setGlobalPrefix('api/v1', { exclude: ['health/live', 'health/ready', 'metrics'] });
  app.use(requireJsonBody);
  for (const handler of options.apiHandlers ?? []) app.use(handler);
  app.use(consoleAssets(options.consoleDir));
  app.useBodyParser('json', { limit: config.maxEventBytes + 64 * 1024 });
  app.use(refuseUnstorableInput);
  app.useGlobalFilters(new ErrorFilter(logger));
  app.useGlobalPipes(new PathIdPipe());
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle('Herald').setDescription('Herald notification gateway API').setVersion('1').addBearerAuth().build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });
  const asyncApi = asyncApiDocument({ prefix: config.subjectPrefix });
  const adapter = app.getHttpAdapter();
  adapter.get('/api/docs/asyncapi.json', (_request, response) => {
    adapter.reply(response, asyncApi, 200);
  });
  app.get(MessagingService).watchStatus();
  let port = 0;
  if (options.listen ?? true) {
    await options.startupProbe?.close();
    await app.listen(config.httpPort, '0.0.0.0');
    const server = app.getHttpServer() as { address(): { port: number } | string | null };
    const address = server.address();
    port = typeof address === 'object' && address !== null ? address.port : config.httpPort;
  } else {
    await app.init();
  }
  let closing: Promise<void> | undefined;
  return {
    app,
    port,
    close: () => {
      closing ??= app.close();
      return closing;
    },
  };
}
