import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { loadTemplates } from '@herald/contracts';
import { mailConfigSchema } from './config.js';
import { mailMessageId, renderMail, type MailRequest } from './render.js';
import { MAIL_TEMPLATES_DIR } from './start.js';
import { alice, channelMessage, digestChannelMessage } from '@herald/contracts/testing';

const templates = loadTemplates({ defaultsDir: MAIL_TEMPLATES_DIR });
const config = mailConfigSchema.parse({
  from: 'dojo@example.com',
  team_name: 'AppSec',
  mail_notifications_to: 'sec@example.com, ops@example.com ,SEC@example.com,',
});

function rendered(result: ReturnType<typeof renderMail>): MailRequest {
  if ('kind' in result) throw new Error(`dropped: ${result.reason}`);
  return result;
}

describe('renderMail', () => {
  it.each([
    {
      type: 'scan_added' as const,
      personal: false,
      subject: 'AppSec notification: Scan Added: ZAP Scan',
      text: [
        'Hello,',
        '2 findings have been updated for test ZAP Scan in engagement Q1 Pentest of product Web Shop while a scan was uploaded.',
        'New findings (1):\n- [Critical] SQL Injection https://dojo.example.com/finding/91',
        'Mitigated findings (1):\n- [Medium] Reflected XSS https://dojo.example.com/finding/12',
        'View the test: https://dojo.example.com/test/7',
        'change them or unsubscribe at https://dojo.example.com/settings',
      ],
      html: [
        '<strong>2</strong> findings have been updated for test <strong>ZAP Scan</strong>',
        '<li>[Critical] <a href="https:&#47;&#47;dojo.example.com&#47;finding&#47;91">SQL Injection</a></li>',
        '<a href="https:&#47;&#47;dojo.example.com&#47;settings">change them or unsubscribe</a>',
      ],
      absent: ['Reactivated findings', 'Untouched findings', 'undefined'],
    },
    {
      type: 'user_mentioned' as const,
      personal: true,
      subject: 'AppSec notification: You were mentioned',
      text: [
        'Hello Alice Doe,',
        'bob mentioned you on finding SQL Injection (Web Shop).',
        'bob wrote: please check <script> & fix',
        'View the note: https://dojo.example.com/finding/91',
      ],
      html: ['<strong>bob</strong> mentioned you', 'bob wrote: please check &#60;script&#62; &#38; fix'],
      absent: ['undefined'],
    },
    {
      type: 'dummy_foo_event' as const,
      personal: false,
      subject: 'AppSec notification: Dummy Foo Event',
      text: ['Dummy Foo Event', 'Event dummy_foo_event has occurred.', 'AppSec notifications (Dummy Foo Event)'],
      html: ['<strong>Dummy Foo Event</strong>', '<p>Event dummy_foo_event has occurred.</p>'],
      absent: ['View in', 'Product:', 'undefined'],
    },
  ])('renders $type', ({ type, personal, subject, text, html, absent }) => {
    const message = channelMessage('mail', type, personal ? { scope: 'personal', user: alice } : { scope: 'system' });
    const mail = rendered(renderMail(message, config, templates));
    expect(mail.subject).toBe(subject);
    for (const piece of text) expect(mail.text).toContain(piece);
    for (const piece of html) expect(mail.html).toContain(piece);
    for (const piece of absent) {
      expect(mail.text).not.toContain(piece);
      expect(mail.html).not.toContain(piece);
    }
    expect(mail.html).not.toContain('<script>');
    expect(mail.from).toBe('dojo@example.com');
    expect(mail.to).toEqual(personal ? ['alice@example.com'] : ['sec@example.com', 'ops@example.com']);
  });

  it('derives the Message-ID from delivery_id: the same id always, another id for another delivery', () => {
    const system = rendered(renderMail(channelMessage('mail', 'scan_added', { scope: 'system' }), config, templates));
    const again = rendered(renderMail(channelMessage('mail', 'scan_added', { scope: 'system' }), config, templates));
    const personal = rendered(renderMail(channelMessage('mail', 'scan_added', { scope: 'personal', user: alice }), config, templates));
    const hash = createHash('sha256').update('defectdojo:ev-scan_added:mail:system').digest('hex');
    expect(system.messageId).toBe(`<${hash}@herald>`);
    expect(again.messageId).toBe(system.messageId);
    expect(personal.messageId).toBe(mailMessageId('defectdojo:ev-scan_added:mail:user-1'));
    expect(personal.messageId).not.toBe(system.messageId);
  });

  it('keeps the subject on one line whatever the title holds', () => {
    const message = channelMessage(
      'mail',
      'dummy_foo_event',
      { scope: 'system' },
      { data: { title: 'line one\r\nBcc: evil@example.com' } },
    );
    expect(rendered(renderMail(message, config, templates)).subject).toBe('AppSec notification: line one Bcc: evil@example.com');
  });

  it('adds a List-Unsubscribe header pointing at the settings page', () => {
    const mail = rendered(renderMail(channelMessage('mail', 'scan_added', { scope: 'system' }), config, templates));
    expect(mail.headers['List-Unsubscribe']).toBe('<https://dojo.example.com/settings>');
    expect(mail.headers['X-Herald-Event-Type']).toBe('scan_added');
    expect(mail.headers['List-Unsubscribe-Post']).toBeUndefined();
  });

  it('offers one-click unsubscribe (RFC 8058) first when the message carries a link, in the headers and the footer', () => {
    const link = 'https://herald.example.com/api/v1/unsubscribe/u1.abc.def';
    const message = { ...channelMessage('mail', 'scan_added', { scope: 'personal', user: alice }), unsubscribe_url: link };
    const mail = rendered(renderMail(message, config, templates));
    expect(mail.headers['List-Unsubscribe']).toBe(`<${link}>, <https://dojo.example.com/settings>`);
    expect(mail.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(mail.text).toContain(`Unsubscribe from Scan Added mails in one click: ${link}`);
    expect(mail.html).toContain(
      '<a href="https:&#47;&#47;herald.example.com&#47;api&#47;v1&#47;unsubscribe&#47;u1.abc.def">Unsubscribe from',
    );
  });

  it('ignores an unsubscribe link that is not http(s)', () => {
    const message = { ...channelMessage('mail', 'scan_added', { scope: 'personal', user: alice }), unsubscribe_url: 'javascript:alert(1)' };
    const mail = rendered(renderMail(message, config, templates));
    expect(mail.headers['List-Unsubscribe']).toBe('<https://dojo.example.com/settings>');
    expect(mail.headers['List-Unsubscribe-Post']).toBeUndefined();
    expect(mail.text).not.toContain('javascript');
  });

  it.each([
    [{ scope: 'personal' as const, user: { ...alice, email: '' } }, config, 'user alice has no email address'],
    [
      { scope: 'system' as const },
      mailConfigSchema.parse({ mail_notifications_to: ' , ' }),
      'no system recipients: the mail setting mail_notifications_to is empty',
    ],
  ])('drops with a reason when there is no address (%#)', (destination, cfg, reason) => {
    expect(renderMail(channelMessage('mail', 'scan_added', destination), cfg, templates)).toEqual({ kind: 'dropped', reason });
  });
});

describe('renderMail of a digest (SPEC §3.6)', () => {
  it('renders one mail listing every item, with the digest templates', () => {
    const items = ['First', 'Second <b>'].map((title, index) =>
      channelMessage('mail', 'user_mentioned', { scope: 'personal', user: alice }, { eventId: `m-${index}`, data: { title } }),
    );
    const mail = rendered(renderMail(digestChannelMessage(items), config, templates));
    expect(mail.to).toEqual(['alice@example.com']);
    expect(mail.subject).toBe('AppSec notification: 2 User Mentioned notifications (hourly digest)');
    expect(mail.text).toContain('Hello Alice Doe,');
    expect(mail.text).toContain('- First (https://dojo.example.com/finding/91)');
    expect(mail.text).toContain('- Second <b> (https://dojo.example.com/finding/91)');
    expect(mail.html).toContain('<a href="https:&#47;&#47;dojo.example.com&#47;finding&#47;91">Second &#60;b&#62;</a>');
    expect(mail.html.match(/<li>/g)).toHaveLength(2);
    expect(mail.messageId).toBe(mailMessageId('digest:1:mail:user_mentioned:2026-03-01T11:00:00Z'));
  });
});
