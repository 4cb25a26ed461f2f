/**
 * The slack plugin through real JetStream, the official Web API client and a local
 * Slack-compatible server: Block Kit content, DMs found by email (cached, looked up again when the
 * email changes), 429 retried after Retry-After, success decided by `ok` only.
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
import type { SlackConfig } from './config.js';
import { createSlackPlugin } from './plugin.js';
import { loadSlackTemplates } from './start.js';
import { slackWebApi } from './transport.js';
import { startSlackServer, type SlackServer } from './testing/slack-server.js';

const TOKEN = 'xoxb-test-token';
let nc: NatsConnection;
let slack: SlackServer;
let running: RunningPlugin<SlackConfig>;
const prefix = uniquePrefix('slack');

beforeAll(async () => {
  nc = await connectNats({ url: await resolveNatsUrl(), name: 'slack-integration' });
  slack = await startSlackServer({ token: TOKEN });
  slack.users.set('alice@example.com', 'U0ALICE');
  slack.users.set('alice@corp.example', 'U0ALICE2');
  running = await runPlugin(
    createSlackPlugin({ api: slackWebApi({ apiUrl: slack.apiUrl, timeoutMs: 5_000 }), templates: loadSlackTemplates(undefined) }),
    {
      connection: nc,
      logger: silentLogger,
      prefix,
      concurrency: 1,
      backoff: { baseMs: 50, maxMs: 500 },
      maxAttempts: 4,
      config: { token: TOKEN, channel: '#security', username: 'DefectDojo' },
    },
  );
});

afterAll(async () => {
  await running.stop(5_000);
  await slack.close();
  await deleteTopology(nc, topology({ prefix }));
  await nc.close();
});

const postsTo = (channel: string, marker: string) => slack.posts.filter((p) => p.channel === channel && p.text.includes(marker));

describe('slack plugin', () => {
  it('posts a system scan_added to the configured channel with Block Kit and a fallback text', async () => {
    const message = channelMessage('slack', 'scan_added', { scope: 'system' }, { eventId: 'scan-1' });
    await publishMessage(nc, prefix, message);
    const statuses = await waitForFinal(nc, prefix, 'slack', message.delivery_id);
    expect(statuses.map((s) => s.outcome)).toEqual(['delivered']);
    expect(statuses[0]!.detail).toMatch(/^posted to C0SECURITY \(ts \d+\.000100\)$/);

    const [post, ...more] = postsTo('#security', 'ZAP Scan');
    expect(more).toHaveLength(0);
    expect(post!.username).toBe('DefectDojo');
    expect(post!.text).toBe(
      'Scan Added: ZAP Scan: 2 findings have been updated for test ZAP Scan in engagement Q1 Pentest of product Web Shop while a scan was uploaded.',
    );
    const blocks = post!.blocks as { type: string; text?: { text: string } }[];
    expect(blocks.map((b) => b.type)).toEqual(['header', 'section', 'context']);
    expect(blocks[1]!.text!.text).toContain('• [Critical] <https://dojo.example.com/finding/91|SQL Injection>');
  });

  it('DMs a personal user_mentioned to the Slack user found by email, escaped for mrkdwn', async () => {
    const message = channelMessage('slack', 'user_mentioned', { scope: 'personal', user: alice }, { eventId: 'mention-1' });
    await publishMessage(nc, prefix, message);
    expect((await waitForFinal(nc, prefix, 'slack', message.delivery_id)).map((s) => s.outcome)).toEqual(['delivered']);
    const [post] = postsTo('U0ALICE', 'You were mentioned');
    const blocks = post!.blocks as { type: string; text?: { text: string } }[];
    expect(blocks[1]!.text!.text).toContain('bob wrote: please check &lt;script&gt; &amp; fix');
  });

  it('posts an unknown event type with the default template', async () => {
    const message = channelMessage('slack', 'dummy_foo_event', { scope: 'system' }, { eventId: 'dummy-1' });
    await publishMessage(nc, prefix, message);
    expect((await waitForFinal(nc, prefix, 'slack', message.delivery_id)).map((s) => s.outcome)).toEqual(['delivered']);
    expect(postsTo('#security', 'Dummy Foo Event: Event dummy_foo_event has occurred.')).toHaveLength(1);
  });

  it('looks a DM id up once, reuses it, and looks it up again after the slack_email changed', async () => {
    const user = { ...alice, id: '2', username: 'carol', email: 'carol@example.com', slack_email: 'carol@slack.example' };
    slack.users.set('carol@slack.example', 'U0CAROL');
    slack.users.set('carol@new.example', 'U0CAROLNEW');
    for (const id of ['cache-1', 'cache-2']) {
      const message = channelMessage('slack', 'dummy_foo_event', { scope: 'personal', user }, { eventId: id });
      await publishMessage(nc, prefix, message);
      expect((await waitForFinal(nc, prefix, 'slack', message.delivery_id)).map((s) => s.outcome)).toEqual(['delivered']);
    }
    expect(slack.lookups.filter((e) => e.startsWith('carol@'))).toEqual(['carol@slack.example']);

    const changed = channelMessage(
      'slack',
      'dummy_foo_event',
      { scope: 'personal', user: { ...user, slack_email: 'carol@new.example' } },
      { eventId: 'cache-3' },
    );
    await publishMessage(nc, prefix, changed);
    expect((await waitForFinal(nc, prefix, 'slack', changed.delivery_id)).map((s) => s.outcome)).toEqual(['delivered']);
    expect(slack.lookups.filter((e) => e.startsWith('carol@'))).toEqual(['carol@slack.example', 'carol@new.example']);
    expect(slack.posts.filter((p) => p.channel.startsWith('U0CAROL')).map((p) => p.channel)).toEqual(['U0CAROL', 'U0CAROL', 'U0CAROLNEW']);
  });

  it('drops a personal message when Slack has no user with that email', async () => {
    const message = channelMessage(
      'slack',
      'user_mentioned',
      { scope: 'personal', user: { ...alice, id: '3', email: 'nobody@example.com' } },
      { eventId: 'nobody-1' },
    );
    await publishMessage(nc, prefix, message);
    const statuses = await waitForFinal(nc, prefix, 'slack', message.delivery_id);
    expect(statuses.map((s) => [s.outcome, s.detail])).toEqual([['dropped', 'no Slack user with email nobody@example.com']]);
  });

  it('retries a 429 no earlier than Retry-After, then delivers once', async () => {
    slack.script.push({ kind: 'rate_limited', retryAfterSeconds: 1 });
    const message = channelMessage(
      'slack',
      'dummy_foo_event',
      { scope: 'system' },
      { eventId: 'ratelimit-1', data: { title: 'Rate limited one' } },
    );
    await publishMessage(nc, prefix, message);
    const statuses = await waitForFinal(nc, prefix, 'slack', message.delivery_id);
    expect(statuses.map((s) => s.outcome)).toEqual(['retrying', 'delivered']);
    expect(statuses[0]!.detail).toBe('Slack rate limit (HTTP 429), retry after 1 s');
    const posts = postsTo('#security', 'Rate limited one');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.at - slack.rateLimitedAt.at(-1)!).toBeGreaterThanOrEqual(1_000);
  });

  it('delivers a message whose text contains the word "error" (success is the ok field)', async () => {
    const message = channelMessage(
      'slack',
      'dummy_foo_event',
      { scope: 'system' },
      {
        eventId: 'error-word-1',
        data: { title: 'Parser error in scan', description: 'error: 3 errors found' },
      },
    );
    await publishMessage(nc, prefix, message);
    expect((await waitForFinal(nc, prefix, 'slack', message.delivery_id)).map((s) => s.outcome)).toEqual(['delivered']);
    expect(postsTo('#security', 'Parser error in scan')).toHaveLength(1);
  });

  it.each([
    ['channel_not_found', ['failed']],
    ['internal_error', ['retrying', 'delivered']],
  ])('classifies ok:false %s', async (error, expected) => {
    slack.script.push({ kind: 'error', error });
    const message = channelMessage('slack', 'dummy_foo_event', { scope: 'system' }, { eventId: `okfalse-${error}` });
    await publishMessage(nc, prefix, message);
    const statuses = await waitForFinal(nc, prefix, 'slack', message.delivery_id);
    expect(statuses.map((s) => s.outcome)).toEqual(expected);
    expect(statuses[0]!.detail).toBe(`Slack API error ${error}`);
  });
});
