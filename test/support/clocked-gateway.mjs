/**
 * A gateway process started as `gateway/dist/main.js` starts one (same config parsing, logger and
 * `startGateway`), but on a clock shifted by `HERALD_TEST_CLOCK_OFFSET_MS` (milliseconds added to
 * the real time): tests that need a replica to live in another hour — a digest window ending soon —
 * without waiting for it. It leaves out what main.js adds around the gateway (the startup probe
 * before start, exit code 78 on bad configuration, SIGINT and the 10 s shutdown deadline); it adds
 * nothing. Every replica a test starts gets the same shift.
 */
import { jsonLogger } from '@herald/contracts';
import { parseGatewayConfig } from '../../gateway/dist/config/gateway-config.js';
import { startGateway } from '../../gateway/dist/gateway.js';

const offset = Number(process.env['HERALD_TEST_CLOCK_OFFSET_MS'] ?? '0');
if (!Number.isFinite(offset)) throw new Error('HERALD_TEST_CLOCK_OFFSET_MS must be a number of milliseconds');
const clock = { now: () => new Date(Date.now() + offset) };
const config = parseGatewayConfig(process.env);
const logger = jsonLogger({ level: config.logLevel, base: { service: 'gateway' } });
const gateway = await startGateway({ config, logger, clock });
logger.info('gateway started', { http_port: gateway.port, nats: config.natsUrl, subject_prefix: config.subjectPrefix });
process.once('SIGTERM', () => {
  gateway.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
