import { describePluginConformance } from './plugin-conformance.js';
import { startPluginHarness } from './plugin-harness.js';
import { testPlugin } from '../sdk/test-plugin.fixture.js';
import { deliveryId, type ChannelMessage } from '../channel-message.js';

const fixture = testPlugin();

function sample(id: string, destination: ChannelMessage['destination']): ChannelMessage {
  const event = {
    specversion: '1.0' as const,
    id,
    source: 'defectdojo',
    type: 'scan_added',
    time: '2026-11-23T10:00:00Z',
    data: { title: 'Scan Added', description: 'Event scan_added has occurred.', product: { id: '1', name: 'Web' } },
  };
  return {
    delivery_id: deliveryId(event, 'spec', destination),
    channel: 'spec',
    event,
    destination,
    site_url: 'http://localhost:8080',
    event_label: 'Scan Added',
  };
}

describePluginConformance('the SDK test plugin', {
  plugin: fixture.plugin,
  sampleMessages: [
    sample('evt-1', { scope: 'system' }),
    sample('evt-2', { scope: 'personal', user: { id: '7', username: 'ana', email: 'ana@example.org', full_name: 'Ana' } }),
  ],
  sampleConfig: { token: 'xoxb-1', room: 'ops' },
  thrownErrors: [new Error('socket hang up'), new TypeError('fetch failed')],
  harness: async () => {
    const counted = testPlugin();
    const harness = await startPluginHarness({ plugin: counted.plugin, config: { token: 'xoxb-1' } });
    return { harness, sentCount: () => counted.calls.length };
  },
});
