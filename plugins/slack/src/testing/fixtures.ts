/** Channel messages for tests: the three shapes every channel is checked with. */
import { validateEvent, type ChannelMessage, type Destination, type DirectoryUser } from '@herald/contracts';

export const SITE_URL = 'https://dojo.example.com';

export const alice: DirectoryUser = { id: '1', username: 'alice', email: 'alice@example.com', full_name: 'Alice Doe' };

const test = {
  id: '7',
  name: 'ZAP Scan',
  engagement: { id: '3', name: 'Q1 Pentest', product: { id: '2', name: 'Web Shop', product_type: { id: '1', name: 'Apps' } } },
};

export const EVENTS = {
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

export type FixtureEvent = keyof typeof EVENTS;

/** A channel message as the gateway would publish it. */
export function channelMessage(
  channel: string,
  type: FixtureEvent,
  destination: Destination,
  options: { eventId?: string; data?: Record<string, unknown> } = {},
): ChannelMessage {
  const eventId = options.eventId ?? `ev-${type}`;
  const parsed = validateEvent(
    {
      specversion: '1.0',
      id: eventId,
      source: 'defectdojo',
      type,
      time: '2026-03-01T10:00:00Z',
      data: { ...EVENTS[type].data, ...options.data },
    },
    new Date('2026-03-01T10:00:00Z'),
  );
  if (!parsed.ok) throw new Error(`bad fixture: ${JSON.stringify(parsed.issues)}`);
  const key = destination.scope === 'system' ? 'system' : `user-${destination.user.id}`;
  return {
    delivery_id: `${eventId}:${channel}:${key}`,
    channel,
    event: parsed.event,
    destination,
    site_url: SITE_URL,
    event_label: EVENTS[type].label,
  };
}
