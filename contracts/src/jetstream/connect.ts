/**
 * Connecting to NATS: reconnect forever with backoff and jitter, so a NATS restart pauses work and
 * it resumes by itself (SPEC §8). The first connection fails fast with an actionable message.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { HeraldError } from '../errors.js';
import { natsConnectionOptions, type NatsSecurity } from './connection-options.js';

export interface NatsConnectOptions {
  /** Comma-separated server URLs. @default "nats://127.0.0.1:4222" */
  readonly url: string;
  /** Connection name shown in server monitoring, e.g. `herald-gateway`. */
  readonly name: string;
  /** Time to wait for the first connection, ms. @default 5000 */
  readonly timeoutMs?: number;
  /** Credentials and TLS (from `NATS_*` variables). @default none; TLS when a URL is `tls://` */
  readonly security?: NatsSecurity;
}

/** Opens a connection that reconnects indefinitely (500 ms between attempts, ±250 ms jitter). */
export async function connectNats(options: NatsConnectOptions): Promise<NatsConnection> {
  const servers = options.url
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  try {
    return await connect({
      servers,
      name: options.name,
      timeout: options.timeoutMs ?? 5_000,
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      reconnectJitter: 250,
      pingInterval: 10_000,
      // Capturing a stack for every request (publish acks included) costs a large share of CPU on
      // the hot path; error messages stay precise without it.
      noAsyncTraces: true,
      ...natsConnectionOptions(servers, options.security),
    });
  } catch (error) {
    throw new HeraldError(
      'infrastructure_unavailable',
      `Cannot connect to NATS at ${servers.join(', ')}: ${(error as Error).message}. ` +
        'Start a JetStream-enabled server (`nats-server -js`) or set NATS_URL to one that runs.',
    );
  }
}
