import { describe, expect, it } from '@jest/globals';
import { hasErrorCode } from './errors.js';
import { subjects } from './subjects.js';
import { topology } from './topology.js';

describe('subjects', () => {
  const s = subjects();

  it.each([
    [s.event('scan_added'), 'herald.events.scan_added'],
    [s.deliver('mail'), 'herald.deliver.mail'],
    [s.status('slack'), 'herald.status.slack'],
    [s.deadEvents, 'herald.dead.events'],
    [s.dead('deliver', 'webhooks'), 'herald.dead.deliver.webhooks'],
    [s.directory('user', 'upserted'), 'herald.directory.user.upserted'],
    [s.command('engagement', 'close'), 'herald.commands.engagement.close'],
    [s.allEvents, 'herald.events.>'],
    [subjects('acme.herald').deliver('mail'), 'acme.herald.deliver.mail'],
  ])('%s', (built, expected) => {
    expect(built).toBe(expected);
  });

  it.each(['', 'a.b', 'a b', '*', '>', 'ü'])('refuses the token %j', (token) => {
    let caught: unknown;
    try {
      s.deliver(token);
    } catch (error) {
      caught = error;
    }
    expect(hasErrorCode(caught, 'validation_failed')).toBe(true);
  });

  it('refuses a prefix with an empty token', () => {
    expect(() => subjects('herald..x')).toThrow(/subject prefix/);
  });
});

describe('topology', () => {
  it('derives stream names from the prefix and captures extra event subjects', () => {
    const t = topology({ prefix: 't_ab12', extraEventSubjects: ['legacy.events.>'] });
    expect(Object.values(t.streams).map((d) => d.name)).toEqual([
      'T_AB12_EVENTS',
      'T_AB12_DIRECTORY',
      'T_AB12_DELIVER',
      'T_AB12_STATUS',
      'T_AB12_DEAD',
      'T_AB12_COMMANDS',
    ]);
    expect(t.streams.events.subjects).toEqual(['t_ab12.events.>', 'legacy.events.>']);
    expect(t.streams.deliver.retention).toBe('workqueue');
  });

  it('gives each channel its own durable filtered to its subject', () => {
    const c = topology().channelConsumer('mail');
    expect(c).toMatchObject({ stream: 'HERALD_DELIVER', durable: 'mail', filterSubject: 'herald.deliver.mail' });
  });

  it('lets oversized events into the stream so the gateway can dead-letter them', () => {
    const t = topology({ maxEventBytes: 1024 * 1024 });
    expect(t.streams.events.maxMsgBytes).toBeGreaterThan(1024 * 1024);
  });
});
