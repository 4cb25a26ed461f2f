/**
 * How many mails one replica has in flight: by default as many as the SMTP pool has connections
 * (a mail beyond them only waits in the pool, built and held in memory), or
 * `HERALD_PLUGIN_CONCURRENCY` when set. Real JetStream; a transport that holds each mail 150 ms.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats, loadPluginEnv, silentLogger, topology } from '@herald/contracts';
import { channelMessage, deleteTopology, publishMessage, resolveNatsUrl, uniquePrefix, waitForFinal } from '@herald/contracts/testing';
import { startMailPlugin } from './start.js';
import { SMTP_POOL_SIZE, type MailTransport } from './transport.js';

let nc: NatsConnection;
const prefixes: string[] = [];

beforeAll(async () => {
  nc = await connectNats({ url: await resolveNatsUrl(), name: 'mail-concurrency' });
});

afterAll(async () => {
  for (const prefix of prefixes) await deleteTopology(nc, topology({ prefix }));
  await nc.close();
});

/** Starts the mail plugin with `env`, sends `count` mails through a slow transport, returns the most in flight at once. */
async function mostInFlight(env: Record<string, string>, count: number): Promise<number> {
  const prefix = uniquePrefix('mailconc');
  prefixes.push(prefix);
  let inFlight = 0;
  let most = 0;
  const transport: MailTransport = {
    description: 'slow spec transport',
    async send(mail) {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 150));
      inFlight -= 1;
      return { accepted: [...mail.to], rejected: [], response: 'held 150 ms' };
    },
    close: () => undefined,
  };
  const plugin = await startMailPlugin({
    env: loadPluginEnv({ HERALD_SUBJECT_PREFIX: prefix, ...env }, 'mail'),
    mailEnv: { smtpUrl: undefined, dataDir: '.herald', templatesDir: undefined },
    connection: nc,
    logger: silentLogger,
    config: { from: 'dojo@example.com', mail_notifications_to: 'sec@example.com' },
    transport,
  });
  try {
    const messages = Array.from({ length: count }, (_, i) =>
      channelMessage('mail', 'scan_added', { scope: 'system' }, { eventId: `conc-${i}` }),
    );
    for (const message of messages) await publishMessage(nc, prefix, message);
    for (const message of messages) {
      const statuses = await waitForFinal(nc, prefix, 'mail', message.delivery_id);
      expect(statuses.map((s) => s.outcome)).toEqual(['delivered']);
    }
  } finally {
    await plugin.stop(5_000);
  }
  return most;
}

describe('mail plugin concurrency', () => {
  it('sends as many mails at once as the SMTP pool has connections by default', async () => {
    expect(SMTP_POOL_SIZE).toBe(5);
    expect(await mostInFlight({}, 3 * SMTP_POOL_SIZE)).toBe(SMTP_POOL_SIZE);
  }, 30_000);

  it('sends HERALD_PLUGIN_CONCURRENCY mails at once when it is set', async () => {
    expect(await mostInFlight({ HERALD_PLUGIN_CONCURRENCY: '8' }, 24)).toBe(8);
  }, 30_000);
});
