import { describe, expect, it } from '@jest/globals';
import { loadWebhooksEnv, webhooksConfigSchema } from './config.js';

describe('loadWebhooksEnv', () => {
  it('applies defaults', () => {
    expect(loadWebhooksEnv({})).toEqual({
      databaseUrl: undefined,
      dataDir: '.herald',
      siteUrl: 'http://localhost:8080',
      allowPrivate: [],
      timeoutSecondsOverride: undefined,
      maxDeferSeconds: 86_400,
    });
  });

  it('parses HERALD_WEBHOOKS_MAX_DEFER_SECONDS and refuses values that cannot work', () => {
    expect(loadWebhooksEnv({ HERALD_WEBHOOKS_MAX_DEFER_SECONDS: '3600' }).maxDeferSeconds).toBe(3_600);
    expect(() => loadWebhooksEnv({ HERALD_WEBHOOKS_MAX_DEFER_SECONDS: '10' })).toThrow(
      /HERALD_WEBHOOKS_MAX_DEFER_SECONDS: must be at least 60 \(one reactivation period\)/,
    );
    expect(() => loadWebhooksEnv({ HERALD_WEBHOOKS_MAX_DEFER_SECONDS: 'a day' })).toThrow(
      /HERALD_WEBHOOKS_MAX_DEFER_SECONDS: must be a number of seconds/,
    );
  });

  it('parses the allow list and the timeout override', () => {
    const env = loadWebhooksEnv({
      HERALD_WEBHOOKS_ALLOW_PRIVATE: '127.0.0.0/8,::1/128',
      HERALD_WEBHOOKS_TIMEOUT_SECONDS: '5',
      HERALD_SITE_URL: 'https://dojo.example.com/',
    });
    expect(env.allowPrivate.map((c) => c.text)).toEqual(['127.0.0.0/8', '::1/128']);
    expect(env.timeoutSecondsOverride).toBe(5);
    expect(env.siteUrl).toBe('https://dojo.example.com');
  });

  it('lists every bad variable in one error', () => {
    expect(() => loadWebhooksEnv({ DATABASE_URL: 'mysql://x', HERALD_WEBHOOKS_ALLOW_PRIVATE: 'nope' })).toThrow(
      /DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL.*HERALD_WEBHOOKS_ALLOW_PRIVATE: .*"nope"/s,
    );
  });
});

describe('webhooksConfigSchema', () => {
  it('defaults timeout_seconds to 10 and refuses unknown settings', () => {
    expect(webhooksConfigSchema.parse({})).toEqual({ timeout_seconds: 10 });
    expect(webhooksConfigSchema.safeParse({ timeout_seconds: 10, retries: 3 }).success).toBe(false);
  });
});
