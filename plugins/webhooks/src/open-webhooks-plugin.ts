/**
 * Everything the webhooks channel needs, assembled over a pool and a NATS connection owned by the
 * caller: migrations applied, endpoint store, dispatcher, plugin definition, and the responder of
 * the scheduler's sweep (one replica per request, queue group `webhooks-sweep`) on the core-NATS
 * subject `<prefix>.internal.webhooks-sweep`, replying with the sweep report. Used by
 * `main.ts` and by the all-in-one runner, which may pass the PGlite pool it shares with the
 * gateway. `close()` ends the NATS subscription; it never closes the pool or the connection.
 */
import { jetstream } from '@nats-io/jetstream';
import type { Msg, NatsConnection } from '@nats-io/transport-node';
import { DEFAULT_SUBJECT_PREFIX, SecretBox, subjects, type Cidr, type Logger, type PluginDefinition } from '@herald/contracts';
import { type SqlPool } from '@herald/plugin-storage';
import { systemClock, type Clock } from './clock.js';
import type { WebhooksConfig } from './config.js';
import { DEFAULT_MAX_DEFER_MS, WebhookDispatcher } from './dispatcher.js';
import { EndpointStore } from './endpoint-store.js';
import type { AttemptResult } from './errors.js';
import { createWebhooksPlugin, WEBHOOKS_PLUGIN_VERSION } from './plugin.js';
import type { WebhookRequest } from './render.js';
import { sweepEndpoints, type SweepReport } from './sweep.js';
import { postWebhook, systemResolver, type PostRequest, type Resolver } from './transport.js';
import { DeferredResumer } from './resume-deferred.js';

export interface OpenWebhooksPluginOptions {
  /** `pg.Pool` over PostgreSQL or PGlite (one connection is enough); the plugin uses schema `webhooks`. */
  readonly pool: SqlPool;
  readonly nc: NatsConnection;
  /** Subject prefix. @default "herald" */
  readonly prefix?: string;
  readonly logger: Logger;
  /** `HERALD_SECRET_KEY`: seals endpoint secrets at rest. Required. */
  readonly secretKey: string | undefined;
  /** `HERALD_SITE_URL`, sent as `X-Herald-Instance` with pings. */
  readonly siteUrl: string;
  /** `HERALD_WEBHOOKS_ALLOW_PRIVATE`. @default [] (every non-public address refused) */
  readonly allowPrivate?: readonly Cidr[];
  /** @default the system clock */
  readonly clock?: Clock;
  /** @default the system resolver (getaddrinfo) */
  readonly resolver?: Resolver;
  /** @default got over the network */
  readonly post?: (request: PostRequest) => Promise<AttemptResult>;
  /**
   * `HERALD_WEBHOOKS_MAX_DEFER_SECONDS`: how long a message may wait for an `inactive_tmp`
   * endpoint before it is dropped (and dead-lettered), seconds. @default 86400 (24 h)
   */
  readonly maxDeferSeconds?: number;
  /** How often deferred messages are checked for going on, ms. @default 1000 */
  readonly resumeIntervalMs?: number;
}

export interface OpenedWebhooksPlugin {
  readonly plugin: PluginDefinition<WebhooksConfig, WebhookRequest>;
  readonly store: EndpointStore;
  readonly dispatcher: WebhookDispatcher;
  /** Publishes the deferred messages that may go on now (what every round does). */
  readonly resumer: DeferredResumer;
  /** Runs the status sweep now (what the scheduler's command does). */
  sweep(): Promise<SweepReport>;
  /** Ends the sweep subscription and the resume rounds (a round under way finishes in the background). */
  close(): void;
}

export async function openWebhooksPlugin(options: OpenWebhooksPluginOptions): Promise<OpenedWebhooksPlugin> {
  const prefix = options.prefix ?? DEFAULT_SUBJECT_PREFIX;
  const logger = options.logger.child({ channel: 'webhooks' });
  const clock = options.clock ?? systemClock;
  const resolver = options.resolver ?? systemResolver;
  const allow = options.allowPrivate ?? [];
  const maxDeferMs = options.maxDeferSeconds === undefined ? DEFAULT_MAX_DEFER_MS : options.maxDeferSeconds * 1_000;
  const store = new EndpointStore(options.pool, SecretBox.fromBase64(options.secretKey));
  const applied = await store.migrate();
  if (applied.length > 0) logger.info('webhooks migrations applied', { migrations: applied });
  const dispatcher = new WebhookDispatcher({
    store,
    clock,
    logger,
    version: WEBHOOKS_PLUGIN_VERSION,
    allow,
    resolver,
    post: options.post ?? postWebhook,
    maxDeferMs,
  });
  const plugin = createWebhooksPlugin({ store, dispatcher, clock, siteUrl: options.siteUrl, allow, resolver });
  const sweep = (): Promise<SweepReport> => sweepEndpoints(store, clock.now());
  const respond = (error: Error | null, message: Msg): void => {
    if (error) {
      logger.warn('sweep subscription error', { error });
      return;
    }
    sweep().then(
      (report) => {
        logger.info('webhook status sweep', { ...report });
        if (message.reply) message.respond(JSON.stringify(report));
      },
      (failure: unknown) => {
        logger.error('webhook status sweep failed', { error: failure });
        if (message.reply) message.respond(JSON.stringify({ error: failure instanceof Error ? failure.message : String(failure) }));
      },
    );
  };
  const names = subjects(prefix);
  const subscriptions = [options.nc.subscribe(names.internal('webhooks-sweep'), { queue: 'webhooks-sweep', callback: respond })];
  const resumer = new DeferredResumer({
    store,
    clock,
    js: jetstream(options.nc),
    subject: names.deliver('webhooks'),
    logger,
    ...(options.resumeIntervalMs === undefined ? {} : { intervalMs: options.resumeIntervalMs }),
  });
  resumer.start();
  return {
    plugin,
    store,
    dispatcher,
    resumer,
    sweep,
    close: () => {
      for (const subscription of subscriptions) subscription.unsubscribe();
      void resumer.stop();
    },
  };
}
