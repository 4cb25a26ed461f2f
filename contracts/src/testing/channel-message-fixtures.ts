/**
 * Channel messages for channel tests: the three shapes every channel is checked with — a
 * `scan_added` with findings, a `user_mentioned` whose description needs escaping, and an event
 * type the catalogue does not know (`dummy_foo_event`). Each is validated as the gateway would
 * validate it, so a fixture can never drift from the contract.
 */
import { deliveryId, type ChannelMessage, type Destination, type DirectoryUser } from '../channel-message.js';
import { validateEvent } from '../envelope.js';

/** `site_url` of every fixture message; links in rendered output start with it. */
export const SITE_URL = 'https://dojo.example.com';

/** A directory user for personal destinations. */
export const alice: DirectoryUser = { id: '1', username: 'alice', email: 'alice@example.com', full_name: 'Alice Doe' };

const test = {
  id: '7',
  name: 'ZAP Scan',
  engagement: { id: '3', name: 'Q1 Pentest', product: { id: '2', name: 'Web Shop', product_type: { id: '1', name: 'Apps' } } },
};

/** Label and data of each fixture event type. */
export const FIXTURE_EVENTS = {
  scan_added: {
    label: 'Scan Added',
    data: {
      title: 'Scan Added: ZAP Scan',
      url: '/test/7',
      test,
      finding_count: 2,
      findings: {
        new: [{ id: '91', title: 'SQL Injection', severity: 'Critical', url: '/finding/91' }],
        mitigated: [{ id: '12', title: 'Reflected XSS', severity: 'Medium', url: '/finding/12' }],
      },
      actor: { id: '5', username: 'bob' },
    },
  },
  user_mentioned: {
    label: 'User Mentioned',
    data: {
      title: 'You were mentioned',
      description: 'bob wrote: please check <script> & fix',
      url: '/finding/91',
      finding: { id: '91', name: 'SQL Injection', severity: 'Critical', test },
      actor: { id: '5', username: 'bob' },
    },
  },
  dummy_foo_event: { label: 'Dummy Foo Event', data: {} },
} as const satisfies Record<string, { label: string; data: Record<string, unknown> }>;

export type FixtureEvent = keyof typeof FIXTURE_EVENTS;

export interface ChannelMessageOptions {
  /** The event's id (and so the delivery id's first part). @default "ev-<type>" */
  readonly eventId?: string;
  /** Fields merged over the fixture's event data. @default none */
  readonly data?: Record<string, unknown>;
}

/** A channel message as the gateway would publish it; throws when `data` makes the event invalid. */
export function channelMessage(
  channel: string,
  type: FixtureEvent,
  destination: Destination,
  options: ChannelMessageOptions = {},
): ChannelMessage {
  const eventId = options.eventId ?? `ev-${type}`;
  const parsed = validateEvent(
    {
      specversion: '1.0',
      id: eventId,
      source: 'defectdojo',
      type,
      time: '2026-03-01T10:00:00Z',
      data: { ...FIXTURE_EVENTS[type].data, ...options.data },
    },
    new Date('2026-03-01T10:00:00Z'),
  );
  if (!parsed.ok) throw new Error(`bad fixture: ${JSON.stringify(parsed.issues)}`);
  return {
    delivery_id: deliveryId(parsed.event, channel, destination),
    channel,
    event: parsed.event,
    destination,
    site_url: SITE_URL,
    event_label: FIXTURE_EVENTS[type].label,
  };
}

/**
 * A digest (SPEC §3.6) as the gateway publishes one: the given messages (same channel and
 * destination) collected under one summary event, `delivery_id` the digest's id.
 */
export function digestChannelMessage(items: readonly ChannelMessage[], schedule = 'hourly'): ChannelMessage {
  const first = items[0];
  if (first === undefined) throw new Error('a digest has at least one item');
  const id = `digest:${first.destination.scope === 'personal' ? first.destination.user.id : 'system'}:${first.channel}:${first.event.type}:2026-03-01T11:00:00Z`;
  const parsed = validateEvent(
    {
      specversion: '1.0',
      id,
      source: 'herald-digest',
      type: first.event.type,
      time: '2026-03-01T11:00:00.000Z',
      data: {
        title: `${items.length} ${first.event_label} notifications (${schedule} digest)`,
        description: items.map((item) => `- ${item.event.data.title}`).join('\n'),
      },
    },
    new Date('2026-03-01T11:00:00Z'),
  );
  if (!parsed.ok) throw new Error(`bad digest fixture: ${JSON.stringify(parsed.issues)}`);
  return {
    ...first,
    delivery_id: id,
    event: parsed.event,
    digest: {
      schedule,
      column: first.event.type,
      window_start: '2026-03-01T10:00:00.000Z',
      window_end: '2026-03-01T11:00:00.000Z',
      items: items.map((item) => ({ delivery_id: item.delivery_id, event: item.event, event_label: item.event_label })),
    },
  };
}
