import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { silentLogger } from '../logger.js';
import { SecretBox } from '../secrets/secret-box.js';
import { startPluginHarness, type PluginHarness } from '../testing/plugin-harness.js';
import { waitFor } from '../testing/jetstream.js';
import { pluginBuckets } from './buckets.js';
import { pluginHttpHandler } from './plugin-http-handler.js';
import { tokenDigest, type AuthRequest } from './http.js';
import type { PluginRegistrationEntry } from './plugin-registration.js';
import { outcomes } from './plugin.js';
import { FlakyProviderError, testPlugin, type TestConfig, type TestPlugin } from './test-plugin.fixture.js';

describe('runPlugin: outcomes, retries, dead letters, idempotency', () => {
  let fixture: TestPlugin;
  let harness: PluginHarness<TestConfig>;

  beforeAll(async () => {
    fixture = testPlugin();
    harness = await startPluginHarness({
      plugin: fixture.plugin,
      config: { token: 'xoxb-plain-secret', room: 'ops' },
      runOptions: { maxAttempts: 3, backoff: { baseMs: 50, maxMs: 200 } },
    });
  });
  afterAll(async () => {
    await harness.stop();
  });

  it('delivers with the secret opened from its sealed KV value, reports delivered and acks', async () => {
    const stored = (await (await new Kvm(harness.connection).open(pluginBuckets(harness.prefix).config)).get('spec'))?.json<{
      settings: Record<string, string>;
    }>();
    expect(SecretBox.isSealed(stored?.settings['token'])).toBe(true);

    const id = await harness.publish({ event: { data: { title: 'Scan Added' } } });
    const status = await harness.waitForStatus(id, 'delivered');
    expect(status).toMatchObject({ delivery_id: id, channel: 'spec', attempt: 1, destination: { scope: 'system' } });
    await harness.idle();
    expect(fixture.callsFor(id)).toHaveLength(1);
    expect(fixture.callsFor(id)[0]).toMatchObject({
      attempt: 1,
      config: { token: 'xoxb-plain-secret', room: 'ops' },
      request: { text: 'Scan Added (system)', room: 'ops' },
    });
  });

  it('retries no sooner than Retry-After, reporting retrying then delivered', async () => {
    const message = harness.message();
    fixture.script(message.delivery_id, (attempt) =>
      attempt === 1 ? outcomes.retry('429 Too Many Requests', 600) : outcomes.delivered('ok'),
    );
    await harness.publish(message);
    await harness.waitForStatus(message.delivery_id, 'delivered');
    const calls = fixture.callsFor(message.delivery_id);
    expect(calls.map((c) => c.attempt)).toEqual([1, 2]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(600);
    const statuses = await harness.statuses(message.delivery_id);
    expect(statuses.map((s) => s.outcome)).toEqual(['retrying', 'delivered']);
    expect(statuses[0]).toMatchObject({ detail: '429 Too Many Requests', attempt: 1 });
    expect((statuses[0] as { retry_in_ms: number }).retry_in_ms).toBeGreaterThanOrEqual(600);
  });

  it('classifies a thrown error with classifyError and retries it', async () => {
    const message = harness.message();
    fixture.script(message.delivery_id, (attempt) => (attempt === 1 ? new FlakyProviderError() : outcomes.delivered()));
    await harness.publish(message);
    await harness.waitForStatus(message.delivery_id, 'delivered');
    expect((await harness.statuses(message.delivery_id)).map((s) => [s.outcome, s.detail])).toEqual([
      ['retrying', 'provider hiccup'],
      ['delivered', undefined],
    ]);
  });

  it('gives up on the last attempt: failed status, then a dead letter with the reason', async () => {
    const message = harness.message();
    fixture.script(message.delivery_id, () => outcomes.retry('503 Service Unavailable'));
    await harness.publish(message);
    const failed = await harness.waitForStatus(message.delivery_id, 'failed');
    expect(failed).toMatchObject({ attempt: 3, detail: 'gave up after 3 attempts: 503 Service Unavailable' });
    expect((await harness.statuses(message.delivery_id)).map((s) => s.outcome)).toEqual(['retrying', 'retrying', 'failed']);
    const letters = await waitFor(
      () => harness.deadLetters(),
      (list) => list.some((l) => l.event_id === message.event.id),
    );
    const letter = letters.find((l) => l.event_id === message.event.id);
    expect(letter).toMatchObject({
      stage: 'deliver',
      reason: 'gave up after 3 attempts: 503 Service Unavailable',
      subject: `${harness.prefix}.deliver.spec`,
      deliveries: 3,
    });
    expect(JSON.parse(Buffer.from(letter!.payload_base64, 'base64').toString('utf8'))).toMatchObject({ delivery_id: message.delivery_id });
    await harness.idle();
    expect(fixture.callsFor(message.delivery_id)).toHaveLength(3);
  });

  it('dead-letters a permanent failure at once', async () => {
    const message = harness.message();
    fixture.script(message.delivery_id, () => outcomes.failed('channel_not_found'));
    await harness.publish(message);
    expect(await harness.waitForStatus(message.delivery_id, 'failed')).toMatchObject({ attempt: 1, detail: 'channel_not_found' });
    const letters = await waitFor(
      () => harness.deadLetters(),
      (list) => list.some((l) => l.event_id === message.event.id),
    );
    expect(letters.find((l) => l.event_id === message.event.id)?.reason).toBe('channel_not_found');
    expect(fixture.callsFor(message.delivery_id)).toHaveLength(1);
  });

  it('reports dropped outcomes from send and from render, with the reason', async () => {
    const fromSend = harness.message();
    fixture.script(fromSend.delivery_id, () => outcomes.dropped('no Slack user with that email'));
    await harness.publish(fromSend);
    expect(await harness.waitForStatus(fromSend.delivery_id, 'dropped')).toMatchObject({ detail: 'no Slack user with that email' });

    const fromRender = await harness.publish({ event: { data: { title: 'nothing to send' } } });
    expect(await harness.waitForStatus(fromRender, 'dropped')).toMatchObject({ detail: 'nothing to send for this event' });
    expect(fixture.callsFor(fromRender)).toHaveLength(0);
  });

  it('does not send a redelivered message again once it was delivered', async () => {
    const message = harness.message();
    await harness.publish(message, { deduplicate: false });
    await harness.waitForStatus(message.delivery_id, 'delivered');
    await harness.publish(message, { deduplicate: false });
    await harness.idle();
    expect(fixture.callsFor(message.delivery_id)).toHaveLength(1);
    expect((await harness.statuses(message.delivery_id)).map((s) => s.outcome)).toEqual(['delivered']);
    expect(await harness.running.metrics.getSingleMetricAsString('herald_plugin_duplicates_total')).toContain(
      'herald_plugin_duplicates_total{channel="spec"} 1',
    );
  });
});

describe('runPlugin: a plugin that keeps its own idempotency record (idempotentSend)', () => {
  let fixture: TestPlugin;
  let harness: PluginHarness<TestConfig>;

  beforeAll(async () => {
    fixture = testPlugin();
    harness = await startPluginHarness({
      plugin: { ...fixture.plugin, idempotentSend: true },
      config: { token: 'xoxb-plain-secret', room: 'ops' },
      runOptions: { maxAttempts: 3, backoff: { baseMs: 50, maxMs: 200 } },
    });
  });
  afterAll(async () => {
    await harness.stop();
  });

  it('creates no delivery ledger: nothing is read or written there, the send is the record', async () => {
    const message = harness.message();
    await harness.publish(message);
    await harness.waitForStatus(message.delivery_id, 'delivered');
    const bucket = pluginBuckets(harness.prefix).deliveries('spec');
    const jsm = await jetstreamManager(harness.connection);
    await expect(jsm.streams.info(`KV_${bucket}`)).rejects.toThrow(/stream not found/);
    // the lookup tells an absent bucket from a present one: the configuration bucket is there
    expect((await jsm.streams.info(`KV_${pluginBuckets(harness.prefix).config}`)).config.name).toBe(
      `KV_${pluginBuckets(harness.prefix).config}`,
    );
  });

  it('hands a redelivered message to send again (the plugin answers from its own record) and reports each outcome', async () => {
    const message = harness.message();
    // the plugin's own record, as a plugin with idempotentSend keeps it: a settled delivery is not sent again
    const settled = new Set<string>();
    fixture.script(message.delivery_id, (attempt) => {
      if (settled.has(message.delivery_id)) return outcomes.delivered('delivered by an earlier attempt');
      settled.add(message.delivery_id);
      return attempt === 1 ? outcomes.delivered('sent') : new Error('unexpected attempt');
    });
    await harness.publish(message, { deduplicate: false });
    await harness.waitForStatus(message.delivery_id, 'delivered');
    await harness.publish(message, { deduplicate: false });
    await harness.idle();
    expect(fixture.callsFor(message.delivery_id).map((c) => c.attempt)).toEqual([1, 1]);
    // both copies are first deliveries: the same status id, stored once by JetStream
    expect((await harness.statuses(message.delivery_id)).map((s) => [s.outcome, s.attempt, s.detail])).toEqual([['delivered', 1, 'sent']]);
    expect(await harness.running.metrics.getSingleMetricAsString('herald_plugin_duplicates_total')).toContain(
      'herald_plugin_duplicates_total{channel="spec"} 0',
    );
  });

  it('retries and dead-letters as without it', async () => {
    const retried = harness.message();
    fixture.script(retried.delivery_id, (attempt) => (attempt < 2 ? new FlakyProviderError() : outcomes.delivered()));
    await harness.publish(retried);
    expect(await harness.waitForStatus(retried.delivery_id, 'delivered')).toMatchObject({ attempt: 2 });
    expect((await harness.statuses(retried.delivery_id)).map((s) => s.outcome)).toEqual(['retrying', 'delivered']);

    const failed = harness.message();
    fixture.script(failed.delivery_id, () => outcomes.failed('channel_not_found'));
    await harness.publish(failed);
    await harness.waitForStatus(failed.delivery_id, 'failed');
    const letters = await waitFor(
      () => harness.deadLetters(),
      (list) => list.some((l) => l.event_id === failed.event.id),
    );
    expect(letters.find((l) => l.event_id === failed.event.id)?.reason).toBe('channel_not_found');
  });
});

describe('runPlugin: channel configuration', () => {
  const harnesses: Array<PluginHarness<TestConfig>> = [];
  afterAll(async () => {
    await Promise.all(harnesses.map((h) => h.stop()));
  });
  const start = async (options: Omit<Parameters<typeof startPluginHarness<TestConfig, unknown>>[0], 'plugin'> = {}) => {
    const fixture = testPlugin();
    const harness = await startPluginHarness({ ...options, plugin: fixture.plugin });
    harnesses.push(harness);
    return { fixture, harness };
  };

  it('applies a configuration change from KV without a restart', async () => {
    const { fixture, harness } = await start({ config: { token: 't-1', room: 'alpha' } });
    const first = await harness.publish();
    await harness.waitForStatus(first, 'delivered');
    expect(fixture.callsFor(first)[0]?.config).toEqual({ token: 't-1', room: 'alpha' });

    await harness.putConfig({ token: 't-2', room: 'beta' });
    await waitFor(
      () => harness.running.config(),
      (config) => config?.room === 'beta',
    );
    const second = await harness.publish();
    await harness.waitForStatus(second, 'delivered');
    expect(fixture.callsFor(second)[0]?.config).toEqual({ token: 't-2', room: 'beta' });
  });

  it('lets the plugin environment win over KV, field by field', async () => {
    const { fixture, harness } = await start({ config: { token: 'from-kv', room: 'from-kv' }, envConfig: { room: 'from-env' } });
    const id = await harness.publish();
    await harness.waitForStatus(id, 'delivered');
    expect(fixture.callsFor(id)[0]?.config).toEqual({ token: 'from-kv', room: 'from-env' });
  });

  it('drops messages with the reason while the channel is disabled, and sends once it is enabled', async () => {
    const { fixture, harness } = await start({ config: { token: 't' }, enabled: false });
    const dropped = await harness.publish();
    expect(await harness.waitForStatus(dropped, 'dropped')).toMatchObject({ detail: 'channel spec is disabled' });
    expect(fixture.callsFor(dropped)).toHaveLength(0);

    await harness.putConfig({ token: 't' }, true);
    await waitFor(
      () => harness.running.configState().kind,
      (kind) => kind === 'ready',
    );
    const sent = await harness.publish();
    await harness.waitForStatus(sent, 'delivered');
  });

  it('drops messages, naming the missing settings, until a valid configuration exists', async () => {
    const { fixture, harness } = await start();
    const id = await harness.publish();
    const status = await harness.waitForStatus(id, 'dropped');
    expect(status.detail).toMatch(/^channel spec is not configured: token: is required but missing/);
    expect(fixture.calls).toHaveLength(0);
    expect(harness.running.config()).toBeNull();
  });

  it('reports a secret sealed with another key as not configured', async () => {
    const { harness } = await start();
    const other = SecretBox.fromBase64(SecretBox.generateKey());
    const kv = await new Kvm(harness.connection).open(pluginBuckets(harness.prefix).config);
    await kv.put('spec', JSON.stringify({ channel: 'spec', enabled: true, settings: { token: other.seal('x', 'spec.token') } }));
    const state = await waitFor(
      () => harness.running.configState(),
      (s) => s.kind === 'unconfigured' && s.reason.includes('token: secret cannot be opened'),
    );
    expect(state.kind === 'unconfigured' && state.reason).toContain('stored with another key');
  });
});

describe('runPlugin: registration and HTTP server', () => {
  let fixture: TestPlugin;
  let harness: PluginHarness<TestConfig>;
  let base: string;
  let authResponder: { unsubscribe(): void };

  beforeAll(async () => {
    fixture = testPlugin();
    harness = await startPluginHarness({
      plugin: fixture.plugin,
      config: { token: 'secret-token', room: 'ops' },
      runOptions: { httpPort: 0, httpHost: '127.0.0.1', heartbeatMs: 200, instanceId: 'spec-instance-1' },
    });
    base = `http://127.0.0.1:${harness.running.httpPort}`;
    authResponder = harness.connection.subscribe(`${harness.prefix}.internal.auth`, {
      callback: (_error, msg) => {
        const { token_sha256: digest } = msg.json<AuthRequest>();
        msg.respond(
          JSON.stringify(
            digest === tokenDigest('admin-token')
              ? { kind: 'admin' }
              : digest === tokenDigest('user-token')
                ? { kind: 'user', user_id: '7' }
                : { kind: 'invalid' },
          ),
        );
      },
    });
  });
  afterAll(async () => {
    authResponder.unsubscribe();
    await harness.stop();
  });

  it('registers the instance under <channel>.<instance id> and keeps the heartbeat fresh', async () => {
    const kv = await new Kvm(harness.connection).open(pluginBuckets(harness.prefix).plugins);
    const first = (await kv.get('spec.spec-instance-1'))?.json<PluginRegistrationEntry>();
    expect(first).toMatchObject({ name: 'spec', version: '1.2.3', instance_id: 'spec-instance-1' });
    expect(first?.config_schema).toMatchObject({ type: 'object', properties: { token: { type: 'string' }, room: { type: 'string' } } });
    const later = await waitFor(
      async () => (await kv.get('spec.spec-instance-1'))?.json<PluginRegistrationEntry>(),
      (entry) => entry !== undefined && entry.last_heartbeat > first!.last_heartbeat,
    );
    expect(later?.started_at).toBe(first?.started_at);
  });

  it('serves liveness and readiness', async () => {
    const live = await fetch(`${base}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { nats: 'connected', consumer: 'bound' } });
  });

  it('serves Prometheus metrics with the delivery counters', async () => {
    const id = await harness.publish();
    await harness.waitForStatus(id, 'delivered');
    const response = await fetch(`${base}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('herald_plugin_deliveries_total{channel="spec",outcome="delivered"} 1');
    expect(text).toContain('herald_plugin_retries_total{channel="spec"} 0');
    expect(text).toContain('herald_plugin_dead_letters_total{channel="spec"} 0');
    expect(text).toContain('herald_plugin_send_duration_seconds_count{channel="spec",outcome="delivered"} 1');
    expect(text).toMatch(/herald_plugin_consumer_pending\{channel="spec"\} \d+/);
    expect(text).toContain('herald_plugin_config_ready{channel="spec"} 1');
  });

  it('routes /api/v1 to the plugin with the prefix stripped, authenticating through the gateway over NATS', async () => {
    const admin = await fetch(`${base}/api/v1/whoami`, { headers: { authorization: 'Bearer admin-token' } });
    expect(admin.status).toBe(200);
    expect(await admin.json()).toEqual({ kind: 'admin' });
    const user = await fetch(`${base}/api/v1/whoami`, { headers: { authorization: 'Bearer user-token' } });
    expect(await user.json()).toEqual({ kind: 'user', userId: '7' });
    const unknown = await fetch(`${base}/api/v1/whoami`, { headers: { authorization: 'Bearer nope' } });
    expect(unknown.status).toBe(401);
    const config = await fetch(`${base}/api/v1/config`);
    expect(await config.json()).toEqual({ config: { token: 'secret-token', room: 'ops' } });
  });

  it('answers 404 JSON for paths the plugin does not serve', async () => {
    for (const path of ['/api/v1/nothing-here', '/elsewhere']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: { code: 'not_found', message: `No route for GET ${path}`, details: [] } });
    }
  });

  it('builds the same /api/v1 handler for mounting on another app (all-in-one)', async () => {
    const app = express();
    app.use(pluginHttpHandler(fixture.plugin, harness.running));
    app.use((req, res) => {
      res.status(404).json({ fellThrough: req.url });
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const response = await fetch(`http://127.0.0.1:${port}/api/v1/whoami`, { headers: { authorization: 'Bearer admin-token' } });
      expect(await response.json()).toEqual({ kind: 'admin' });
      const other = await fetch(`http://127.0.0.1:${port}/api/v1/settings/system`);
      expect(await other.json()).toEqual({ fellThrough: '/api/v1/settings/system' });
      const fresh = pluginHttpHandler(fixture.plugin, { ...harness.running.httpContext, logger: silentLogger });
      expect(typeof fresh).toBe('function');
    } finally {
      server.close();
    }
  });

  it('removes the registration and closes the server on stop', async () => {
    const kv = await new Kvm(harness.connection).open(pluginBuckets(harness.prefix).plugins);
    await harness.running.stop();
    expect((await kv.get('spec.spec-instance-1'))?.operation).not.toBe('PUT');
    await expect(fetch(`${base}/health/live`)).rejects.toThrow();
  });
});
