import { describe, expect, it } from '@jest/globals';
import { classifySlackError } from './errors.js';

const platform = (error: string) => ({
  code: 'slack_webapi_platform_error',
  message: `An API error occurred: ${error}`,
  data: { ok: false, error },
});

describe('classifySlackError', () => {
  it.each([
    [
      { code: 'slack_webapi_rate_limited_error', retryAfter: 7, message: 'rate limited' },
      { kind: 'retry', reason: 'Slack rate limit (HTTP 429), retry after 7 s', afterMs: 7_000 },
    ],
    [platform('invalid_auth'), { kind: 'failed', reason: 'Slack API error invalid_auth' }],
    [platform('channel_not_found'), { kind: 'failed', reason: 'Slack API error channel_not_found' }],
    [platform('not_in_channel'), { kind: 'failed', reason: 'Slack API error not_in_channel' }],
    [platform('invalid_blocks'), { kind: 'failed', reason: 'Slack API error invalid_blocks' }],
    [platform('ratelimited'), { kind: 'retry', reason: 'Slack API error ratelimited' }],
    [platform('internal_error'), { kind: 'retry', reason: 'Slack API error internal_error' }],
    [platform('fatal_error'), { kind: 'retry', reason: 'Slack API error fatal_error' }],
    [platform('service_unavailable'), { kind: 'retry', reason: 'Slack API error service_unavailable' }],
    [
      { code: 'slack_webapi_http_error', statusCode: 503 },
      { kind: 'retry', reason: 'Slack HTTP 503' },
    ],
    [
      { code: 'slack_webapi_http_error', statusCode: 404 },
      { kind: 'failed', reason: 'Slack HTTP 404' },
    ],
    [
      { code: 'slack_webapi_request_error', original: { message: 'connect ECONNREFUSED 127.0.0.1:9' } },
      { kind: 'retry', reason: 'Slack request failed: connect ECONNREFUSED 127.0.0.1:9' },
    ],
    [new Error('unexpected'), { kind: 'retry', reason: 'unexpected' }],
  ])('%p', (error, outcome) => {
    expect(classifySlackError(error)).toEqual(outcome);
  });
});
