/**
 * The plugin warm-up (issue 15, "no cold start"): the synthetic message is a valid channel
 * message; the warm-up runs the SDK's decoder, requests on the real NATS connection and ledger
 * reads on a real KV bucket, then the plugin's hook; a failing hook never stops a start; and
 * `runPlugin` starts consuming only once the warm-up ended, with the start-up's garbage given back.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { createInbox, type NatsConnection } from '@nats-io/transport-node';
import { getHeapStatistics } from 'node:v8';
import { connectNats } from '../jetstream/connect.js';
import { SINGLE_REPLICA } from '../jetstream/stream-storage.js';
import { resolveNatsUrl, uniquePrefix } from '../testing/index.js';
import { startPluginHarness } from '../testing/plugin-harness.js';
import { recordingLogger, type LoggedLine } from '../testing/recording-logger.js';
import { DeliveryLedger } from './delivery-ledger.js';
import { StreamPublisher } from '../jetstream/stream-publisher.js';
import { decodeChannelMessage } from './run-plugin.js';
import { MAX_WARM_UP_DECODES, MAX_WARM_UP_REQUESTS, syntheticChannelMessage, warmUpPlugin } from './warm-up.js';
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

/** A decoder of its own: the warm-up warms each decoder (and each connection) once per process. */
const freshDecoder = () => (data: Uint8Array) => decodeChannelMessage(data);

describe('warmUpPlugin', () => {
  it('decodes, requests and reads the ledger, then runs the hook, and says so', async () => {
    const ledger = await DeliveryLedger.open(nc, bucket, SINGLE_REPLICA, new StreamPublisher(nc));
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
      freshDecoder(),
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
    // bounded by count as well as by time: more only made garbage before the first message
    expect(lines[0]!.fields['decoded']).toBeLessThanOrEqual(MAX_WARM_UP_DECODES);
    expect(lines[0]!.fields['requests']).toBeLessThanOrEqual(MAX_WARM_UP_REQUESTS);
    expect(lines[0]!.fields['reused']).toBeUndefined();
  });

  it("sends half its requests with a delivered channel message's headers (ChannelPublisher's and Nats-Msg-Id), answered with its Nats-Msg-Id, as a consumer is delivered them", async () => {
    // an observer on another connection sees every request and reply on the inbox subjects (other
    // test files' too: only this connection's are counted, by the reply prefix it is found to use)
    const observer = await connectNats({ url: await resolveNatsUrl(), name: 'warm-up-spec-observer' });
    const connection = await connectNats({ url: await resolveNatsUrl(), name: 'warm-up-spec-headers' });
    type Seen = { subject: string; reply: string | undefined; headers: Record<string, string> | null };
    const seen: Seen[] = [];
    try {
      const probe = createInbox();
      observer.subscribe(probe, {
        max: 1,
        callback: (_error, msg) => {
          msg.respond();
        },
      });
      observer.subscribe('_INBOX.>', {
        callback: (_error, msg) => {
          const h = msg.headers;
          seen.push({
            subject: msg.subject,
            reply: msg.reply,
            headers: h ? Object.fromEntries([...h.keys()].map((k) => [k, h.get(k)])) : null,
          });
        },
      });
      await observer.flush();
      await connection.request(probe, undefined, { timeout: 2_000 });
      const probed = seen.find((m) => m.subject === probe)?.reply;
      expect(probed).toMatch(/^_INBOX\.[^.]+\.[^.]+$/);
      const replyPrefix = probed!.slice(0, probed!.lastIndexOf('.') + 1);

      const lines: LoggedLine[] = [];
      await warmUpPlugin({ channel: 'spec-headers' }, freshDecoder(), recordingLogger(lines), { connection });
      await connection.flush();
      await observer.flush();
      const requests = lines[0]!.fields['requests'] as number;
      expect(requests).toBeGreaterThanOrEqual(16);
      const sent = seen.filter((m) => m.subject !== probe && m.reply?.startsWith(replyPrefix) === true);
      const answered = seen.filter((m) => m.subject.startsWith(replyPrefix) && m.subject !== probed);
      expect(sent).toHaveLength(requests);
      expect(answered).toHaveLength(requests);
      const withHeaders = sent.filter((m) => m.headers !== null);
      expect(withHeaders).toHaveLength(requests / 2);
      for (const m of withHeaders) {
        expect(m.headers).toEqual({
          'Nats-Msg-Id': expect.stringMatching(/^herald-warm-up:\d+$/),
          'Herald-Event-Id': m.headers!['Nats-Msg-Id'],
          'Herald-Event-Type': 'product_added',
        });
      }
      // each answered with its own Nats-Msg-Id; the other half bare both ways
      const answeredWithHeaders = answered.filter((m) => m.headers !== null);
      expect(answeredWithHeaders.map((m) => m.headers).sort((a, b) => a!['Nats-Msg-Id']!.localeCompare(b!['Nats-Msg-Id']!))).toEqual(
        withHeaders
          .map((m) => ({ 'Nats-Msg-Id': m.headers!['Nats-Msg-Id'] }))
          .sort((a, b) => a['Nats-Msg-Id']!.localeCompare(b['Nats-Msg-Id']!)),
      );
      expect(lines[0]).toMatchObject({ level: 'info', message: 'warmed up' });
    } finally {
      await connection.close();
      await observer.close();
    }
  });

  it('warms a decoder and a connection once per process: a second plugin on them runs only what is new to it', async () => {
    const connection = await connectNats({ url: await resolveNatsUrl(), name: 'warm-up-spec-shared' });
    const another = await connectNats({ url: await resolveNatsUrl(), name: 'warm-up-spec-another' });
    try {
      const decode = freshDecoder();
      const hooks: string[] = [];
      const plugin = (channel: string) => ({
        channel,
        warmUp: () => {
          hooks.push(channel);
          return Promise.resolve();
        },
      });
      const first: LoggedLine[] = [];
      await warmUpPlugin(plugin('first'), decode, recordingLogger(first), { connection });
      expect(first[0]!.fields['decoded']).toBeGreaterThan(0);
      expect(first[0]!.fields['requests']).toBeGreaterThanOrEqual(16);

      // the same decoder and connection, no ledger: nothing of the SDK's is run again, the hook is
      const second: LoggedLine[] = [];
      await warmUpPlugin(plugin('second'), decode, recordingLogger(second), { connection });
      expect(second[0]).toMatchObject({
        level: 'info',
        message: 'warmed up',
        fields: { channel: 'second', decoded: 0, requests: 0, reused: ['decode', 'requests'] },
      });

      // a plugin with a ledger: its reads were never warmed on this connection, so the requests run again with them
      const ledger = await DeliveryLedger.open(connection, bucket, SINGLE_REPLICA, new StreamPublisher(connection));
      const ledgerReads: string[] = [];
      const third: LoggedLine[] = [];
      await warmUpPlugin(plugin('third'), decode, recordingLogger(third), {
        connection,
        ledgerGet: async (id) => {
          ledgerReads.push(id);
          return ledger.get(id);
        },
      });
      expect(third[0]!.fields['decoded']).toBe(0);
      expect(third[0]!.fields['reused']).toEqual(['decode']);
      expect(third[0]!.fields['requests']).toBeGreaterThanOrEqual(16);
      expect(ledgerReads.length).toBe(third[0]!.fields['requests']);

      // another connection is warmed on its own
      const fourth: LoggedLine[] = [];
      await warmUpPlugin(plugin('fourth'), decode, recordingLogger(fourth), { connection: another });
      expect(fourth[0]!.fields['requests']).toBeGreaterThanOrEqual(16);
      expect(fourth[0]!.fields['reused']).toEqual(['decode']);
      expect(hooks).toEqual(['first', 'second', 'third', 'fourth']);
    } finally {
      await connection.close();
      await another.close();
    }
  });

  it('logs a failing hook as a warning and resolves: the plugin starts cold, not never', async () => {
    const lines: LoggedLine[] = [];
    await warmUpPlugin(
      {
        channel: 'spec',
        warmUp: () => Promise.reject(new Error('local server refused')),
      },
      freshDecoder(),
      recordingLogger(lines),
    );
    expect(lines.map((l) => [l.level, l.message])).toEqual([['warn', 'warm-up failed; starting without it']]);
    expect(String(lines[0]!.fields['error'])).toMatch(/local server refused/);
  });
});

describe('runPlugin with a warm-up', () => {
  it("gives the start-up's garbage back before it consumes", async () => {
    const fixture = testPlugin();
    let heapAfterWarmUp = 0;
    let heapAtFirstSend = 0;
    const harness = await startPluginHarness({
      plugin: {
        ...fixture.plugin,
        // a start-up that leaves ≈ 100 MB of promoted garbage behind
        warmUp: () => {
          const garbage: Array<{ n: number; text: string }> = [];
          for (let i = 0; i < 1_000_000; i++) garbage.push({ n: i, text: `item ${i}` });
          heapAfterWarmUp = getHeapStatistics().total_heap_size;
          return Promise.resolve();
        },
      },
      config: { token: 'xoxb-plain-secret', room: 'ops' },
    });
    try {
      const message = harness.message();
      fixture.script(message.delivery_id, () => {
        heapAtFirstSend = getHeapStatistics().total_heap_size;
        return outcomes.delivered();
      });
      await harness.publish(message);
      await harness.waitForStatus(message.delivery_id, 'delivered');
      expect(heapAfterWarmUp - heapAtFirstSend).toBeGreaterThan(40 * 1024 * 1024);
    } finally {
      await harness.stop();
    }
  });

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
