/**
 * `node plugins/msteams/dist/main.js` (or `npm run start:plugin -- msteams`): the msteams plugin as
 * its own process. Reads the environment once, connects to NATS, consumes `herald.deliver.msteams`;
 * on SIGTERM/SIGINT stops fetching, finishes in-flight posts, drains NATS and exits within 10 s.
 */
import { connectNats, startStartupProbe, jsonLogger, loadPluginEnv, installSignalHandlers, type PluginEnv } from '@herald/contracts';
import { loadMsteamsEnv, startMsteamsPlugin, type MsteamsEnv } from './start.js';

export { createMsteamsPlugin } from './plugin.js';

let env: PluginEnv;
let msteamsEnv: MsteamsEnv;
try {
  env = loadPluginEnv(process.env, 'msteams');
  msteamsEnv = loadMsteamsEnv(process.env);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(78);
}
const logger = jsonLogger({ level: env.logLevel, base: { service: 'plugin-msteams' } });
// Until NATS answers, the HTTP port (when one is set) reports /health/ready 503 (SPEC §8).
const startupProbe = env.httpPort === undefined ? undefined : await startStartupProbe({ port: env.httpPort, logger });
const connection = await connectNats({ url: env.natsUrl, name: env.connectionName, security: env.natsSecurity, wait: { logger } });
await startupProbe?.close();
const running = await startMsteamsPlugin({ env, msteamsEnv, connection, logger });
installSignalHandlers(running, logger, { onStopped: () => connection.drain() });
