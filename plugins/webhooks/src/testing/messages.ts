/** Test support: channel messages for the webhooks channel, as the gateway publishes them. */
import { deliveryId, humanise, validateEvent, type ChannelMessage, type Destination, type HeraldEvent } from '@herald/contracts';

export const SITE_URL = 'https://dojo.example.com';

export function heraldEvent(
  type: string,
  data: Record<string, unknown> = {},
  id = `evt-${Math.random().toString(16).slice(2)}`,
): HeraldEvent {
  const result = validateEvent({ specversion: '1.0', id, source: 'defectdojo', type, time: '2026-11-23T10:00:00Z', data }, new Date());
  if (!result.ok) throw new Error(`bad test event: ${JSON.stringify(result.issues)}`);
  return result.event;
}

export const SYSTEM: Destination = { scope: 'system' };

export function personal(id: string, username = `user${id}`): Destination {
  return { scope: 'personal', user: { id, username, email: `${username}@example.com`, full_name: `User ${id}` } };
}

export function channelMessage(event: HeraldEvent, destination: Destination = SYSTEM): ChannelMessage {
  return {
    delivery_id: deliveryId(event, 'webhooks', destination),
    channel: 'webhooks',
    event,
    destination,
    site_url: SITE_URL,
    event_label: humanise(event.type),
  };
}
