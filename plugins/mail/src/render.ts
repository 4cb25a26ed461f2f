/**
 * Pure: channel message + settings → one mail (SPEC §5 mail). No I/O, deterministic: the same
 * message always renders the same mail, with a `Message-ID` derived from `delivery_id`, so a
 * redelivered message is recognisably the same mail.
 */
import { createHash } from 'node:crypto';
import { capText, isLinkUrl, templateView, type ChannelMessage, type SendOutcome, type TemplateSet } from '@herald/contracts';
import { systemRecipients, type MailConfig } from './config.js';

export interface MailRequest {
  readonly from: string;
  /** Every address gets this one mail once (one SMTP transaction). */
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** `<sha256(delivery_id)@herald>`. */
  readonly messageId: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** `<hex sha256 of delivery_id>@herald`, in angle brackets as the header carries it. */
export function mailMessageId(deliveryId: string): string {
  return `<${createHash('sha256').update(deliveryId).digest('hex')}@herald>`;
}

/** Header values must be one line. */
function oneLine(value: string): string {
  return value
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/**
 * Per-field caps, characters: the Subject line, and the title and description as the templates
 * see them (a 1 MB title never becomes a 1 MB Subject or body).
 */
export const MAIL_LIMITS = { subject: 250, title: 250, description: 10_000, digestItemDescription: 1_000 } as const;

type Dropped = Extract<SendOutcome, { kind: 'dropped' }>;
const drop = (reason: string): Dropped => ({ kind: 'dropped', reason });

export function renderMail(message: ChannelMessage, config: MailConfig, templates: TemplateSet): MailRequest | Dropped {
  let to: string[];
  if (message.destination.scope === 'personal') {
    const user = message.destination.user;
    if (user.email.trim() === '') return drop(`user ${user.username} has no email address`);
    to = [user.email.trim()];
  } else {
    to = systemRecipients(config);
    if (to.length === 0) {
      return drop('no system recipients: the mail setting mail_notifications_to is empty');
    }
  }
  const full = templateView(message);
  const view = {
    ...full,
    title: capText(full.title, MAIL_LIMITS.title),
    description: capText(full.description, MAIL_LIMITS.description),
    team_name: config.team_name,
    // a digest's items are capped like a single mail's title, and their descriptions shorter
    digest:
      full.digest === undefined
        ? undefined
        : {
            ...full.digest,
            items: full.digest.items.map((item) => ({
              ...item,
              title: capText(item.title, MAIL_LIMITS.title),
              description: capText(item.description, MAIL_LIMITS.digestItemDescription),
            })),
          },
  };
  // a digest (SPEC §3.6) renders with the `digest.<part>` templates, whatever its column
  const type = message.digest === undefined ? message.event.type : 'digest';
  const headers: Record<string, string> = {
    'X-Herald-Event-Type': type,
    'X-Herald-Delivery-Id': oneLine(message.delivery_id),
  };
  // RFC 2369 lists every way out, preferred first; RFC 8058 one-click only with an https/http link to POST to.
  const ways = [view.unsubscribe_url, view.settings_url].filter((url) => isLinkUrl(url));
  if (ways.length > 0) headers['List-Unsubscribe'] = ways.map((url) => `<${oneLine(url)}>`).join(', ');
  if (isLinkUrl(view.unsubscribe_url)) headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  return {
    from: config.from,
    to,
    subject: capText(oneLine(templates.render(type, 'subject', view)), MAIL_LIMITS.subject),
    text: templates.render(type, 'text', view),
    html: templates.render(type, 'html', view),
    messageId: mailMessageId(message.delivery_id),
    headers,
  };
}
