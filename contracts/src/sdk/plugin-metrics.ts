/**
 * A plugin's Prometheus metrics (served at `/metrics` of the plugin's HTTP server). One registry
 * per running plugin, so several plugins in one process (tests, all-in-one) never collide; every
 * series carries the `channel` label.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { StatusOutcome } from '../delivery-status.js';

/** Consumer backlog, read from the server when metrics are scraped. */
export interface ConsumerBacklog {
  /** Messages not yet delivered to any replica. */
  readonly pending: number;
  /** Messages delivered and not yet acknowledged. */
  readonly ackPending: number;
}

export class PluginMetrics {
  readonly registry = new Registry();
  private readonly deliveries: Counter<'channel' | 'outcome'>;
  private readonly retries: Counter<'channel'>;
  private readonly deadLetters: Counter<'channel'>;
  private readonly duplicates: Counter<'channel'>;
  private readonly sendSeconds: Histogram<'channel' | 'outcome'>;

  constructor(
    private readonly channel: string,
    probes: { backlog: () => Promise<ConsumerBacklog | null>; inFlight: () => number; configReady: () => boolean },
  ) {
    const registers = [this.registry];
    this.deliveries = new Counter({
      name: 'herald_plugin_deliveries_total',
      help: 'Delivery attempts by reported outcome (delivered, retrying, failed, dropped)',
      labelNames: ['channel', 'outcome'],
      registers,
    });
    this.retries = new Counter({
      name: 'herald_plugin_retries_total',
      help: 'Attempts that will be retried',
      labelNames: ['channel'],
      registers,
    });
    this.deadLetters = new Counter({
      name: 'herald_plugin_dead_letters_total',
      help: 'Messages given up on and dead-lettered',
      labelNames: ['channel'],
      registers,
    });
    this.duplicates = new Counter({
      name: 'herald_plugin_duplicates_total',
      help: 'Redelivered messages not sent again because their delivery already reached a final outcome',
      labelNames: ['channel'],
      registers,
    });
    this.sendSeconds = new Histogram({
      name: 'herald_plugin_send_duration_seconds',
      help: 'Time spent in the plugin send (provider call), by outcome',
      labelNames: ['channel', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    new Gauge({
      name: 'herald_plugin_consumer_pending',
      help: 'Messages waiting in the channel consumer (not yet delivered to a replica)',
      labelNames: ['channel'],
      registers,
      async collect() {
        const backlog = await probes.backlog();
        if (backlog) this.set({ channel }, backlog.pending);
      },
    });
    new Gauge({
      name: 'herald_plugin_consumer_ack_pending',
      help: 'Messages delivered to replicas and not yet acknowledged',
      labelNames: ['channel'],
      registers,
      async collect() {
        const backlog = await probes.backlog();
        if (backlog) this.set({ channel }, backlog.ackPending);
      },
    });
    new Gauge({
      name: 'herald_plugin_in_flight',
      help: 'Messages being handled by this instance',
      labelNames: ['channel'],
      registers,
      collect() {
        this.set({ channel }, probes.inFlight());
      },
    });
    new Gauge({
      name: 'herald_plugin_config_ready',
      help: '1 when the channel has a valid, enabled configuration; 0 while messages are dropped for lack of one',
      labelNames: ['channel'],
      registers,
      collect() {
        this.set({ channel }, probes.configReady() ? 1 : 0);
      },
    });
    for (const outcome of ['delivered', 'retrying', 'failed', 'dropped'] as const) this.deliveries.inc({ channel, outcome }, 0);
    this.retries.inc({ channel }, 0);
    this.deadLetters.inc({ channel }, 0);
    this.duplicates.inc({ channel }, 0);
  }

  /** One reported status. */
  outcome(outcome: StatusOutcome): void {
    this.deliveries.inc({ channel: this.channel, outcome });
    if (outcome === 'retrying') this.retries.inc({ channel: this.channel });
  }

  /** Duration of one `send` call. */
  sent(seconds: number, outcome: string): void {
    this.sendSeconds.observe({ channel: this.channel, outcome }, seconds);
  }

  deadLettered(): void {
    this.deadLetters.inc({ channel: this.channel });
  }

  duplicate(): void {
    this.duplicates.inc({ channel: this.channel });
  }
}
