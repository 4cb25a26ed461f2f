/**
 * `node plugins/slack/dist/main.js` (or `npm run start:plugin -- slack`): the slack plugin as its
 * own process. Reads the environment once, connects to NATS, consumes `herald.deliver.slack`; on
 * SIGTERM/SIGINT stops fetching, finishes in-flight posts, drains NATS and exits within 10 s.
 */
import { startPluginMain } from '@herald/contracts';
import { loadSlackEnv, startSlackPlugin } from './start.js';

export { createSlackPlugin } from './plugin.js';

await startPluginMain('slack', ({ env, own, connection, logger }) => startSlackPlugin({ env, slackEnv: own, connection, logger }), {
  loadEnv: loadSlackEnv,
});
