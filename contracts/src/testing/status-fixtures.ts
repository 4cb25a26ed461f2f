/** Delivery statuses for tests: a system-scope `delivered` status of event `ev-<n>` on channel `test`. */
import type { DeliveryStatus } from '../delivery-status.js';

export function deliveryStatusFixture(n: number | string, overrides: Partial<DeliveryStatus> = {}): DeliveryStatus {
  return {
    delivery_id: `ev-${n}:test:system`,
    event_id: `ev-${n}`,
    channel: 'test',
    destination: { scope: 'system' },
    outcome: 'delivered',
    attempt: 1,
    at: '2026-12-02T10:00:00.000Z',
    ...overrides,
  } as DeliveryStatus;
}
