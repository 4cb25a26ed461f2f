/**
 * `node plugins/slack/dist/main.js` (or `npm run start:plugin -- slack`): the slack plugin as its
 * own process. Reads the environment once, connects to NATS, consumes `herald.deliver.slack`; on
 * SIGTERM/SIGINT stops fetching, finishes in-flight posts, drains NATS and exits within 10 s.
 */
import { connectNats, startStartupProbe, jsonLogger, loadPluginEnv, installSignalHandlers, type PluginEnv } from '@herald/contracts';
import { loadSlackEnv, startSlackPlugin, type SlackEnv } from './start.js';

export { createSlackPlugin } from './plugin.js';

let env: PluginEnv;
let slackEnv: SlackEnv;
try {
  env = loadPluginEnv(process.env, 'slack');
  slackEnv = loadSlackEnv(process.env);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(78);
}
const logger = jsonLogger({ level: env.logLevel, base: { service: 'plugin-slack' } });
// Until NATS answers, the HTTP port (when one is set) reports /health/ready 503 (SPEC §8).
const startupProbe = env.httpPort === undefined ? undefined : await startStartupProbe({ port: env.httpPort, logger });
const connection = await connectNats({ url: env.natsUrl, name: env.connectionName, security: env.natsSecurity, wait: { logger } });
await startupProbe?.close();
const running = await startSlackPlugin({ env, slackEnv, connection, logger });
installSignalHandlers(running, logger, { onStopped: () => connection.drain() });
