/**
 * The gateway's NATS side: one connection, the JetStream clients, and the topology for the
 * configured prefix. Streams and the gateway's durables are provisioned at start; the connection
 * is drained last at shutdown, after every consumer has stopped.
 */
import { Inject, Injectable, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { ensureConsumer, ensureStreams, StreamPublisher, topology, type Logger, type Topology } from '@herald/contracts';
import type { GatewayConfig } from '../config/gateway-config.js';
import { GATEWAY_CONFIG, LOGGER, NATS_CONNECTION } from '../config/tokens.js';

@Injectable()
export class MessagingService implements OnModuleInit, BeforeApplicationShutdown {
  readonly topology: Topology;
  readonly js: JetStreamClient;
  /** Channel messages are published through this (a PubAck per message without a client request each). */
  readonly publisher: StreamPublisher;
  private jsmPromise: Promise<JetStreamManager> | undefined;
  private provisioned = false;

  constructor(
    @Inject(NATS_CONNECTION) readonly connection: NatsConnection,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.topology = topology({
      prefix: config.subjectPrefix,
      extraEventSubjects: config.extraEventSubjects,
      maxEventBytes: config.maxEventBytes,
      storage: config.streamStorage,
    });
    this.js = jetstream(connection);
    this.publisher = new StreamPublisher(connection);
  }

  jsm(): Promise<JetStreamManager> {
    this.jsmPromise ??= jetstreamManager(this.connection);
    return this.jsmPromise;
  }

  async onModuleInit(): Promise<void> {
    const jsm = await this.jsm();
    await ensureStreams(jsm, this.topology);
    await ensureConsumer(jsm, this.topology.gatewayConsumer);
    await ensureConsumer(jsm, this.topology.directoryConsumer);
    await ensureConsumer(jsm, this.topology.statusConsumer);
    await ensureConsumer(jsm, this.topology.deadConsumer);
    this.provisioned = true;
    this.logger.info('streams provisioned', { streams: Object.values(this.topology.streams).map((s) => s.name) });
  }

  /** Connected to NATS and streams provisioned. */
  isReady(): boolean {
    return this.provisioned && !this.connection.isClosed() && !this.connection.isDraining() && this.connectedNow;
  }

  private connectedNow = true;

  /** Follows connection status so readiness goes red while NATS is away. */
  watchStatus(): void {
    void (async () => {
      for await (const status of this.connection.status()) {
        if (status.type === 'disconnect') this.connectedNow = false;
        if (status.type === 'reconnect') this.connectedNow = true;
        if (status.type === 'disconnect' || status.type === 'reconnect')
          this.logger.warn(`NATS ${status.type}`, { server: 'server' in status ? status.server : undefined });
      }
    })();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (!this.connection.isClosed()) await this.connection.drain().catch(() => undefined);
  }
}
