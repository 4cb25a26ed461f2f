import { channelMessage, describePluginConformance, startPluginHarness } from '@herald/contracts/testing';
import { createMsteamsPlugin } from './plugin.js';
import { loadMsteamsTemplates } from './start.js';
import { httpTeamsTransport } from './transport.js';
import { startTeamsSink } from './testing/teams-sink.js';

const templates = loadMsteamsTemplates(undefined);
const plugin = createMsteamsPlugin({ transport: httpTeamsTransport({ timeoutMs: 5_000 }), templates });

describePluginConformance('msteams', {
  plugin,
  sampleMessages: [
    channelMessage('msteams', 'scan_added', { scope: 'system' }),
    channelMessage('msteams', 'user_mentioned', { scope: 'system' }),
    channelMessage('msteams', 'dummy_foo_event', { scope: 'system' }),
  ],
  sampleConfig: { url: 'https://example.webhook.office.com/workflows/abc', format: 'adaptive' },
  thrownErrors: [
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
    Object.assign(new Error('Timeout awaiting request for 10000ms'), { code: 'ETIMEDOUT', name: 'TimeoutError' }),
  ],
  harness: async () => {
    const sink = await startTeamsSink();
    const harness = await startPluginHarness({ plugin, config: { url: `${sink.url}/workflows/conformance`, format: 'adaptive' } });
    return {
      harness: {
        ...harness,
        stop: async () => {
          await harness.stop();
          await sink.close();
        },
      },
      sentCount: () => sink.posts.length,
    };
  },
});
