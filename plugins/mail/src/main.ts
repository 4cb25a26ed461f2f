/**
 * `node plugins/mail/dist/main.js` (or `npm run start:plugin -- mail`): the mail plugin as its own
 * process. Reads the environment once, connects to NATS, consumes `herald.deliver.mail`; on
 * SIGTERM/SIGINT stops fetching, finishes in-flight mails, drains NATS and exits within 10 s.
 */
import { connectNats, startStartupProbe, jsonLogger, loadPluginEnv, installSignalHandlers, type PluginEnv } from '@herald/contracts';
import { loadMailEnv, startMailPlugin, type MailEnv } from './start.js';

export { createMailPlugin } from './plugin.js';

let env: PluginEnv;
let mailEnv: MailEnv;
try {
  env = loadPluginEnv(process.env, 'mail');
  mailEnv = loadMailEnv(process.env);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(78);
}
const logger = jsonLogger({ level: env.logLevel, base: { service: 'plugin-mail' } });
// Until NATS answers, the HTTP port (when one is set) reports /health/ready 503 (SPEC §8).
const startupProbe = env.httpPort === undefined ? undefined : await startStartupProbe({ port: env.httpPort, logger });
const connection = await connectNats({ url: env.natsUrl, name: env.connectionName, security: env.natsSecurity, wait: { logger } });
await startupProbe?.close();
const running = await startMailPlugin({ env, mailEnv, connection, logger });
installSignalHandlers(running, logger, { onStopped: () => connection.drain() });
