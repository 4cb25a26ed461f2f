/**
 * Hostile event data through every built-in channel's render (the production render functions and
 * shipped templates): a link with a scheme other than http(s) is never rendered as a link, and no
 * field grows with the input (README "Per-field caps").
 */
import { describe, expect, it } from '@jest/globals';
import { loadTemplates, type ChannelMessage, type Destination } from '@herald/contracts';
import { alice, channelMessage } from '@herald/contracts/testing';
import { ALERT_LIMITS, type NewAlert } from '../plugins/alert/src/alert.js';
import { renderAlert } from '../plugins/alert/src/render.js';
import { mailConfigSchema } from '../plugins/mail/src/config.js';
import { MAIL_LIMITS, renderMail } from '../plugins/mail/src/render.js';
import { MAIL_TEMPLATES_DIR } from '../plugins/mail/src/start.js';
import { msteamsConfigSchema } from '../plugins/msteams/src/config.js';
import { MSTEAMS_LIMITS, renderMsteams, type AdaptiveCardMessage, type MessageCard } from '../plugins/msteams/src/render.js';
import { loadMsteamsTemplates } from '../plugins/msteams/src/start.js';
import { slackConfigSchema } from '../plugins/slack/src/config.js';
import { SLACK_LIMITS, renderSlack } from '../plugins/slack/src/render.js';
import { loadSlackTemplates } from '../plugins/slack/src/start.js';
import { WEBHOOK_LIMITS, renderMessage } from '../plugins/webhooks/src/render.js';

const personal: Destination = { scope: 'personal', user: alice };
const system: Destination = { scope: 'system' };
const HUGE = 'T'.repeat(1_000_000);
const BAD_SCHEMES = [
  'javascript:alert(3)',
  'JavaScript:alert(3)',
  'data:text/html,<script>alert(3)</script>',
  'vbscript:msgbox(3)',
  'file:///etc/passwd',
];

function hostile(channel: string, destination: Destination, url: string, big = false): ChannelMessage {
  return channelMessage(channel, 'scan_added', destination, {
    data: {
      url,
      url_api: url,
      ...(big ? { title: HUGE, description: HUGE } : {}),
      test: {
        id: '7',
        name: 'ZAP',
        url_ui: url,
        engagement: { id: '3', name: 'Q1', url: url, product: { id: '1', name: 'Web', url_api: url } },
      },
      findings: { new: [{ id: '91', title: 'SQLi', severity: 'High', url }] },
    },
  });
}

const mail = mailConfigSchema.parse({ from: 'dojo@example.com', team_name: 'AppSec', mail_notifications_to: 'sec@example.com' });
const mailTemplates = loadTemplates({ defaultsDir: MAIL_TEMPLATES_DIR });
const slack = slackConfigSchema.parse({ token: 'xoxb-1', channel: '#sec' });
const slackTemplates = loadSlackTemplates(undefined);
const teamsTemplates = loadMsteamsTemplates(undefined);

function ok<T extends object>(value: T | { readonly kind: 'dropped'; readonly reason: string }): T {
  if ('kind' in value && value.kind === 'dropped') throw new Error(`dropped: ${value.reason}`);
  return value as T;
}

function alertOf(message: ChannelMessage): NewAlert {
  return ok<NewAlert>(renderAlert(message, {}));
}

/** Every string of every channel's rendering of one message. */
function renderAll(url: string, big = false): Record<string, string> {
  const alert = alertOf(hostile('alert', personal, url, big));
  const mailed = ok(renderMail(hostile('mail', personal, url, big), mail, mailTemplates));
  const slacked = ok(renderSlack(hostile('slack', system, url, big), slack, slackTemplates));
  const adaptive = ok(
    renderMsteams(
      hostile('msteams', system, url, big),
      msteamsConfigSchema.parse({ url: 'https://teams.example.com/hook' }),
      teamsTemplates,
    ),
  );
  const legacy = ok(
    renderMsteams(
      hostile('msteams', system, url, big),
      msteamsConfigSchema.parse({ url: 'https://teams.example.com/hook', format: 'legacy' }),
      teamsTemplates,
    ),
  );
  const webhook = renderMessage(hostile('webhooks', system, url, big));
  return {
    alert: JSON.stringify(alert),
    mail: JSON.stringify(mailed),
    slack: JSON.stringify(slacked),
    adaptive: JSON.stringify(adaptive.body),
    legacy: JSON.stringify(legacy.body),
    webhook: webhook.body,
  };
}

describe('link URLs with a scheme other than http(s)', () => {
  it.each(BAD_SCHEMES)('%s is rendered as a link by no channel', (url) => {
    const outputs = renderAll(url);
    for (const [channel, text] of Object.entries(outputs)) {
      // Not in an href, a button, a Slack link, url_ui/url_api: the scheme appears nowhere.
      expect({ channel, found: text.toLowerCase().includes(url.slice(0, url.indexOf(':') + 1).toLowerCase()) }).toEqual({
        channel,
        found: false,
      });
    }
    const alert = alertOf(hostile('alert', personal, url));
    expect(alert.url).toBeNull();
    const payload = JSON.parse(renderMessage(hostile('webhooks', system, url)).body) as Record<string, unknown>;
    expect(payload['url_ui']).toBeUndefined();
    expect(payload['url_api']).toBeUndefined();
    // A scope's own URL that is no link falls back to DefectDojo's route.
    expect((payload['test'] as Record<string, unknown>)['url_ui']).toBe('https://dojo.example.com/test/7');
  });

  it('keeps http(s) and relative links', () => {
    const outputs = renderAll('/finding/91');
    expect(outputs['mail']).toContain('https:&#47;&#47;dojo.example.com&#47;finding&#47;91');
    expect(outputs['webhook']).toContain('"url_ui":"https://dojo.example.com/finding/91"');
    expect(outputs['adaptive']).toContain('"url":"https://dojo.example.com/finding/91"');
    expect(alertOf(hostile('alert', personal, 'https://other.example.com/x')).url).toBe('https://other.example.com/x');
  });
});

describe('links written into event text', () => {
  it.each(BAD_SCHEMES)('a markdown or Slack link to %s in the description is no link in Teams or Slack', (url) => {
    const message = (channel: string) =>
      channelMessage(channel, 'user_mentioned', system, { data: { description: `see [details](${url}) or <${url}|here>` } });
    const teamsConfig = msteamsConfigSchema.parse({ url: 'https://teams.example.com/hook' });
    const card = JSON.stringify(ok(renderMsteams(message('msteams'), teamsConfig, teamsTemplates)).body);
    const targets = [...card.matchAll(/\](?:\\n)?\(([^)]*)\)/g)].map((m) => m[1]);
    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) expect(target).toMatch(/^https:\/\//);
    expect(card).toContain('see [details] (');
    const slacked = JSON.stringify(ok(renderSlack(message('slack'), slack, slackTemplates)));
    const slackLinks = [...slacked.matchAll(/<([^>|]+)\|/g)].map((m) => m[1]);
    for (const target of slackLinks) expect(target).toMatch(/^https:\/\//);
    expect(slacked).toContain('&lt;');
  });

  it('keeps an http(s) markdown link in Teams text', () => {
    const m = channelMessage('msteams', 'user_mentioned', system, { data: { description: 'see [details](https://x.example.com/a)' } });
    const card = JSON.stringify(
      ok(renderMsteams(m, msteamsConfigSchema.parse({ url: 'https://teams.example.com/hook' }), teamsTemplates)).body,
    );
    expect(card).toContain('see [details](https://x.example.com/a)');
  });
});

describe('per-field caps', () => {
  it('a 1 MB title and description stay within every channel cap', () => {
    const alert = alertOf(hostile('alert', personal, '/x', true));
    expect(Array.from(alert.title)).toHaveLength(ALERT_LIMITS.title);
    expect(alert.title.endsWith('…')).toBe(true);
    expect(Array.from(alert.description)).toHaveLength(ALERT_LIMITS.description);

    const mailed = ok(renderMail(hostile('mail', personal, '/x', true), mail, mailTemplates));
    expect(mailed.subject.length).toBeLessThanOrEqual(MAIL_LIMITS.subject);
    expect(mailed.subject.endsWith('…')).toBe(true);
    expect(mailed.text.length).toBeLessThan(MAIL_LIMITS.title + MAIL_LIMITS.description + 5_000);
    expect(mailed.html.length).toBeLessThan(MAIL_LIMITS.title + MAIL_LIMITS.description + 10_000);

    const slacked = ok(renderSlack(hostile('slack', system, '/x', true), slack, slackTemplates));
    expect(slacked.text.length).toBeLessThanOrEqual(SLACK_LIMITS.text);
    const [header, section] = slacked.blocks;
    expect(header?.type === 'header' && header.text.text.length).toBe(SLACK_LIMITS.header);
    expect(section?.type === 'section' && section.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.section);

    const teams = ok(
      renderMsteams(
        hostile('msteams', system, '/x', true),
        msteamsConfigSchema.parse({ url: 'https://teams.example.com/hook' }),
        teamsTemplates,
      ),
    );
    const blocks = (teams.body as AdaptiveCardMessage).attachments[0].content.body;
    const [title, text] = blocks;
    expect(title?.type === 'TextBlock' && title.text.length).toBeLessThanOrEqual(MSTEAMS_LIMITS.title);
    expect(text?.type === 'TextBlock' && text.text.length).toBeLessThanOrEqual(MSTEAMS_LIMITS.text);
    const legacy = ok(
      renderMsteams(
        hostile('msteams', system, '/x', true),
        msteamsConfigSchema.parse({ url: 'https://teams.example.com/hook', format: 'legacy' }),
        teamsTemplates,
      ),
    ).body as MessageCard;
    expect(legacy.title.length).toBeLessThanOrEqual(MSTEAMS_LIMITS.title);
    expect(legacy.sections[0]?.text.length).toBeLessThanOrEqual(MSTEAMS_LIMITS.text);
    expect(JSON.stringify(legacy).length).toBeLessThan(28_000);

    const payload = JSON.parse(renderMessage(hostile('webhooks', system, '/x', true)).body) as { title: string; description: string };
    expect(payload.title).toHaveLength(WEBHOOK_LIMITS.title);
    expect(payload.description).toHaveLength(WEBHOOK_LIMITS.description);
    expect(payload.title.endsWith('…')).toBe(true);
  });

  it('cuts on characters, never inside a surrogate pair', () => {
    const emoji = '😀'.repeat(400);
    const alert = alertOf(channelMessage('alert', 'scan_added', personal, { data: { title: emoji } }));
    expect(Array.from(alert.title)).toHaveLength(ALERT_LIMITS.title);
    expect(alert.title).toBe(`${'😀'.repeat(ALERT_LIMITS.title - 1)}…`);
  });
});
