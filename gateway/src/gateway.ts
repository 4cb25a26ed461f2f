/**
 * Starting and stopping a gateway: used by `main.ts`, the all-in-one runner and tests.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { Type } from '@nestjs/common';
import { z } from 'zod';
import {
  API_PREFIX,
  asyncApiDocument,
  connectNats,
  openApiDocument,
  type ApiOperation,
  type HttpHandler,
  type Logger,
  type StartupProbe,
} from '@herald/contracts';
import type pg from 'pg';
import { controllersOf, gatewayOperations } from './api/openapi-operations.js';
import { AppModule } from './app.module.js';
import type { GatewayConfig } from './config/gateway-config.js';
import { consoleAssets } from './http/console-assets.js';
import { ErrorFilter } from './http/error.filter.js';
import { PathIdPipe, refuseUnstorableInput, requireJsonBody, skipForUnsubscribe } from './http/request-guards.js';
import type { RoutingPort } from './ingest/routing-port.js';
import type { Clock } from './scheduler/clock.js';
import { JetStreamTransport } from './messaging/jetstream.transport.js';
import { MessagingService } from './messaging/messaging.service.js';
import { initialiseGatewayDatabase } from './persistence/orm-config.js';

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
   * The operations `apiHandlers` serve, paths relative to `/api/v1` like the handlers' own
   * (`ALERTS_API`, `WEBHOOKS_API`), for the OpenAPI document. @default none
   */
  readonly apiOperations?: readonly ApiOperation[];
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
  /** Stops the JetStream handlers (draining in-flight work), closes HTTP and drains NATS. */
  close(): Promise<void>;
}

/** Routes outside the `/api/v1` prefix. */
const UNPREFIXED_ROUTES = ['health/live', 'health/ready', 'metrics'];

/** The two documents, served beside the Swagger UI at `/api/docs`. */
const DOCUMENT_OPERATIONS: readonly ApiOperation[] = [
  {
    method: 'get',
    path: '/api/docs/openapi.json',
    tag: 'docs',
    access: 'public',
    summary: 'This OpenAPI 3.1 document',
    responses: { 200: { description: 'The OpenAPI document', schema: z.record(z.string(), z.unknown()) } },
  },
  {
    method: 'get',
    path: '/api/docs/asyncapi.json',
    tag: 'docs',
    access: 'public',
    summary: 'The AsyncAPI 3.0 document of the NATS interface (subjects, headers, payload schemas)',
    responses: { 200: { description: 'The AsyncAPI document', schema: z.record(z.string(), z.unknown()) } },
  },
  {
    method: 'get',
    path: '/api/docs',
    tag: 'docs',
    access: 'public',
    summary: 'Swagger UI for this document',
    responses: { 200: { description: 'An HTML page', contentType: 'text/html' } },
  },
];

/**
 * The OpenAPI document of everything `app` serves: its controllers, the plugin APIs mounted
 * beside them and the documents themselves. `undocumented` lists routes without `@ApiDoc`.
 */
export function gatewayOpenApi(
  app: NestExpressApplication,
  pluginOperations: readonly ApiOperation[] = [],
): { document: Record<string, unknown>; undocumented: string[] } {
  const own = gatewayOperations(controllersOf(app), { prefix: API_PREFIX.slice(1), unprefixed: UNPREFIXED_ROUTES });
  const plugins = pluginOperations.map((operation) => ({ ...operation, path: `${API_PREFIX}${operation.path}` }));
  const document = openApiDocument({
    title: 'Herald',
    version: '1',
    description:
      'The HTTP API of the Herald notification gateway: every operation served on the gateway port (`HERALD_HTTP_PORT`), ' +
      'including the alerts and webhooks APIs of the plugins mounted there. Every error answers `{ "error": { code, message, details } }`.',
    operations: [...own.operations, ...plugins, ...DOCUMENT_OPERATIONS],
  });
  return { document, undocumented: own.undocumented };
}

export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const { config, logger } = options;
  options.startupProbe?.waitingFor('nats');
  const connection = await connectNats({ url: config.natsUrl, name: 'herald-gateway', security: config.natsSecurity, wait: { logger } });
  options.startupProbe?.waitingFor('database');
  // Embedded PGlite: a new data directory is initialised now, off the event loop; MikroORM would
  // otherwise do it synchronously while the consumers' NATS requests are in flight.
  if (config.databaseUrl === undefined && options.databasePool === undefined) {
    await initialiseGatewayDatabase(config.dataDir);
  }
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
  app.setGlobalPrefix(API_PREFIX.slice(1), { exclude: UNPREFIXED_ROUTES });
  app.use(requireJsonBody);
  // The plugins' APIs refuse non-JSON bodies; the one-click unsubscribe route is the gateway's own.
  for (const handler of options.apiHandlers ?? []) app.use(skipForUnsubscribe(handler));
  app.use(consoleAssets(options.consoleDir));
  app.useBodyParser('json', { limit: config.maxEventBytes + 64 * 1024 });
  // Only the one-click unsubscribe route gets past requireJsonBody with a form body (RFC 8058).
  app.useBodyParser('urlencoded', { limit: 4 * 1024, extended: false });
  app.use(refuseUnstorableInput);
  app.useGlobalFilters(new ErrorFilter(logger));
  app.useGlobalPipes(new PathIdPipe());
  const { document, undocumented } = gatewayOpenApi(app, options.apiOperations);
  if (undocumented.length > 0) logger.warn('routes without @ApiDoc are in the OpenAPI document without schemas', { routes: undocumented });
  SwaggerModule.setup('api/docs', app, document as unknown as OpenAPIObject, {
    jsonDocumentUrl: 'api/docs/openapi.json',
    raw: ['json'],
  });
  const asyncApi = asyncApiDocument({ prefix: config.subjectPrefix });
  const adapter = app.getHttpAdapter();
  adapter.get('/api/docs/asyncapi.json', (_request, response) => {
    adapter.reply(response, asyncApi, 200);
  });
  app.get(MessagingService).watchStatus();
  // The NATS consumers are Nest microservice handlers (@EventPattern) served by JetStreamTransport
  // in this process, next to the HTTP server. Streams and durables are provisioned by init().
  app.connectMicroservice<MicroserviceOptions>({ strategy: app.get(JetStreamTransport) });
  await app.init();
  await app.startAllMicroservices();
  let port = 0;
  if (options.listen ?? true) {
    await options.startupProbe?.close();
    await app.listen(config.httpPort, '0.0.0.0');
    const server = app.getHttpServer() as { address(): { port: number } | string | null };
    const address = server.address();
    port = typeof address === 'object' && address !== null ? address.port : config.httpPort;
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
