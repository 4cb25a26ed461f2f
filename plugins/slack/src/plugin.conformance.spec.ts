import { alice, channelMessage, describePluginConformance, startPluginHarness } from '@herald/contracts/testing';
import { createSlackPlugin } from './plugin.js';
import { loadSlackTemplates } from './start.js';
import { slackWebApi } from './transport.js';
import { startSlackServer } from './testing/slack-server.js';

const templates = loadSlackTemplates(undefined);
const TOKEN = 'xoxb-conformance';
const sampleConfig = { token: TOKEN, channel: '#security', username: 'DefectDojo' };

describePluginConformance('slack', {
  plugin: createSlackPlugin({ api: slackWebApi({ apiUrl: 'http://127.0.0.1:9/api/' }), templates }),
  sampleMessages: [
    channelMessage('slack', 'scan_added', { scope: 'system' }),
    channelMessage('slack', 'user_mentioned', { scope: 'personal', user: alice }),
    channelMessage('slack', 'dummy_foo_event', { scope: 'system' }),
  ],
  sampleConfig,
  thrownErrors: [
    { code: 'slack_webapi_rate_limited_error', retryAfter: 3, message: 'rate limited' },
    { code: 'slack_webapi_platform_error', message: 'An API error occurred: invalid_auth', data: { ok: false, error: 'invalid_auth' } },
    { code: 'slack_webapi_platform_error', message: 'An API error occurred: internal_error', data: { ok: false, error: 'internal_error' } },
    { code: 'slack_webapi_http_error', statusCode: 502, message: 'bad gateway' },
    { code: 'slack_webapi_request_error', message: 'request failed', original: new Error('ECONNREFUSED') },
  ],
  harness: async () => {
    const slack = await startSlackServer({ token: TOKEN });
    const harness = await startPluginHarness({
      plugin: createSlackPlugin({ api: slackWebApi({ apiUrl: slack.apiUrl, timeoutMs: 5_000 }), templates }),
      config: sampleConfig,
    });
    return {
      harness: {
        ...harness,
        stop: async () => {
          await harness.stop();
          await slack.close();
        },
      },
      sentCount: () => slack.posts.length,
    };
  },
});
