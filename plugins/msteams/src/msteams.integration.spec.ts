/**
 * The msteams plugin through real JetStream, `node:http` and a local HTTP sink: the exact Adaptive Card
 * envelope, the legacy MessageCard, 429 retried after Retry-After, 4xx failed, redirects refused.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats, runPlugin, silentLogger, topology, type RunningPlugin } from '@herald/contracts';
import {
  alice,
  channelMessage,
  deleteTopology,
  publishMessage,
  resolveNatsUrl,
  uniquePrefix,
  waitForFinal,
} from '@herald/contracts/testing';
import type { MsteamsConfig } from './config.js';
import { createMsteamsPlugin } from './plugin.js';
import { loadMsteamsTemplates } from './start.js';
import { httpTeamsTransport } from './transport.js';
import { startTeamsSink, type TeamsSink } from './testing/teams-sink.js';

let nc: NatsConnection;
let sink: TeamsSink;

async function start(prefix: string, config: Partial<MsteamsConfig>): Promise<RunningPlugin<MsteamsConfig>> {
  return runPlugin(
    createMsteamsPlugin({ transport: httpTeamsTransport({ timeoutMs: 5_000 }), templates: loadMsteamsTemplates(undefined) }),
    {
      connection: nc,
      logger: silentLogger,
      prefix,
      concurrency: 1,
      backoff: { baseMs: 50, maxMs: 500 },
      maxAttempts: 4,
      config,
    },
  );
}

beforeAll(async () => {
  nc = await connectNats({ url: await resolveNatsUrl(), name: 'msteams-integration' });
  sink = await startTeamsSink();
});

afterAll(async () => {
  await sink.close();
  await nc.close();
});

const postsWithTitle = (title: string) =>
  sink.posts.filter((p) => JSON.stringify(p.body).includes(`"text":"${title}"`) || JSON.stringify(p.body).includes(`"summary":"${title}"`));

describe('msteams plugin, adaptive format', () => {
  const prefix = uniquePrefix('teams');
  let running: RunningPlugin<MsteamsConfig>;
  beforeAll(async () => {
    running = await start(prefix, { url: `${sink.url}/workflows/adaptive` });
  });
  afterAll(async () => {
    await running.stop(5_000);
    await deleteTopology(nc, topology({ prefix }));
  });

  it('posts scan_added as the exact Workflows message envelope', async () => {
    const message = channelMessage('msteams', 'scan_added', { scope: 'system' }, { eventId: 'scan-1' });
    await publishMessage(nc, prefix, message);
    expect((await waitForFinal(nc, prefix, 'msteams', message.delivery_id)).map((s) => [s.outcome, s.detail])).toEqual([
      ['delivered', 'Teams answered HTTP 202'],
    ]);
    const [post, ...more] = postsWithTitle('Scan Added: ZAP Scan');
    expect(more).toHaveLength(0);
    expect(post!.path).toBe('/workflows/adaptive');
    expect(post!.contentType).toBe('application/json');
    const body = post!.body as { attachments: [{ content: { body: { type: string; text?: string }[] } }] };
    const text = body.attachments[0].content.body[1]!.text!;
    expect(post!.body).toEqual({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          contentUrl: null,
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            body: [
              { type: 'TextBlock', text: 'Scan Added: ZAP Scan', weight: 'Bolder', size: 'Medium', wrap: true },
              { type: 'TextBlock', text, wrap: true },
              {
                type: 'FactSet',
                facts: [
                  { title: 'Product type', value: 'Apps' },
                  { title: 'Product', value: 'Web Shop' },
                  { title: 'Engagement', value: 'Q1 Pentest' },
                  { title: 'Test', value: 'ZAP Scan' },
                  { title: 'By', value: 'bob' },
                ],
              },
              {
                type: 'TextBlock',
                text: 'Scan Added · [Notification settings](https://dojo.example.com/settings)',
                isSubtle: true,
                size: 'Small',
                wrap: true,
              },
            ],
            actions: [{ type: 'Action.OpenUrl', title: 'Open', url: 'https://dojo.example.com/test/7' }],
          },
        },
      ],
    });
    expect(text).toContain('**2** findings have been updated for test **ZAP Scan** in engagement **Q1 Pentest** of product **Web Shop**');
    expect(text).toContain('**New findings** (1):\n- [Critical] [SQL Injection](https://dojo.example.com/finding/91)');
  });

  it('posts user_mentioned and an unknown event type', async () => {
    const mention = channelMessage('msteams', 'user_mentioned', { scope: 'system' }, { eventId: 'mention-1' });
    const dummy = channelMessage('msteams', 'dummy_foo_event', { scope: 'system' }, { eventId: 'dummy-1' });
    await publishMessage(nc, prefix, mention);
    await publishMessage(nc, prefix, dummy);
    expect((await waitForFinal(nc, prefix, 'msteams', mention.delivery_id)).map((s) => s.outcome)).toEqual(['delivered']);
    expect((await waitForFinal(nc, prefix, 'msteams', dummy.delivery_id)).map((s) => s.outcome)).toEqual(['delivered']);
    expect(JSON.stringify(postsWithTitle('You were mentioned')[0]!.body)).toContain('bob wrote: please check <script> & fix');
    const [unknown] = postsWithTitle('Dummy Foo Event');
    expect(JSON.stringify(unknown!.body)).toContain('Event dummy_foo_event has occurred.');
  });

  it('drops a personal destination: msteams is system-scope only', async () => {
    const message = channelMessage('msteams', 'user_mentioned', { scope: 'personal', user: alice }, { eventId: 'personal-1' });
    await publishMessage(nc, prefix, message);
    expect((await waitForFinal(nc, prefix, 'msteams', message.delivery_id)).map((s) => [s.outcome, s.detail])).toEqual([
      ['dropped', 'msteams is system-scope only'],
    ]);
  });

  it('retries a 429 after Retry-After and delivers once', async () => {
    sink.script.push({ status: 429, headers: { 'retry-after': '1' } });
    const message = channelMessage(
      'msteams',
      'dummy_foo_event',
      { scope: 'system' },
      { eventId: 'throttled-1', data: { title: 'Throttled once' } },
    );
    await publishMessage(nc, prefix, message);
    const statuses = await waitForFinal(nc, prefix, 'msteams', message.delivery_id);
    expect(statuses.map((s) => s.outcome)).toEqual(['retrying', 'delivered']);
    const posts = postsWithTitle('Throttled once');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.at - sink.refused.at(-1)!.at).toBeGreaterThanOrEqual(1_000);
  });

  it.each([
    [{ status: 404, body: 'no such workflow' }, 'Teams answered HTTP 404: no such workflow'],
    [
      { status: 302, headers: { location: 'https://attacker.example/steal' } },
      'Teams answered HTTP 302 (redirects are not followed; configure the final URL)',
    ],
  ])('fails without retrying on %p', async (response, detail) => {
    sink.script.push(response);
    const before = sink.posts.length;
    const message = channelMessage('msteams', 'dummy_foo_event', { scope: 'system' }, { eventId: `refused-${response.status}` });
    await publishMessage(nc, prefix, message);
    expect((await waitForFinal(nc, prefix, 'msteams', message.delivery_id)).map((s) => [s.outcome, s.detail])).toEqual([
      ['failed', detail],
    ]);
    expect(sink.posts.length).toBe(before);
  });
});

describe('msteams plugin, legacy format', () => {
  const prefix = uniquePrefix('teamslegacy');
  let running: RunningPlugin<MsteamsConfig>;
  beforeAll(async () => {
    running = await start(prefix, { url: `${sink.url}/webhookb2/legacy`, format: 'legacy' });
  });
  afterAll(async () => {
    await running.stop(5_000);
    await deleteTopology(nc, topology({ prefix }));
  });

  it('posts a MessageCard', async () => {
    const message = channelMessage('msteams', 'scan_added', { scope: 'system' }, { eventId: 'legacy-1', data: { title: 'Legacy scan' } });
    await publishMessage(nc, prefix, message);
    expect((await waitForFinal(nc, prefix, 'msteams', message.delivery_id)).map((s) => s.outcome)).toEqual(['delivered']);
    const [post] = postsWithTitle('Legacy scan');
    expect(post!.path).toBe('/webhookb2/legacy');
    const card = post!.body as Record<string, unknown> & { sections: { facts: unknown[]; activityTitle: string }[] };
    expect(card['@type']).toBe('MessageCard');
    expect(card['@context']).toBe('http://schema.org/extensions');
    expect(card['summary']).toBe('Legacy scan');
    expect(card.sections[0]!.activityTitle).toBe('Legacy scan');
    expect(card.sections[0]!.facts).toContainEqual({ name: 'Test', value: 'ZAP Scan' });
    expect(card['potentialAction']).toEqual([
      { '@type': 'OpenUri', name: 'Open', targets: [{ os: 'default', uri: 'https://dojo.example.com/test/7' }] },
    ]);
  });
});
