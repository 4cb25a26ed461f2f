/**
 * The plugin warm-up (issue 15, "no cold start"): the synthetic message is a valid channel
 * message; the warm-up runs the SDK's decoder, requests on the real NATS connection and ledger
 * reads on a real KV bucket, then the plugin's hook; a failing hook never stops a start; and
 * `runPlugin` starts consuming only once the warm-up ended.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats } from '../jetstream/connect.js';
import { SINGLE_REPLICA } from '../jetstream/stream-storage.js';
import { resolveNatsUrl, uniquePrefix } from '../testing/index.js';
import { startPluginHarness } from '../testing/plugin-harness.js';
import { recordingLogger, type LoggedLine } from '../testing/recording-logger.js';
import { DeliveryLedger } from './delivery-ledger.js';
import { decodeChannelMessage } from './run-plugin.js';
import { syntheticChannelMessage, warmUpPlugin } from './warm-up.js';
import { outcomes } from './plugin.js';
import { testPlugin } from './test-plugin.fixture.js';

let nc: NatsConnection;
const bucket = `${uniquePrefix('warmup').replace(/[.-]/g, '_')}_ledger`;

beforeAll(async () => {
  nc = await connectNats({ url: await resolveNatsUrl(), name: 'warm-up-spec' });
});

afterAll(async () => {
  await (await jetstreamManager(nc)).streams.delete(`KV_${bucket}`).catch(() => undefined);
  await nc?.close();
});

describe('syntheticChannelMessage', () => {
  it.each(['webhooks', 'mail', 'alert'])('is a channel message the SDK decodes, for %s', (channel) => {
    const decoded = decodeChannelMessage(Buffer.from(JSON.stringify(syntheticChannelMessage(channel, 7))));
    expect(decoded).toMatchObject({
      ok: true,
      message: { channel, delivery_id: `herald-warm-up:${channel}:7`, destination: { scope: 'system' } },
    });
  });
});

describe('warmUpPlugin', () => {
  it('decodes, requests and reads the ledger, then runs the hook, and says so', async () => {
    const ledger = await DeliveryLedger.open(nc, bucket, SINGLE_REPLICA);
    const ledgerReads: string[] = [];
    const lines: LoggedLine[] = [];
    let hookRan = false;
    await warmUpPlugin(
      {
        channel: 'spec',
        warmUp: () => {
          hookRan = true;
          return Promise.resolve();
        },
      },
      decodeChannelMessage,
      recordingLogger(lines),
      {
        connection: nc,
        ledgerGet: async (id) => {
          ledgerReads.push(id);
          return ledger.get(id);
        },
      },
    );
    expect(hookRan).toBe(true);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'info', message: 'warmed up', fields: { channel: 'spec' } });
    expect(lines[0]!.fields['decoded']).toBeGreaterThan(0);
    expect(lines[0]!.fields['requests']).toBeGreaterThanOrEqual(16);
    expect(ledgerReads.length).toBe(lines[0]!.fields['requests']);
    // reads only: the ledger holds nothing afterwards
    expect((await (await new Kvm(nc).open(bucket)).status()).values).toBe(0);
  });

  it('logs a failing hook as a warning and resolves: the plugin starts cold, not never', async () => {
    const lines: LoggedLine[] = [];
    await warmUpPlugin(
      {
        channel: 'spec',
        warmUp: () => Promise.reject(new Error('local server refused')),
      },
      decodeChannelMessage,
      recordingLogger(lines),
    );
    expect(lines.map((l) => [l.level, l.message])).toEqual([['warn', 'warm-up failed; starting without it']]);
    expect(String(lines[0]!.fields['error'])).toMatch(/local server refused/);
  });
});

describe('runPlugin with a warm-up', () => {
  it('consumes only after the warm-up ended', async () => {
    const fixture = testPlugin();
    let warmedAt = 0;
    const harness = await startPluginHarness({
      plugin: {
        ...fixture.plugin,
        warmUp: async () => {
          await new Promise((resolve) => setTimeout(resolve, 300));
          warmedAt = Date.now();
        },
      },
      config: { token: 'xoxb-plain-secret', room: 'ops' },
    });
    try {
      const message = harness.message();
      fixture.script(message.delivery_id, () => outcomes.delivered());
      await harness.publish(message);
      await harness.waitForStatus(message.delivery_id, 'delivered');
      expect(warmedAt).toBeGreaterThan(0);
      const [call] = fixture.callsFor(message.delivery_id);
      expect(call!.at).toBeGreaterThanOrEqual(warmedAt);
    } finally {
      await harness.stop();
    }
  });
});
