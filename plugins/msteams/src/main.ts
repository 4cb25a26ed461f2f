/**
 * `node plugins/msteams/dist/main.js` (or `npm run start:plugin -- msteams`): the msteams plugin as
 * its own process. Reads the environment once, connects to NATS, consumes `herald.deliver.msteams`;
 * on SIGTERM/SIGINT stops fetching, finishes in-flight posts, drains NATS and exits within 10 s.
 */
import { startPluginMain } from '@herald/contracts';
import { loadMsteamsEnv, startMsteamsPlugin } from './start.js';

export { createMsteamsPlugin } from './plugin.js';

await startPluginMain('msteams', ({ env, own, connection, logger }) => startMsteamsPlugin({ env, msteamsEnv: own, connection, logger }), {
  loadEnv: loadMsteamsEnv,
});
