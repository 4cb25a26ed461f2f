/**
 * The mail plugin through real JetStream and a real SMTP server: rendered content, addressing
 * (system → every address once; personal → the user), Message-ID from delivery_id, SMTP 4xx
 * retried and 5xx dead-lettered, and statuses on `<prefix>.status.mail`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats, loadTemplates, runPlugin, silentLogger, topology, type RunningPlugin } from '@herald/contracts';
import {
  alice,
  channelMessage,
  deleteTopology,
  publishMessage,
  readStream,
  resolveNatsUrl,
  statusesInReport,
  uniquePrefix,
  waitForFinal,
} from '@herald/contracts/testing';
import type { MailConfig } from './config.js';
import { createMailPlugin } from './plugin.js';
import { mailMessageId } from './render.js';
import { MAIL_TEMPLATES_DIR } from './start.js';
import { smtpTransport, type MailTransport } from './transport.js';
import { startSmtpReceiver, type SmtpReceiver } from './testing/smtp-receiver.js';

let nc: NatsConnection;
let smtp: SmtpReceiver;
let transport: MailTransport;
let running: RunningPlugin<MailConfig>;
const prefix = uniquePrefix('mail');

beforeAll(async () => {
  nc = await connectNats({ url: await resolveNatsUrl(), name: 'mail-integration' });
  smtp = await startSmtpReceiver();
  transport = smtpTransport({ url: smtp.url, timeoutMs: 5_000 });
  running = await runPlugin(createMailPlugin({ transport, templates: loadTemplates({ defaultsDir: MAIL_TEMPLATES_DIR }) }), {
    connection: nc,
    logger: silentLogger,
    prefix,
    backoff: { baseMs: 100, maxMs: 400 },
    maxAttempts: 4,
    config: { from: 'dojo@example.com', team_name: 'AppSec', mail_notifications_to: 'sec@example.com, ops@example.com, SEC@example.com' },
  });
});

afterAll(async () => {
  await running.stop(5_000);
  transport.close();
  await smtp.close();
  await deleteTopology(nc, topology({ prefix }));
  await nc.close();
});

const mailsWithId = (messageId: string) => smtp.mails.filter((m) => m.parsed.messageId === messageId);

describe('mail plugin', () => {
  it('sends a system scan_added to every address of mail_notifications_to exactly once', async () => {
    const message = channelMessage('mail', 'scan_added', { scope: 'system' }, { eventId: 'scan-1' });
    await publishMessage(nc, prefix, message);
    const statuses = await waitForFinal(nc, prefix, 'mail', message.delivery_id);
    expect(statuses.map((s) => s.outcome)).toEqual(['delivered']);

    const received = mailsWithId(mailMessageId(message.delivery_id));
    expect(received).toHaveLength(1);
    const mail = received[0]!;
    expect([...mail.envelopeTo].sort()).toEqual(['ops@example.com', 'sec@example.com']);
    expect(mail.parsed.subject).toBe('AppSec notification: Scan Added: ZAP Scan');
    expect(mail.parsed.from?.text).toBe('dojo@example.com');
    expect(mail.parsed.text).toContain('2 findings have been updated for test ZAP Scan in engagement Q1 Pentest of product Web Shop');
    expect(mail.parsed.text).toContain('- [Critical] SQL Injection https://dojo.example.com/finding/91');
    expect(mail.parsed.html).toContain('<a href="https:&#47;&#47;dojo.example.com&#47;test&#47;7">View the test</a>');
    expect(mail.parsed.headerLines.find((h) => h.key === 'list-unsubscribe')?.line).toBe(
      'List-Unsubscribe: <https://dojo.example.com/settings>',
    );
    expect(statuses[0]!.detail).toContain(mailMessageId(message.delivery_id));
  });

  it('sends a personal user_mentioned to the user, escaped in HTML', async () => {
    const message = channelMessage('mail', 'user_mentioned', { scope: 'personal', user: alice }, { eventId: 'mention-1' });
    await publishMessage(nc, prefix, message);
    expect((await waitForFinal(nc, prefix, 'mail', message.delivery_id)).map((s) => s.outcome)).toEqual(['delivered']);

    const [mail, ...more] = mailsWithId(mailMessageId(message.delivery_id));
    expect(more).toHaveLength(0);
    expect(mail!.envelopeTo).toEqual(['alice@example.com']);
    expect(mail!.parsed.subject).toBe('AppSec notification: You were mentioned');
    expect(mail!.parsed.text).toContain('Hello Alice Doe,');
    expect(mail!.parsed.html).toContain('bob wrote: please check &#60;script&#62; &#38; fix');
    expect(mail!.parsed.html).not.toContain('<script>');
  });

  it('renders an unknown event type with the default template', async () => {
    const message = channelMessage('mail', 'dummy_foo_event', { scope: 'system' }, { eventId: 'dummy-1' });
    await publishMessage(nc, prefix, message);
    expect((await waitForFinal(nc, prefix, 'mail', message.delivery_id)).map((s) => s.outcome)).toEqual(['delivered']);
    const [mail] = mailsWithId(mailMessageId(message.delivery_id));
    expect(mail!.parsed.subject).toBe('AppSec notification: Dummy Foo Event');
    expect(mail!.parsed.text).toContain('Event dummy_foo_event has occurred.');
  });

  it('reports dropped, with the reason, for a user without email', async () => {
    const message = channelMessage(
      'mail',
      'user_mentioned',
      { scope: 'personal', user: { ...alice, id: '9', email: '' } },
      { eventId: 'noemail-1' },
    );
    await publishMessage(nc, prefix, message);
    const statuses = await waitForFinal(nc, prefix, 'mail', message.delivery_id);
    expect(statuses.map((s) => [s.outcome, s.detail])).toEqual([['dropped', 'user alice has no email address']]);
  });

  it('retries an SMTP 4xx and delivers once the server accepts', async () => {
    smtp.rejectRecipient('busy@example.com', 450);
    const message = channelMessage(
      'mail',
      'user_mentioned',
      { scope: 'personal', user: { ...alice, id: '10', email: 'busy@example.com' } },
      { eventId: 'busy-1' },
    );
    await publishMessage(nc, prefix, message);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const topo = topology({ prefix });
      const seen = (await readStream(nc, topo.streams.status.name, topo.subjects.status('mail')))
        .flatMap((m) => statusesInReport(m.json()))
        .some((s) => s.delivery_id === message.delivery_id);
      if (seen) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    smtp.rejectRecipient('busy@example.com', undefined);
    const statuses = await waitForFinal(nc, prefix, 'mail', message.delivery_id);
    expect(statuses[0]!.outcome).toBe('retrying');
    expect(statuses[0]!.detail).toMatch(/^SMTP 450: /);
    expect(statuses.at(-1)!.outcome).toBe('delivered');
    expect(mailsWithId(mailMessageId(message.delivery_id))).toHaveLength(1);
  });

  it('fails an SMTP 5xx at once and dead-letters it', async () => {
    smtp.rejectRecipient('gone@example.com', 550);
    const message = channelMessage(
      'mail',
      'user_mentioned',
      { scope: 'personal', user: { ...alice, id: '11', email: 'gone@example.com' } },
      { eventId: 'gone-1' },
    );
    await publishMessage(nc, prefix, message);
    const statuses = await waitForFinal(nc, prefix, 'mail', message.delivery_id);
    expect(statuses.map((s) => s.outcome)).toEqual(['failed']);
    expect(statuses[0]!.detail).toMatch(/^SMTP 550: /);
    const topo = topology({ prefix });
    const dead = await readStream(nc, topo.streams.dead.name, topo.subjects.dead('deliver', 'mail'));
    expect(dead.filter((m) => new TextDecoder().decode(m.data).includes(message.delivery_id))).toHaveLength(1);
    expect(mailsWithId(mailMessageId(message.delivery_id))).toHaveLength(0);
  });
});
