/**
 * Connecting to NATS: reconnect forever with backoff and jitter, so a NATS restart pauses work and
 * it resumes by itself (SPEC §8). The first connection fails fast with an actionable message.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { HeraldError } from '../errors.js';
import { coalesceWrites } from './coalesce-writes.js';
import { settleRequestsWithoutErrors } from './request-settle.js';
import { natsConnectionOptions, type NatsSecurity } from './connection-options.js';
import type { Logger } from '../logger.js';
import { waitForDependency } from '../sdk/wait-for-dependency.js';

export interface NatsConnectOptions {
  /** Comma-separated server URLs. @default "nats://127.0.0.1:4222" */
  readonly url: string;
  /** Connection name shown in server monitoring, e.g. `herald-gateway`. */
  readonly name: string;
  /** Time to wait for the first connection, ms. @default 5000 */
  readonly timeoutMs?: number;
  /** Credentials and TLS (from `NATS_*` variables). @default none; TLS when a URL is `tls://` */
  readonly security?: NatsSecurity;
  /**
   * Wait for a server that is not reachable yet (SPEC §8: start while NATS is down): retry with
   * capped exponential backoff (0.5 s doubling to 10 s), one log line per attempt. Authentication
   * and authorization errors are never waited out. @default fail after the first attempt
   */
  readonly wait?: { readonly logger: Logger; readonly signal?: AbortSignal };
}

/** A refused login cannot be fixed by waiting: the configuration is wrong. */
function isNatsUnavailable(error: unknown): boolean {
  return !/authori[sz]ation|authentication|permission/i.test(error instanceof Error ? error.message : String(error));
}

/** Opens a connection that reconnects indefinitely (500 ms between attempts, ±250 ms jitter). */
export async function connectNats(options: NatsConnectOptions): Promise<NatsConnection> {
  if (options.wait === undefined) return connectOnce(options);
  return waitForDependency('NATS', () => connectOnce(options), { ...options.wait, isUnavailable: isNatsUnavailable });
}

async function connectOnce(options: NatsConnectOptions): Promise<NatsConnection> {
  settleRequestsWithoutErrors();
  const servers = options.url
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  try {
    const connection = await connect({
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
    coalesceWrites(connection);
    return connection;
  } catch (error) {
    throw new HeraldError(
      'infrastructure_unavailable',
      `Cannot connect to NATS at ${servers.join(', ')}: ${(error as Error).message}. ` +
        'Start a JetStream-enabled server (`nats-server -js`) or set NATS_URL to one that runs.',
    );
  }
}

/**
 * Why a start failed, for the one line an entry point prints: the NATS client's request timeout
 * says only "timeout", so it is said what timed out and what to check; anything else is its message.
 */
export function startFailureReason(error: unknown): string {
  const { name, message } = error instanceof Error ? error : new Error(String(error));
  return name === 'TimeoutError'
    ? `a request to NATS got no reply in time (${message}); check that the server at NATS_URL is up, responsive and has JetStream enabled, then start again`
    : message;
}
