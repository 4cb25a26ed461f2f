import { describe, expect, it } from '@jest/globals';
import { slackConfigSchema } from './config.js';
import { renderSlack, slackEscape, type SlackRequest } from './render.js';
import { loadSlackTemplates } from './start.js';
import { alice, channelMessage, digestChannelMessage } from '@herald/contracts/testing';

const templates = loadSlackTemplates(undefined);
const config = slackConfigSchema.parse({ token: 'xoxb-1', channel: '#security', username: 'DefectDojo' });

function rendered(result: ReturnType<typeof renderSlack>): SlackRequest {
  if ('kind' in result) throw new Error(`dropped: ${result.reason}`);
  return result;
}

function sectionText(request: SlackRequest): string {
  const section = request.blocks.find((b) => b.type === 'section');
  if (section?.type !== 'section') throw new Error('no section block');
  return section.text.text;
}

describe('renderSlack', () => {
  it.each([
    {
      type: 'scan_added' as const,
      personal: false,
      header: 'Scan Added: ZAP Scan',
      text: 'Scan Added: ZAP Scan: 2 findings have been updated for test ZAP Scan in engagement Q1 Pentest of product Web Shop while a scan was uploaded.',
      section: [
        '*2* findings have been updated for test *ZAP Scan*',
        '*New findings* (1):\n• [Critical] <https://dojo.example.com/finding/91|SQL Injection>',
        '*Mitigated findings* (1):\n• [Medium] <https://dojo.example.com/finding/12|Reflected XSS>',
        '<https://dojo.example.com/test/7|View the test>',
      ],
    },
    {
      type: 'user_mentioned' as const,
      personal: true,
      header: 'You were mentioned',
      text: 'You were mentioned: bob mentioned you on finding SQL Injection (Web Shop).',
      section: [
        '*bob* mentioned you on finding *SQL Injection*',
        'bob wrote: please check &lt;script&gt; &amp; fix',
        '<https://dojo.example.com/finding/91|View the note>',
      ],
    },
    {
      type: 'dummy_foo_event' as const,
      personal: false,
      header: 'Dummy Foo Event',
      text: 'Dummy Foo Event: Event dummy_foo_event has occurred.',
      section: ['*Dummy Foo Event*', 'Event dummy_foo_event has occurred.'],
    },
  ])('renders $type as Block Kit with a fallback text', ({ type, personal, header, text, section }) => {
    const request = rendered(
      renderSlack(channelMessage('slack', type, personal ? { scope: 'personal', user: alice } : { scope: 'system' }), config, templates),
    );
    expect(request.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: header, emoji: true } });
    expect(request.text).toBe(text);
    for (const piece of section) expect(sectionText(request)).toContain(piece);
    expect(sectionText(request)).not.toContain('undefined');
    expect(request.blocks[2]).toEqual({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `${channelMessage('slack', type, { scope: 'system' }).event_label} · <https://dojo.example.com/settings|Notification settings>`,
        },
      ],
    });
    expect(request.username).toBe('DefectDojo');
    expect(request.target).toEqual(
      personal ? { kind: 'user', email: 'alice@example.com', username: 'alice' } : { kind: 'channel', channel: '#security' },
    );
  });

  it('looks personal messages up by slack_email first', () => {
    const request = rendered(
      renderSlack(
        channelMessage('slack', 'user_mentioned', { scope: 'personal', user: { ...alice, slack_email: 'alice@corp.slack.example' } }),
        config,
        templates,
      ),
    );
    expect(request.target).toEqual({ kind: 'user', email: 'alice@corp.slack.example', username: 'alice' });
  });

  it.each([
    [slackConfigSchema.parse({ channel: '#security' }), { scope: 'system' as const }, 'no Slack token configured (slack setting "token")'],
    [
      slackConfigSchema.parse({ token: 'xoxb-1' }),
      { scope: 'system' as const },
      'no Slack system channel configured (slack setting "channel")',
    ],
    [
      config,
      { scope: 'personal' as const, user: { ...alice, email: '' } },
      'user alice has neither a Slack email nor an email to find their Slack account',
    ],
  ])('drops with a reason when there is nowhere to post (%#)', (cfg, destination, reason) => {
    expect(renderSlack(channelMessage('slack', 'scan_added', destination), cfg, templates)).toEqual({ kind: 'dropped', reason });
  });

  it('escapes only Slack control characters', () => {
    expect(slackEscape('a & b <c> "d" /e')).toBe('a &amp; b &lt;c&gt; "d" /e');
  });

  it('keeps the header within Block Kit limits', () => {
    const request = rendered(
      renderSlack(channelMessage('slack', 'dummy_foo_event', { scope: 'system' }, { data: { title: 'x'.repeat(400) } }), config, templates),
    );
    const header = request.blocks[0];
    expect(header?.type === 'header' ? header.text.text.length : 0).toBe(150);
  });
});

describe('renderSlack of a digest (SPEC §3.6)', () => {
  it('posts one message whose section lists every item as a link', () => {
    const items = ['First', 'Second & <more>'].map((title, index) =>
      channelMessage('slack', 'user_mentioned', { scope: 'personal', user: alice }, { eventId: `s-${index}`, data: { title } }),
    );
    const request = rendered(renderSlack(digestChannelMessage(items, 'daily at 08:00'), config, templates));
    expect(request.target).toEqual({ kind: 'user', email: 'alice@example.com', username: 'alice' });
    expect(request.text).toBe('2 User Mentioned notifications (daily at 08:00 digest)');
    expect(sectionText(request)).toBe(
      '• <https://dojo.example.com/finding/91|First>\n• <https://dojo.example.com/finding/91|Second &amp; &lt;more&gt;>',
    );
  });
});
