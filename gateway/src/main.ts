/**
 * Gateway entrypoint (`npm run start:gateway`): the only place that reads `process.env`.
 * SIGTERM/SIGINT: stop fetching, finish or nak in-flight events, exit within 10 s.
 */
import { jsonLogger, startFailureReason, startStartupProbe } from '@herald/contracts';
import { parseGatewayConfig } from './config/gateway-config.js';
import { startGateway } from './gateway.js';

const SHUTDOWN_DEADLINE_MS = 10_000;

async function main(): Promise<void> {
  let config;
  try {
    config = parseGatewayConfig(process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(78);
  }
  const logger = jsonLogger({ level: config.logLevel, base: { service: 'gateway' } });
  const startupProbe = await startStartupProbe({ port: config.httpPort, logger });
  const gateway = await startGateway({ config, logger, startupProbe });
  logger.info('gateway started', { http_port: gateway.port, nats: config.natsUrl, subject_prefix: config.subjectPrefix });
  const shutdown = (signal: string): void => {
    logger.info('shutting down', { signal });
    setTimeout(() => {
      logger.error('shutdown deadline passed; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    gateway.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('shutdown failed', { error });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`gateway failed to start: ${startFailureReason(error)}\n`);
  process.exit(1);
});
