/**
 * Test support: channel messages for the alert channel, valid by the contract unless a test
 * overrides them into something else.
 */
import { deliveryId, type ChannelMessage, type DirectoryUser, type EventData } from '@herald/contracts';

export const SITE_URL = 'https://dojo.example.com';

export function testUser(id: string): DirectoryUser {
  return { id, username: `user${id}`, email: `user${id}@example.com`, full_name: `User ${id}` };
}

export interface PersonalMessageOptions {
  readonly eventId?: string;
  readonly type?: string;
  readonly userId?: string;
  readonly data?: Partial<EventData>;
  readonly eventLabel?: string;
  readonly siteUrl?: string;
}

export function personalMessage(options: PersonalMessageOptions = {}): ChannelMessage {
  const eventId = options.eventId ?? 'e-1';
  const destination = { scope: 'personal' as const, user: testUser(options.userId ?? '42') };
  return {
    delivery_id: deliveryId({ source: 'defectdojo', id: eventId }, 'alert', destination),
    channel: 'alert',
    event: {
      specversion: '1.0',
      id: eventId,
      source: 'defectdojo',
      type: options.type ?? 'scan_added',
      time: '2026-11-23T10:00:00.000Z',
      data: { title: 'Scan Added', description: 'Event scan_added has occurred.', ...options.data },
    },
    destination,
    site_url: options.siteUrl ?? SITE_URL,
    event_label: options.eventLabel ?? 'Scan Added',
  };
}

export function systemMessage(eventId = 'e-sys'): ChannelMessage {
  const destination = { scope: 'system' as const };
  return {
    ...personalMessage({ eventId }),
    delivery_id: deliveryId({ source: 'defectdojo', id: eventId }, 'alert', destination),
    destination,
  };
}
