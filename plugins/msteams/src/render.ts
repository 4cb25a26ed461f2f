/**
 * Pure: channel message + settings → the JSON body Teams accepts (SPEC §5 msteams). `adaptive`:
 * an Adaptive Card 1.4 inside the `message` envelope that Workflows' "Post to a channel when a
 * webhook request is received" expects; `legacy`: an Office 365 connector MessageCard.
 * System scope only: a personal destination is dropped.
 */
import { templateView, type ChannelMessage, type SendOutcome, type TemplateSet, type TemplateView } from '@herald/contracts';
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

function facts(view: TemplateView): { title: string; value: string }[] {
  const out: { title: string; value: string }[] = [];
  const add = (title: string, value: string): void => {
    if (value !== '') out.push({ title, value });
  };
  add('Product type', view.product_type_name);
  add('Product', view.product_name);
  add('Engagement', view.engagement_name);
  add('Test', view.test_name);
  add('Finding', view.finding_name);
  add('By', view.actor_name);
  return out;
}

function isHttpUrl(value: string): boolean {
  return /^https?:\/\//i.test(value);
}

export function renderMsteams(message: ChannelMessage, config: MsteamsConfig, templates: TemplateSet): MsteamsRequest | Dropped {
  if (message.destination.scope === 'personal') return drop('msteams is system-scope only');
  if (config.url === undefined) return drop('no Teams webhook URL configured (msteams setting "url")');
  const view = templateView(message);
  const type = message.event.type;
  const title = templates.render(type, 'title', view).trim();
  const text = templates.render(type, 'text', view).trim();
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
            activitySubtitle: `${view.event_label}${settings}`,
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
  body.push({ type: 'TextBlock', text: `${view.event_label}${settings}`, isSubtle: true, size: 'Small', wrap: true });
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
