/**
 * The plugin SDK's types as an author meets them. Much of this file is checked by `tsc`
 * (`npm run typecheck`), not by Jest: it stops compiling when `definePlugin` needs type arguments
 * again, when `outcomes.dropped()` cannot be returned from `render`, when zod is not available
 * from the SDK, or when `DeliveryOutcome` lacks an outcome the API reports.
 */
import { describe, expect, it } from '@jest/globals';
import {
  definePlugin,
  outcomes,
  REPORTED_OUTCOMES,
  z,
  type DeliveryOutcome,
  type OutcomeOf,
  type PluginDefinition,
  type SendOutcome,
} from '../index.js';
import { alice, channelMessage } from '../testing/channel-message-fixtures.js';

// No type arguments: Config comes from configSchema, Request from what render returns.
const mattermost = definePlugin({
  channel: 'mattermost',
  version: '1.0.0',
  configSchema: z.object({ url: z.url(), channel: z.string().default('town-square') }),
  secretFields: ['url'],
  render: (message, config) => {
    if (message.destination.scope !== 'system') return outcomes.dropped('mattermost takes system messages only');
    return { url: config.url, body: { channel: config.channel, text: message.event_label } };
  },
  send: async (request): Promise<SendOutcome> => {
    // `request.body.text` is a string only when Request was inferred from render.
    const text: string = request.body.text;
    return Promise.resolve(text.length > 0 ? outcomes.delivered(`posted to ${request.url}`) : outcomes.failed('empty message'));
  },
});

type Inferred = typeof mattermost extends PluginDefinition<infer Config, infer Request> ? { config: Config; request: Request } : never;
// The output type of the schema: `channel` has its default, so it is not optional.
const config: Inferred['config'] = { url: 'https://chat.example.org/hooks/x', channel: 'security' };
// @ts-expect-error `channel` is required in the parsed configuration (Config is not `any`)
const incomplete: Inferred['config'] = { url: 'https://chat.example.org/hooks/x' };
// @ts-expect-error the request's text is a string (Request is not `any` or `unknown`)
const wrongRequest: Inferred['request'] = { url: 'x', body: { channel: 'c', text: 1 } };
const dropped: OutcomeOf<'dropped'> = outcomes.dropped('reason');
const published: DeliveryOutcome = 'published';

describe('plugin SDK types', () => {
  it('render returns the request, or a dropped outcome', () => {
    const system = mattermost.render(channelMessage('mattermost', 'scan_added', { scope: 'system' }), config);
    expect(system).toEqual({ url: config.url, body: { channel: 'security', text: 'Scan Added' } });
    const personal = mattermost.render(channelMessage('mattermost', 'scan_added', { scope: 'personal', user: alice }), config);
    expect(personal).toEqual({ kind: 'dropped', reason: 'mattermost takes system messages only' });
    expect(dropped.kind).toBe('dropped');
    expect([incomplete, wrongRequest]).toHaveLength(2);
  });

  it('DeliveryOutcome covers every outcome the API reports', () => {
    expect(REPORTED_OUTCOMES).toEqual(['published', 'delivered', 'retrying', 'failed', 'dropped']);
    expect(REPORTED_OUTCOMES).toContain(published);
  });
});
