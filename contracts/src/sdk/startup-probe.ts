/**
 * The HTTP port of a process that is still starting (SPEC §8: "readiness red meanwhile"): while a
 * gateway or plugin waits for NATS or PostgreSQL, its port already answers `/health/live` 200 and
 * `/health/ready` 503 naming the dependency it waits for, so an orchestrator sees a live process
 * that is not ready instead of a refused connection or a crash loop. Closed just before the real
 * server binds the same port.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger.js';

export interface StartupProbe {
  /** The bound port (the real one when 0 was asked for). */
  readonly port: number;
  /** Names what the process waits for, reported by `/health/ready`. */
  waitingFor(dependency: string): void;
  /** Frees the port for the real server. */
  close(): Promise<void>;
}

export async function startStartupProbe(options: { port: number; host?: string; logger: Logger }): Promise<StartupProbe> {
  let waiting = 'start';
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const live = req.method === 'GET' && path === '/health/live';
    res.writeHead(live ? 200 : 503, { 'content-type': 'application/json', connection: 'close' });
    res.end(JSON.stringify(live ? { status: 'ok' } : { status: 'starting', waiting_for: waiting }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  options.logger.info('starting; health answers on the HTTP port meanwhile', { port });
  return {
    port,
    waitingFor: (dependency) => {
      waiting = dependency;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
