import { describe, expect, it } from '@jest/globals';
import { msteamsConfigSchema } from './config.js';
import { renderMsteams, type AdaptiveCardMessage, type MessageCard, type MsteamsRequest } from './render.js';
import { loadMsteamsTemplates } from './start.js';
import { alice, channelMessage } from '@herald/contracts/testing';

const templates = loadMsteamsTemplates(undefined);
const adaptive = msteamsConfigSchema.parse({ url: 'https://example.webhook.office.com/workflows/abc' });
const legacy = msteamsConfigSchema.parse({ url: 'https://example.webhook.office.com/webhookb2/abc', format: 'legacy' });

function rendered(result: ReturnType<typeof renderMsteams>): MsteamsRequest {
  if ('kind' in result) throw new Error(`dropped: ${result.reason}`);
  return result;
}

describe('renderMsteams', () => {
  it.each([
    {
      type: 'scan_added' as const,
      title: 'Scan Added: ZAP Scan',
      text: ['**2** findings have been updated for test **ZAP Scan**', '- [Critical] [SQL Injection](https://dojo.example.com/finding/91)'],
      url: 'https://dojo.example.com/test/7',
      facts: [
        { title: 'Product type', value: 'Apps' },
        { title: 'Product', value: 'Web Shop' },
        { title: 'Engagement', value: 'Q1 Pentest' },
        { title: 'Test', value: 'ZAP Scan' },
        { title: 'By', value: 'bob' },
      ],
    },
    {
      type: 'user_mentioned' as const,
      title: 'You were mentioned',
      text: ['**bob** mentioned you on finding **SQL Injection**', 'bob wrote: please check <script> & fix'],
      url: 'https://dojo.example.com/finding/91',
      facts: [
        { title: 'Product type', value: 'Apps' },
        { title: 'Product', value: 'Web Shop' },
        { title: 'Engagement', value: 'Q1 Pentest' },
        { title: 'Test', value: 'ZAP Scan' },
        { title: 'Finding', value: 'SQL Injection' },
        { title: 'By', value: 'bob' },
      ],
    },
    {
      type: 'dummy_foo_event' as const,
      title: 'Dummy Foo Event',
      text: ['**Dummy Foo Event**', 'Event dummy_foo_event has occurred.'],
      url: undefined,
      facts: [],
    },
  ])('renders $type as an Adaptive Card 1.4 message envelope', ({ type, title, text, url, facts }) => {
    const message = channelMessage('msteams', type, { scope: 'system' });
    const request = rendered(renderMsteams(message, adaptive, templates));
    expect(request.url).toBe('https://example.webhook.office.com/workflows/abc');
    const body = request.body as AdaptiveCardMessage;
    const card = body.attachments[0].content;
    expect(body.type).toBe('message');
    expect(body.attachments).toHaveLength(1);
    expect(body.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(body.attachments[0].contentUrl).toBeNull();
    expect([card.$schema, card.type, card.version]).toEqual(['http://adaptivecards.io/schemas/adaptive-card.json', 'AdaptiveCard', '1.4']);
    expect(card.body[0]).toEqual({ type: 'TextBlock', text: title, weight: 'Bolder', size: 'Medium', wrap: true });
    const second = card.body[1];
    for (const piece of text) expect(second?.type === 'TextBlock' ? second.text : '').toContain(piece);
    expect(card.body.find((b) => b.type === 'FactSet')).toEqual(facts.length > 0 ? { type: 'FactSet', facts } : undefined);
    expect(card.body.at(-1)).toEqual({
      type: 'TextBlock',
      text: `${message.event_label} · [Notification settings](https://dojo.example.com/settings)`,
      isSubtle: true,
      size: 'Small',
      wrap: true,
    });
    expect(card.actions).toEqual(url === undefined ? [] : [{ type: 'Action.OpenUrl', title: 'Open', url }]);
  });

  it('renders a legacy MessageCard when format is legacy', () => {
    const request = rendered(renderMsteams(channelMessage('msteams', 'scan_added', { scope: 'system' }), legacy, templates));
    const card = request.body as MessageCard;
    expect(card['@type']).toBe('MessageCard');
    expect(card['@context']).toBe('http://schema.org/extensions');
    expect(card.summary).toBe('Scan Added: ZAP Scan');
    expect(card.title).toBe('Scan Added: ZAP Scan');
    expect(card.sections).toHaveLength(1);
    expect(card.sections[0]!.activitySubtitle).toBe('Scan Added · [Notification settings](https://dojo.example.com/settings)');
    expect(card.sections[0]!.text).toContain('**2** findings have been updated');
    expect(card.sections[0]!.facts).toContainEqual({ name: 'Product', value: 'Web Shop' });
    expect(card.potentialAction).toEqual([
      { '@type': 'OpenUri', name: 'Open', targets: [{ os: 'default', uri: 'https://dojo.example.com/test/7' }] },
    ]);
  });

  it.each([
    [adaptive, { scope: 'personal' as const, user: alice }, 'msteams is system-scope only'],
    [msteamsConfigSchema.parse({}), { scope: 'system' as const }, 'no Teams webhook URL configured (msteams setting "url")'],
  ])('drops with a reason (%#)', (config, destination, reason) => {
    expect(renderMsteams(channelMessage('msteams', 'scan_added', destination), config, templates)).toEqual({ kind: 'dropped', reason });
  });
});
