import { describe, expect, it } from '@jest/globals';
import { route } from '../routing/route.js';
import { SITE_URL, heraldEvent, row, snapshotInput, userRecord } from '../routing/routing.fixture.js';
import { buildSnapshot } from '../routing/snapshot.js';
import { simulationResult } from './restrict.js';

const NOW = new Date('2026-11-30T22:00:00Z');
const snapshot = buildSnapshot(
  snapshotInput({
    users: [userRecord('1', 'root', { superuser: true }), userRecord('2', 'bob'), userRecord('3', 'carol')],
    system: row({ other: ['alert', 'slack'] }),
    personal: [
      { user_id: '2', events: row({ user_mentioned: ['alert', 'mail'] }) },
      { user_id: '3', events: row({ user_mentioned: ['alert'] }) },
    ],
  }),
);

describe('simulationResult', () => {
  it('without a user is the whole result', () => {
    const result = route(heraldEvent('other'), snapshot, { siteUrl: SITE_URL, now: NOW });
    expect(simulationResult(result, NOW, null)).toEqual({
      column: 'other',
      simulated_at: '2026-11-30T22:00:00.000Z',
      user: null,
      deliveries: result.deliveries,
      decisions: result.decisions,
    });
  });

  it("for a user keeps only that user's deliveries (the system alert expanded to them included) and decision", () => {
    const result = route(heraldEvent('other'), snapshot, { siteUrl: SITE_URL, now: NOW });
    const root = simulationResult(result, NOW, { id: '1', username: 'root' });
    expect(root.candidate).toBe(true);
    expect(root.deliveries.map((d) => d.delivery_id)).toEqual(['test:evt-1:alert:user-1', 'test:evt-1:slack:user-1']);
    expect(root.decisions.map((d) => d.scope)).toEqual(['user']);

    const bob = simulationResult(result, NOW, { id: '2', username: 'bob' });
    expect(bob).toEqual({
      column: 'other',
      simulated_at: '2026-11-30T22:00:00.000Z',
      user: { id: '2', username: 'bob' },
      candidate: false,
      deliveries: [],
      decisions: [],
    });
  });

  it('keeps the pass-level notes and drops other recipients', () => {
    const result = route(heraldEvent('user_mentioned', { recipients: ['bob', 'carol', 'ghost'] }), snapshot, {
      siteUrl: SITE_URL,
      now: NOW,
    });
    const carol = simulationResult(result, NOW, { id: '3', username: 'carol' });
    expect(carol.deliveries.map((d) => d.delivery_id)).toEqual(['test:evt-1:alert:user-3']);
    expect(carol.decisions).toEqual([
      { scope: 'user', user_id: '3', username: 'carol', channels: ['alert'], merged_from: ['personal'], skipped: [] },
    ]);
    const empty = route(heraldEvent('user_mentioned', { recipients: [] }), snapshot, { siteUrl: SITE_URL, now: NOW });
    expect(simulationResult(empty, NOW, { id: '3', username: 'carol' }).decisions).toEqual([
      { scope: 'users', reason: 'the recipients list is empty: nothing is sent' },
    ]);
  });
});
