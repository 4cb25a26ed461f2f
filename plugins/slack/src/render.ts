/**
 * Pure: channel message + settings → one `chat.postMessage` request (SPEC §5 slack): Block Kit
 * blocks (header, section, context footer) plus the fallback `text` shown in notifications.
 * System messages go to the configured channel; personal ones to the user found by
 * `users.lookupByEmail` on `slack_email`, else `email` (the lookup is the transport's job).
 */
import {
  capText,
  isLinkUrl,
  templateView,
  type ChannelMessage,
  type SendOutcome,
  type TemplateEscaper,
  type TemplateSet,
} from '@herald/contracts';
import type { SlackConfig } from './config.js';

/** Block Kit objects, as plain data (no vendor types in the request). */
export type SlackBlock =
  | { readonly type: 'header'; readonly text: { readonly type: 'plain_text'; readonly text: string; readonly emoji: boolean } }
  | { readonly type: 'section'; readonly text: { readonly type: 'mrkdwn'; readonly text: string } }
  | { readonly type: 'context'; readonly elements: readonly { readonly type: 'mrkdwn'; readonly text: string }[] };

export type SlackTarget =
  { readonly kind: 'channel'; readonly channel: string } | { readonly kind: 'user'; readonly email: string; readonly username: string };

export interface SlackRequest {
  readonly token: string;
  readonly target: SlackTarget;
  readonly username: string;
  /** Fallback text (notifications, screen readers). */
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
}

/** Slack's three control characters in text (https://api.slack.com/reference/surfaces/formatting#escaping). */
export const slackEscape: TemplateEscaper = (value) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Per-field caps, characters, within Block Kit's limits: header text 150, section text 3000,
 * fallback `text` 3000, context element 300 (the event label, at most 100).
 */
export const SLACK_LIMITS = { header: 150, section: 3000, text: 3000, label: 100 } as const;
const truncate = capText;

type Dropped = Extract<SendOutcome, { kind: 'dropped' }>;
const drop = (reason: string): Dropped => ({ kind: 'dropped', reason });

export function renderSlack(message: ChannelMessage, config: SlackConfig, templates: TemplateSet): SlackRequest | Dropped {
  if (config.token === undefined) return drop('no Slack token configured (slack setting "token")');
  let target: SlackTarget;
  if (message.destination.scope === 'personal') {
    const user = message.destination.user;
    const email = (user.slack_email ?? '').trim() || user.email.trim();
    if (email === '') return drop(`user ${user.username} has neither a Slack email nor an email to find their Slack account`);
    target = { kind: 'user', email, username: user.username };
  } else {
    if (config.channel === '') return drop('no Slack system channel configured (slack setting "channel")');
    target = { kind: 'channel', channel: config.channel };
  }
  const full = templateView(message);
  // The templates see the description already capped, so no field grows with the input.
  const view = { ...full, description: capText(full.description, SLACK_LIMITS.section) };
  // a digest (SPEC §3.6) renders with the `digest.<part>` templates, whatever its column
  const type = message.digest === undefined ? message.event.type : 'digest';
  const settings = isLinkUrl(view.settings_url) ? ` · <${slackEscape(view.settings_url)}|Notification settings>` : '';
  return {
    token: config.token,
    target,
    username: config.username,
    text: truncate(templates.render(type, 'text', view).trim(), SLACK_LIMITS.text),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: truncate(view.title, SLACK_LIMITS.header), emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: truncate(templates.render(type, 'mrkdwn', view).trim(), SLACK_LIMITS.section) } },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `${slackEscape(truncate(view.event_label, SLACK_LIMITS.label))}${settings}` }],
      },
    ],
  };
}
