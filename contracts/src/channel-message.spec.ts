import { describe, expect, it } from '@jest/globals';
import { deliveryId, deliveryIdOf, deliveryIdPrefix, destinationKey, eventMessageId, type Destination } from './channel-message.js';

const personal = (id: string): Destination => ({ scope: 'personal', user: { id, username: `u${id}`, email: '', full_name: '' } });

describe('delivery ids', () => {
  it.each([
    { source: 'defectdojo', id: 'scan-42', channel: 'alert', destination: personal('7'), expected: 'defectdojo:scan-42:alert:user-7' },
    {
      source: 'defectdojo',
      id: 'scan-42',
      channel: 'slack',
      destination: { scope: 'system' } as const,
      expected: 'defectdojo:scan-42:slack:system',
    },
    { source: 'a:b', id: 'x y', channel: 'mail', destination: personal('12'), expected: 'a%3Ab:x%20y:mail:user-12' },
  ])('deliveryId($source, $id, $channel) = $expected', ({ source, id, channel, destination, expected }) => {
    const event = { source, id };
    expect(deliveryId(event, channel, destination)).toBe(expected);
    expect(deliveryIdOf(eventMessageId(event), channel, destination)).toBe(expected);
  });

  it('is the per-channel prefix followed by the destination key, for every destination', () => {
    const eventPart = eventMessageId({ source: 'defectdojo', id: 'engagement-3' });
    for (const channel of ['alert', 'mail', 'webhooks']) {
      const prefix = deliveryIdPrefix(eventPart, channel);
      expect(prefix).toBe(`defectdojo:engagement-3:${channel}:`);
      for (const destination of [personal('1'), personal('100000'), { scope: 'system' } as const]) {
        expect(prefix + destinationKey(destination)).toBe(deliveryIdOf(eventPart, channel, destination));
      }
    }
  });
});
