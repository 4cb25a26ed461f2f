/**
 * Pure: channel message + settings → the JSON body Teams accepts (SPEC §5 msteams). `adaptive`:
 * an Adaptive Card 1.4 inside the `message` envelope that Workflows' "Post to a channel when a
 * webhook request is received" expects; `legacy`: an Office 365 connector MessageCard.
 * System scope only: a personal destination is dropped.
 */
import {
  capText,
  isLinkUrl,
  templateView,
  type ChannelMessage,
  type SendOutcome,
  type TemplateEscaper,
  type TemplateSet,
  type TemplateView,
} from '@herald/contracts';
import type { MsteamsConfig } from './config.js';

export interface AdaptiveTextBlock {
  readonly type: 'TextBlock';
  readonly text: string;
  readonly wrap: true;
  readonly weight?: 'Bolder';
  readonly size?: 'Small' | 'Medium' | 'Large';
  readonly isSubtle?: boolean;
}
export interface AdaptiveFactSet {
  readonly type: 'FactSet';
  readonly facts: readonly { readonly title: string; readonly value: string }[];
}
export interface AdaptiveOpenUrl {
  readonly type: 'Action.OpenUrl';
  readonly title: string;
  readonly url: string;
}

export interface AdaptiveCardMessage {
  readonly type: 'message';
  readonly attachments: readonly [
    {
      readonly contentType: 'application/vnd.microsoft.card.adaptive';
      readonly contentUrl: null;
      readonly content: {
        readonly $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
        readonly type: 'AdaptiveCard';
        readonly version: '1.4';
        readonly body: readonly (AdaptiveTextBlock | AdaptiveFactSet)[];
        readonly actions: readonly AdaptiveOpenUrl[];
      };
    },
  ];
}

export interface MessageCard {
  readonly '@type': 'MessageCard';
  readonly '@context': 'http://schema.org/extensions';
  readonly summary: string;
  readonly themeColor: string;
  readonly title: string;
  readonly sections: readonly {
    readonly activityTitle: string;
    readonly activitySubtitle: string;
    readonly text: string;
    readonly facts: readonly { readonly name: string; readonly value: string }[];
    readonly markdown: true;
  }[];
  readonly potentialAction: readonly {
    readonly '@type': 'OpenUri';
    readonly name: string;
    readonly targets: readonly { readonly os: 'default'; readonly uri: string }[];
  }[];
}

export interface MsteamsRequest {
  readonly url: string;
  readonly body: AdaptiveCardMessage | MessageCard;
}

type Dropped = Extract<SendOutcome, { kind: 'dropped' }>;
const drop = (reason: string): Dropped => ({ kind: 'dropped', reason });

/** Label of the button / action opening the object. */
export const OPEN_ACTION_TITLE = 'Open';
const THEME_COLOR = '0076D7';

/**
 * Per-field caps, characters (a Teams webhook refuses cards over about 28 KB): title 250, text
 * 4000, each fact value 250, the event label 100.
 */
export const MSTEAMS_LIMITS = { title: 250, text: 4000, fact: 250, label: 100 } as const;

function facts(view: TemplateView): { title: string; value: string }[] {
  const out: { title: string; value: string }[] = [];
  const add = (title: string, value: string): void => {
    if (value !== '') out.push({ title, value: capText(value, MSTEAMS_LIMITS.fact) });
  };
  add('Product type', view.product_type_name);
  add('Product', view.product_name);
  add('Engagement', view.engagement_name);
  add('Test', view.test_name);
  add('Finding', view.finding_name);
  add('By', view.actor_name);
  return out;
}

const isHttpUrl = isLinkUrl;

/**
 * Escaper for values inserted into Teams markdown (`title`, `text`): a markdown link in event text
 * whose target is not an http(s) URL — `[x](javascript:…)` — loses its link syntax, so the card
 * never renders it as a link. Links to http(s) targets and all other text stay as written.
 */
export const teamsMarkdownEscape: TemplateEscaper = (value) => value.replace(/\]\s*\(\s*(?!https?:\/\/)/gi, '] (');

export function renderMsteams(message: ChannelMessage, config: MsteamsConfig, templates: TemplateSet): MsteamsRequest | Dropped {
  if (message.destination.scope === 'personal') return drop('msteams is system-scope only');
  if (config.url === undefined) return drop('no Teams webhook URL configured (msteams setting "url")');
  const full = templateView(message);
  const view = { ...full, title: capText(full.title, MSTEAMS_LIMITS.title), description: capText(full.description, MSTEAMS_LIMITS.text) };
  const type = message.event.type;
  const title = capText(templates.render(type, 'title', view).trim(), MSTEAMS_LIMITS.title);
  const text = capText(templates.render(type, 'text', view).trim(), MSTEAMS_LIMITS.text);
  const label = capText(view.event_label, MSTEAMS_LIMITS.label);
  const settings = isHttpUrl(view.settings_url) ? ` · [Notification settings](${view.settings_url})` : '';
  const open = isHttpUrl(view.url_ui) ? [view.url_ui] : [];
  const factList = facts(view);

  if (config.format === 'legacy') {
    return {
      url: config.url,
      body: {
        '@type': 'MessageCard',
        '@context': 'http://schema.org/extensions',
        summary: title,
        themeColor: THEME_COLOR,
        title,
        sections: [
          {
            activityTitle: title,
            activitySubtitle: `${label}${settings}`,
            text,
            facts: factList.map((fact) => ({ name: fact.title, value: fact.value })),
            markdown: true,
          },
        ],
        potentialAction: open.map((uri) => ({ '@type': 'OpenUri', name: OPEN_ACTION_TITLE, targets: [{ os: 'default', uri }] })),
      },
    };
  }

  const body: (AdaptiveTextBlock | AdaptiveFactSet)[] = [
    { type: 'TextBlock', text: title, weight: 'Bolder', size: 'Medium', wrap: true },
    { type: 'TextBlock', text, wrap: true },
  ];
  if (factList.length > 0) body.push({ type: 'FactSet', facts: factList });
  body.push({ type: 'TextBlock', text: `${label}${settings}`, isSubtle: true, size: 'Small', wrap: true });
  return {
    url: config.url,
    body: {
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          contentUrl: null,
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            body,
            actions: open.map((url) => ({ type: 'Action.OpenUrl', title: OPEN_ACTION_TITLE, url })),
          },
        },
      ],
    },
  };
}
