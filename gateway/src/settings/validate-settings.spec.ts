import { describe, expect, it } from '@jest/globals';
import { EVENT_CATALOGUE, type EventTypeDefinition } from '@herald/contracts';
import type { SettingsScope } from './settings-row.js';
import { validateSettings } from './validate-settings.js';

const registered: EventTypeDefinition = { name: 'dummy_foo_event', label: 'Dummy Foo', defaultChannels: ['alert'], productScoped: true };
const eventTypes = [...EVENT_CATALOGUE, registered];

function check(scope: SettingsScope, body: unknown, extraChannels: string[] = []) {
  return validateSettings(body, { scope, eventTypes, extraChannels });
}

describe('validateSettings', () => {
  it.each<[string, SettingsScope, unknown]>([
    ['every built-in channel in the system row', 'system', { events: { scan_added: ['alert', 'mail', 'slack', 'msteams', 'webhooks'] } }],
    ['an empty body of events', 'personal', { events: {} }],
    ['a product-scoped column in a product row', 'product', { events: { scan_added: ['mail'], sla_breach: [] } }],
    ['a registered event type', 'personal', { events: { dummy_foo_event: ['mail'] } }],
    ['a registered product-scoped type in a product row', 'product', { events: { dummy_foo_event: ['alert'] } }],
  ])('accepts %s', (_name, scope, body) => {
    expect(check(scope, body)).toEqual([]);
  });

  it('names an unknown event type', () => {
    const issues = check('personal', { events: { scan_addd: ['alert'] } });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('events.scan_addd');
    expect(issues[0]?.message).toBe('unknown event type "scan_addd"');
    expect(issues[0]?.expected).toContain('scan_added');
  });

  it('points an aliased event name at its column', () => {
    const issues = check('system', { events: { engagement_closed: ['alert'] } });
    expect(issues).toEqual([{ path: 'events.engagement_closed', message: expect.stringContaining('set "close_engagement" instead') }]);
  });

  it('names an unknown channel with its index', () => {
    const issues = check('system', { events: { scan_added: ['alert', 'sms'] } });
    expect(issues).toEqual([
      { path: 'events.scan_added[1]', message: 'unknown channel "sms"', expected: expect.stringContaining('alert, mail') },
    ]);
  });

  it('accepts a registered third-party channel', () => {
    expect(check('personal', { events: { scan_added: ['discord'] } }, ['discord'])).toEqual([]);
    expect(check('personal', { events: { scan_added: ['discord'] } })).toHaveLength(1);
  });

  it.each<SettingsScope>(['personal', 'product', 'template'])('rejects msteams in %s rows', (scope) => {
    const issues = check(scope, { events: { scan_added: ['alert', 'msteams'] } });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('events.scan_added[1]');
    expect(issues[0]?.message).toMatch(/^"msteams" can only be used in the system settings/);
  });

  it('rejects a column that is not product-scoped in a product row, listing the allowed ones', () => {
    const issues = check('product', { events: { jira_update: ['alert'], scan_added: ['alert'] } });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('events.jira_update');
    expect(issues[0]?.message).toContain('only engagement_added, test_added, scan_added, scan_added_empty, close_engagement, sla_breach');
    expect(issues[0]?.message).toContain('dummy_foo_event can be set per product');
  });

  it.each<[string, unknown, string]>([
    ['not an object', 'scan_added', ''],
    ['without events', {}, 'events'],
    ['with events as an array', { events: [] }, 'events'],
    ['with a channel list that is a string', { events: { scan_added: 'alert' } }, 'events.scan_added'],
    ['with a channel that is not a string', { events: { scan_added: ['alert', 3] } }, 'events.scan_added[1]'],
  ])('rejects a body %s', (_name, body, path) => {
    const issues = check('system', body);
    expect(issues.map((issue) => issue.path)).toEqual([path]);
  });

  it('rejects unknown top-level fields', () => {
    const issues = check('system', { events: {}, extra: true });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toBe('unknown field "extra"');
  });

  it('reports every problem at once', () => {
    const issues = check('product', { events: { nope: [], other: ['alert'], scan_added: ['msteams', 'fax'] } });
    expect(issues.map((issue) => issue.path)).toEqual(['events.nope', 'events.other', 'events.scan_added[0]', 'events.scan_added[1]']);
  });
});
