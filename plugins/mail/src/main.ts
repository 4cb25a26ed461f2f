/**
 * `node plugins/mail/dist/main.js` (or `npm run start:plugin -- mail`): the mail plugin as its own
 * process. Reads the environment once, connects to NATS, consumes `herald.deliver.mail`; on
 * SIGTERM/SIGINT stops fetching, finishes in-flight mails, drains NATS and exits within 10 s.
 */
import { startPluginMain } from '@herald/contracts';
import { loadMailEnv, startMailPlugin } from './start.js';

export { createMailPlugin } from './plugin.js';

await startPluginMain('mail', ({ env, own, connection, logger }) => startMailPlugin({ env, mailEnv: own, connection, logger }), {
  loadEnv: loadMailEnv,
});
