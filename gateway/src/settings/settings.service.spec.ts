import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EVENT_CATALOGUE } from '@herald/contracts';
import { DirectoryRepository } from '../directory/directory.repository.js';
import { DirectoryService } from '../directory/directory.service.js';
import { validationIssues } from '../persistence/testing/expect-issues.js';
import { createTestDatabase, type TestDatabase } from '../persistence/testing/test-database.js';
import { ChannelNames } from './channel-names.js';
import { EventTypeRepository } from './event-type.repository.js';
import { EventTypesService } from './event-types.service.js';
import { SettingsRepository } from './settings.repository.js';
import { SettingsService } from './settings.service.js';

let db: TestDatabase;
let settings: SettingsService;
let directory: DirectoryService;
let eventTypes: EventTypesService;

const catalogueDefaults = Object.fromEntries(EVENT_CATALOGUE.map((type) => [type.name, [...type.defaultChannels]]));
const emptyProductRow = Object.fromEntries(EVENT_CATALOGUE.map((type) => [type.name, [] as string[]]));

function user(username: string) {
  return { username, email: `${username}@example.org`, full_name: username, active: true, superuser: false };
}

beforeAll(async () => {
  db = await createTestDatabase();
  const eventTypeRepository = new EventTypeRepository(db.em);
  const channelNames = new ChannelNames(db.em);
  const settingsRepository = new SettingsRepository(db.em);
  settings = new SettingsService(settingsRepository, eventTypeRepository, channelNames);
  directory = new DirectoryService(db.em, new DirectoryRepository(db.em), settingsRepository, eventTypeRepository);
  eventTypes = new EventTypesService(eventTypeRepository, channelNames);
  await directory.upsertProductType('pt1', { name: 'Web' });
  await directory.upsertProduct('p1', { name: 'Shop', product_type_id: 'pt1' });
});

afterAll(async () => {
  await db.drop();
});

describe('system row', () => {
  it('answers the catalogue defaults before it is ever saved', async () => {
    expect(await settings.getSystem()).toEqual({ events: catalogueDefaults, filters: {} });
    expect(catalogueDefaults['scan_added_empty']).toEqual([]);
  });

  it('PUT replaces the row: columns left out take the catalogue default', async () => {
    await settings.putSystem({ events: { scan_added: ['mail', 'slack'], jira_update: [] } });
    const view = await settings.putSystem({ events: { scan_added: ['msteams', 'msteams', 'alert'] } });
    expect(view.events).toEqual({ ...catalogueDefaults, scan_added: ['msteams', 'alert'] });
    expect(await settings.getSystem()).toEqual(view);
  });

  it('PATCH changes only the given columns', async () => {
    await settings.putSystem({ events: { scan_added: ['mail'], other: ['slack'] } });
    const view = await settings.patchSystem({ events: { other: [] } });
    expect(view.events).toEqual({ ...catalogueDefaults, scan_added: ['mail'], other: [] });
  });

  it('rejects an invalid body without writing', async () => {
    const before = await settings.getSystem();
    const issues = await validationIssues(settings.putSystem({ events: { scan_added: ['pigeon'] } }));
    expect(issues).toEqual([expect.objectContaining({ path: 'events.scan_added[0]', message: 'unknown channel "pigeon"' })]);
    expect(await settings.getSystem()).toEqual(before);
  });
});

describe('template and new users', () => {
  it('without a template, a new user gets the catalogue defaults', async () => {
    expect(await settings.getTemplate()).toBeNull();
    await directory.upsertUser('u-before', user('before'));
    expect(await settings.getPersonal('u-before')).toEqual({ events: catalogueDefaults, filters: {}, quiet_hours: null, digests: {} });
  });

  it('the template is copied to users created afterwards, and only to them', async () => {
    const template = await settings.putTemplate({ events: { scan_added: ['mail'], user_mentioned: ['slack', 'alert'] } });
    expect(template.events).toEqual({ ...catalogueDefaults, scan_added: ['mail'], user_mentioned: ['slack', 'alert'] });

    await directory.upsertUser('u-after', user('after'));
    expect(await settings.getPersonal('u-after')).toEqual(template);
    expect(await settings.getPersonal('u-before')).toEqual({ events: catalogueDefaults, filters: {}, quiet_hours: null, digests: {} });
  });

  it('re-upserting an existing user does not re-apply the template', async () => {
    await settings.patchPersonal('u-after', { events: { scan_added: [] } });
    await directory.upsertUser('u-after', { ...user('after'), full_name: 'After Renamed' });
    expect((await settings.getPersonal('u-after'))?.events['scan_added']).toEqual([]);
  });

  it('rejects msteams in the template', async () => {
    const issues = await validationIssues(settings.putTemplate({ events: { scan_added: ['msteams'] } }));
    expect(issues.map((issue) => issue.path)).toEqual(['events.scan_added[0]']);
  });

  it('deleting the template brings back the defaults for the next users', async () => {
    expect(await settings.deleteTemplate()).toBe(true);
    await directory.upsertUser('u-later', user('later'));
    expect(await settings.getPersonal('u-later')).toEqual({ events: catalogueDefaults, filters: {}, quiet_hours: null, digests: {} });
  });
});

describe('quiet hours and digests (SPEC §3.6)', () => {
  const quiet = {
    timezone: 'Europe/Berlin',
    windows: [{ days: ['mon', 'tue', 'mon'], start: '22:00', end: '07:00' }],
    bypass: ['scan_added'],
  };

  it('PUT stores them on a personal row, PATCH keeps what it leaves out, null removes them', async () => {
    await directory.upsertUser('u-q', user('q'));
    const put = await settings.putPersonal('u-q', { events: {}, quiet_hours: quiet, digests: { scan_added: { mail: 'hourly' } } });
    expect(put?.quiet_hours).toEqual({ ...quiet, windows: [{ days: ['mon', 'tue'], start: '22:00', end: '07:00' }] });
    expect(put?.digests).toEqual({ scan_added: { mail: 'hourly' } });
    const patched = await settings.patchPersonal('u-q', { events: {}, digests: { other: { slack: 'daily at 08:30' } } });
    expect(patched?.quiet_hours?.timezone).toBe('Europe/Berlin');
    expect(patched?.digests).toEqual({ scan_added: { mail: 'hourly' }, other: { slack: 'daily at 08:30' } });
    const removed = await settings.patchPersonal('u-q', { events: {}, quiet_hours: null, digests: { scan_added: null } });
    expect(removed?.quiet_hours).toBeNull();
    expect(removed?.digests).toEqual({ other: { slack: 'daily at 08:30' } });
    const replaced = await settings.putPersonal('u-q', { events: {} });
    expect(replaced).toMatchObject({ quiet_hours: null, digests: {} });
  });

  it('the template carries them to users created afterwards', async () => {
    await settings.putTemplate({ events: {}, quiet_hours: quiet, digests: { other: { mail: 'daily at 09:00' } } });
    await directory.upsertUser('u-q2', user('q2'));
    const view = await settings.getPersonal('u-q2');
    expect(view?.quiet_hours?.timezone).toBe('Europe/Berlin');
    expect(view?.digests).toEqual({ other: { mail: 'daily at 09:00' } });
    expect(await settings.deleteTemplate()).toBe(true);
  });

  it('rejects a bad time zone, day, time, bypass column and digest, naming each field, without writing', async () => {
    await directory.upsertUser('u-q3', user('q3'));
    const before = await settings.getPersonal('u-q3');
    const issues = await validationIssues(
      settings.putPersonal('u-q3', {
        events: {},
        quiet_hours: {
          timezone: 'Mars/Olympus',
          windows: [
            { days: ['someday'], start: '25:00', end: '7' },
            { days: ['mon'], start: '08:00', end: '08:00' },
          ],
          bypass: ['nope'],
        },
        digests: { other: { alert: 'hourly', mail: 'weekly', pigeon: 'hourly' }, msteams_thing: { mail: 'hourly' } },
      }),
    );
    expect(issues.map((issue) => issue.path)).toEqual([
      'quiet_hours.timezone',
      'quiet_hours.windows[0].days[0]',
      'quiet_hours.windows[0].start',
      'quiet_hours.windows[0].end',
      'quiet_hours.windows[1].end',
      'quiet_hours.bypass[0]',
      'digests.other.alert',
      'digests.other.mail',
      'digests.other.pigeon',
      'digests.msteams_thing',
    ]);
    expect(issues[0]?.message).toBe(
      'unknown time zone "Mars/Olympus": use an IANA name such as "Europe/Berlin", "America/New_York" or "UTC"',
    );
    expect(await settings.getPersonal('u-q3')).toEqual(before);
  });

  it('refuses them on the system row and on product rows', async () => {
    const system = await validationIssues(settings.putSystem({ events: {}, quiet_hours: quiet, digests: { other: { mail: 'hourly' } } }));
    expect(system.map((issue) => issue.path)).toEqual(['quiet_hours', 'digests.other']);
  });
});

describe('personal rows', () => {
  it('PUT fills defaults, PATCH changes only what is given', async () => {
    await directory.upsertUser('u-p', user('p'));
    const put = await settings.putPersonal('u-p', { events: { scan_added: ['mail', 'alert'] } });
    expect(put?.events).toEqual({ ...catalogueDefaults, scan_added: ['mail', 'alert'] });
    const patched = await settings.patchPersonal('u-p', { events: { code_review: ['slack'] } });
    expect(patched?.events).toEqual({ ...catalogueDefaults, scan_added: ['mail', 'alert'], code_review: ['slack'] });
  });

  it('answers null for an unknown user', async () => {
    expect(await settings.getPersonal('nobody')).toBeNull();
    expect(await settings.putPersonal('nobody', { events: {} })).toBeNull();
    expect(await settings.patchPersonal('nobody', { events: {} })).toBeNull();
  });

  it('rejects msteams in personal rows', async () => {
    const issues = await validationIssues(settings.patchPersonal('u-p', { events: { other: ['msteams'] } }));
    expect(issues).toEqual([expect.objectContaining({ path: 'events.other[0]' })]);
  });
});

describe('product rows', () => {
  it('are empty until saved, and PUT leaves unmentioned columns empty', async () => {
    await directory.upsertUser('u-prod', user('prod'));
    expect(await settings.getProduct('u-prod', 'p1')).toEqual({ events: emptyProductRow, filters: {} });
    const view = await settings.putProduct('u-prod', 'p1', { events: { scan_added: ['mail'] } });
    expect(view?.events).toEqual({ ...emptyProductRow, scan_added: ['mail'] });
    const patched = await settings.patchProduct('u-prod', 'p1', { events: { sla_breach: ['alert'] } });
    expect(patched?.events).toEqual({ ...emptyProductRow, scan_added: ['mail'], sla_breach: ['alert'] });
    expect(await settings.listProducts('u-prod')).toEqual([{ product_id: 'p1', events: patched?.events, filters: {} }]);
  });

  it('rejects a column that is not product-scoped', async () => {
    const issues = await validationIssues(settings.putProduct('u-prod', 'p1', { events: { jira_update: ['alert'] } }));
    expect(issues).toEqual([{ path: 'events.jira_update', message: expect.stringContaining('can be set per product') }]);
  });

  it('answers null for an unknown user or product, and DELETE removes the row', async () => {
    expect(await settings.getProduct('u-prod', 'nope')).toBeNull();
    expect(await settings.putProduct('nobody', 'p1', { events: {} })).toBeNull();
    expect(await settings.deleteProduct('u-prod', 'p1')).toBe(true);
    expect(await settings.deleteProduct('u-prod', 'p1')).toBe(false);
    expect(await settings.getProduct('u-prod', 'p1')).toEqual({ events: emptyProductRow, filters: {} });
  });
});

describe('filters (SPEC §3.6)', () => {
  it('every kind of row stores, answers and replaces its filters', async () => {
    const system = await settings.putSystem({
      events: { scan_added: ['alert'] },
      filters: { scan_added: { min_severity: 'High', tags_any: ['pci', 'pci'] } },
    });
    expect(system.filters).toEqual({ scan_added: { min_severity: 'High', tags_any: ['pci'] } });
    expect((await settings.getSystem()).filters).toEqual(system.filters);
    // PUT replaces the row: filters left out are gone
    expect((await settings.putSystem({ events: {} })).filters).toEqual({});

    await directory.upsertUser('u-f', user('f'));
    const personal = await settings.putPersonal('u-f', { events: {}, filters: { other: { product_types: ['pt1'] } } });
    expect(personal?.filters).toEqual({ other: { product_types: ['pt1'] } });
    const product = await settings.putProduct('u-f', 'p1', { events: {}, filters: { scan_added: { tags_any: ['gdpr'] } } });
    expect(product?.filters).toEqual({ scan_added: { tags_any: ['gdpr'] } });
    expect(await settings.listProducts('u-f')).toEqual([expect.objectContaining({ filters: { scan_added: { tags_any: ['gdpr'] } } })]);
  });

  it('PATCH changes the filters of the columns given, null removes one, others are kept', async () => {
    await directory.upsertUser('u-fp', user('fp'));
    await settings.putPersonal('u-fp', {
      events: {},
      filters: { scan_added: { min_severity: 'Low' }, other: { tags_any: ['a'] } },
    });
    const patched = await settings.patchPersonal('u-fp', {
      events: {},
      filters: { scan_added: null, code_review: { min_severity: 'Critical' } },
    });
    expect(patched?.filters).toEqual({ other: { tags_any: ['a'] }, code_review: { min_severity: 'Critical' } });
    expect((await settings.patchPersonal('u-fp', { events: { other: ['mail'] } }))?.filters).toEqual(patched?.filters);
  });

  it('the template carries its filters to users created afterwards', async () => {
    await settings.putTemplate({ events: { scan_added: ['mail'] }, filters: { scan_added: { min_severity: 'Medium' } } });
    await directory.upsertUser('u-ft', user('ft'));
    expect((await settings.getPersonal('u-ft'))?.filters).toEqual({ scan_added: { min_severity: 'Medium' } });
    await settings.deleteTemplate();
  });

  it('rejects bad filters with one issue per problem, naming the field, and writes nothing', async () => {
    const before = await settings.getSystem();
    const issues = await validationIssues(
      settings.putSystem({
        events: {},
        filters: {
          scan_added: { min_severity: 'Severe' },
          code_review: { tags_any: [] },
          user_mentioned: { min_severity: 'High', colour: 'red' },
        },
      }),
    );
    expect(issues).toEqual([
      { path: 'filters.scan_added.min_severity', message: 'must be one of Critical, High, Medium, Low, Info (case-sensitive)' },
      { path: 'filters.code_review.tags_any', message: 'must not be empty: leave tags_any out to accept every event' },
      { path: 'filters.user_mentioned.colour', message: 'unknown field "colour"', expected: 'only the documented fields' },
    ]);
    expect(await settings.getSystem()).toEqual(before);

    const semantic = await validationIssues(
      settings.putSystem({
        events: {},
        filters: { other: { product_types: ['pt1', 'nope'] }, jira_update: {}, not_a_column: { min_severity: 'High' } },
      }),
    );
    expect(semantic).toEqual([
      {
        path: 'filters.other.product_types[1]',
        message: 'unknown product type "nope": create it first (PUT /api/v1/product-types/nope) or use the id of an existing one',
      },
      {
        path: 'filters.jira_update',
        message: 'an empty filter: give at least one of min_severity, product_types, tags_any, or null to remove the filter',
      },
      expect.objectContaining({ path: 'filters.not_a_column', message: 'unknown event type "not_a_column"' }),
    ]);
    expect(await settings.getSystem()).toEqual(before);
  });

  it('rejects a filter on a column a product row cannot set', async () => {
    await directory.upsertUser('u-fprod', user('fprod'));
    const issues = await validationIssues(
      settings.putProduct('u-fprod', 'p1', { events: {}, filters: { other: { min_severity: 'High' } } }),
    );
    expect(issues).toEqual([{ path: 'filters.other', message: expect.stringContaining('cannot be set per product') }]);
  });
});

describe('deleting a user', () => {
  it('removes their personal and product rows', async () => {
    await directory.upsertUser('u-gone', user('gone'));
    await settings.putProduct('u-gone', 'p1', { events: { scan_added: ['alert'] } });
    expect(await directory.deleteUser('u-gone')).toBe(true);
    const personal = await db.query('select 1 from gateway.personal_settings where user_id = $1', ['u-gone']);
    const product = await db.query('select 1 from gateway.product_settings where user_id = $1', ['u-gone']);
    expect(personal).toEqual([]);
    expect(product).toEqual([]);
    expect(await settings.getPersonal('u-gone')).toBeNull();
  });
});

describe('registered event types', () => {
  it('get their own column with their defaults, product rows included when product-scoped', async () => {
    const type = await eventTypes.register({ name: 'dummy_foo_event', default_channels: ['alert', 'mail'], product_scoped: true });
    expect(type).toEqual({ name: 'dummy_foo_event', label: 'Dummy Foo Event', defaultChannels: ['alert', 'mail'], productScoped: true });
    expect((await settings.getPersonal('u-p'))?.events['dummy_foo_event']).toEqual(['alert', 'mail']);
    expect((await settings.getSystem()).events['dummy_foo_event']).toEqual(['alert', 'mail']);
    const product = await settings.putProduct('u-prod', 'p1', { events: { dummy_foo_event: ['alert'] } });
    expect(product?.events['dummy_foo_event']).toEqual(['alert']);
    expect((await eventTypes.list()).map((t) => t.name)).toContain('dummy_foo_event');
  });

  it('refuses built-in names, bad names and system-only default channels', async () => {
    expect(await validationIssues(eventTypes.register({ name: 'scan_added' }))).toEqual([
      expect.objectContaining({ path: 'name', message: expect.stringContaining('built-in') }),
    ]);
    expect((await validationIssues(eventTypes.register({ name: 'Bad-Name' }))).map((issue) => issue.path)).toEqual(['name']);
    expect((await validationIssues(eventTypes.register({ name: 'teams_only', default_channels: ['msteams'] }))).map((i) => i.path)).toEqual(
      ['default_channels[0]'],
    );
  });
});
