import { loadTemplates } from '@herald/contracts';
import { alice, channelMessage, describePluginConformance, startPluginHarness } from '@herald/contracts/testing';
import { createMailPlugin } from './plugin.js';
import { MAIL_TEMPLATES_DIR } from './start.js';
import { smtpTransport, type MailTransport } from './transport.js';
import { startSmtpReceiver } from './testing/smtp-receiver.js';

const templates = loadTemplates({ defaultsDir: MAIL_TEMPLATES_DIR });
const sampleConfig = { from: 'dojo@example.com', team_name: 'AppSec', mail_notifications_to: 'sec@example.com, ops@example.com' };
const unusedTransport: MailTransport = {
  description: 'none',
  send: () => Promise.reject(new Error('not used by the pure checks')),
  close: () => undefined,
};

describePluginConformance('mail', {
  plugin: createMailPlugin({ transport: unusedTransport, templates }),
  sampleMessages: [
    channelMessage('mail', 'scan_added', { scope: 'system' }),
    channelMessage('mail', 'user_mentioned', { scope: 'personal', user: alice }),
    channelMessage('mail', 'dummy_foo_event', { scope: 'system' }),
  ],
  sampleConfig,
  thrownErrors: [
    Object.assign(new Error('mailbox busy'), { code: 'EENVELOPE', responseCode: 450 }),
    Object.assign(new Error('no such user'), { code: 'EENVELOPE', responseCode: 550 }),
    Object.assign(new Error('connection refused'), { code: 'ECONNECTION' }),
    Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }),
  ],
  harness: async () => {
    const smtp = await startSmtpReceiver();
    const transport = smtpTransport({ url: smtp.url, timeoutMs: 5_000 });
    const harness = await startPluginHarness({ plugin: createMailPlugin({ transport, templates }), config: sampleConfig });
    return {
      harness: {
        ...harness,
        stop: async () => {
          await harness.stop();
          transport.close();
          await smtp.close();
        },
      },
      sentCount: () => smtp.mails.length,
    };
  },
});
