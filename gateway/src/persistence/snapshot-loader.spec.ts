import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EVENT_CATALOGUE } from '@herald/contracts';
import { ChannelConfigRepository } from '../channel-config/channel-config.repository.js';
import { SecretBox } from '@herald/contracts';
import { DirectoryRepository } from '../directory/directory.repository.js';
import { DirectoryService } from '../directory/directory.service.js';
import { ChannelNames } from '../settings/channel-names.js';
import { EventTypeRepository } from '../settings/event-type.repository.js';
import { EventTypesService } from '../settings/event-types.service.js';
import { SettingsRepository } from '../settings/settings.repository.js';
import { SettingsService } from '../settings/settings.service.js';
import { loadSnapshotInput } from './snapshot-loader.js';
import { createTestDatabase, type TestDatabase } from './testing/test-database.js';

let db: TestDatabase;
const statements: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase({ queryLogger: (message) => statements.push(message) });
});

afterAll(async () => {
  await db.drop();
});

describe('loadSnapshotInput', () => {
  it('answers an empty directory with the catalogue, no system row and the built-in channels', async () => {
    const input = await loadSnapshotInput(db.em, { systemLevelTrump: ['user_mentioned'] });
    expect(input).toEqual({
      users: [],
      productTypes: [],
      products: [],
      productMembers: [],
      productTypeMembers: [],
      eventTypes: EVENT_CATALOGUE,
      system: null,
      systemFilters: {},
      personal: [],
      productSettings: [],
      channels: [
        { name: 'alert', enabled: true, has_system_destination: true },
        { name: 'mail', enabled: false, has_system_destination: false },
        { name: 'slack', enabled: false, has_system_destination: false },
        { name: 'msteams', enabled: false, has_system_destination: false },
        { name: 'webhooks', enabled: false, has_system_destination: true },
      ],
      systemMailRecipients: [],
      systemLevelTrump: ['user_mentioned'],
    });
  });

  it('loads a seeded directory with completed rows, in a fixed number of queries', async () => {
    const eventTypeRepository = new EventTypeRepository(db.em);
    const channelNames = new ChannelNames(db.em);
    const settingsRepository = new SettingsRepository(db.em);
    const directory = new DirectoryService(db.em, new DirectoryRepository(db.em), settingsRepository, eventTypeRepository);
    const settings = new SettingsService(settingsRepository, eventTypeRepository, channelNames);
    // Rows as the channel configuration service stores them (its validation is covered by its own spec).
    const channels = new ChannelConfigRepository(db.em);
    const box = SecretBox.fromBase64(SecretBox.generateKey());

    await directory.upsertProductType('pt1', { name: 'Web' });
    await directory.upsertProduct('p1', { name: 'Shop', product_type_id: 'pt1' });
    await directory.upsertUser('u1', { username: 'alice', email: 'alice@example.org', full_name: 'Alice', superuser: true });
    await directory.upsertUser('u2', {
      username: 'bob',
      email: 'bob@example.org',
      active: false,
      global_role: 'Reader',
      slack_email: 'b@s.org',
    });
    await directory.putProductMember('p1', 'u1', { role: 'Owner' });
    await directory.putProductTypeMember('pt1', 'u2');
    await settings.putSystem({ events: { scan_added: ['mail', 'msteams'] }, filters: { scan_added: { min_severity: 'High' } } });
    await settings.patchPersonal('u1', {
      events: { scan_added: ['slack'] },
      filters: { other: { tags_any: ['pci'] } },
      quiet_hours: { timezone: 'Europe/Berlin', windows: [{ days: ['sat', 'sun'], start: '00:00', end: '10:00' }], bypass: ['other'] },
      digests: { scan_added: { slack: 'daily at 09:00' } },
    });
    await settings.putProduct('u2', 'p1', { events: { scan_added: ['mail'] }, filters: { scan_added: { product_types: ['pt1'] } } });
    await channels.put('mail', true, { mail_notifications_to: 'Sec@example.org' });
    await channels.put('slack', true, { token: box.seal('xoxb-1', 'slack.token'), channel: '#sec' });
    // Registered after the rows were saved: rows must still carry its column.
    await new EventTypesService(eventTypeRepository, channelNames).register({ name: 'dummy_foo_event', product_scoped: true });

    statements.length = 0;
    const input = await loadSnapshotInput(db.em, { systemLevelTrump: [] });
    // A fixed number of SELECTs (one per table; personal settings twice: rows grouped by their
    // text, then the few users' quiet hours and digests), whatever the number of users: no N+1.
    expect(statements.filter((message) => /\bselect\b/i.test(message))).toHaveLength(11);

    const defaults = Object.fromEntries(EVENT_CATALOGUE.map((type) => [type.name, [...type.defaultChannels]]));
    const empty = Object.fromEntries(EVENT_CATALOGUE.map((type) => [type.name, [] as string[]]));
    expect(input.users).toEqual([
      {
        id: 'u1',
        username: 'alice',
        email: 'alice@example.org',
        full_name: 'Alice',
        active: true,
        superuser: true,
        global_role: null,
        slack_email: null,
      },
      {
        id: 'u2',
        username: 'bob',
        email: 'bob@example.org',
        full_name: '',
        active: false,
        superuser: false,
        global_role: 'Reader',
        slack_email: 'b@s.org',
      },
    ]);
    expect(input.productTypes).toEqual([{ id: 'pt1', name: 'Web' }]);
    expect(input.products).toEqual([{ id: 'p1', name: 'Shop', product_type_id: 'pt1' }]);
    expect(input.productMembers).toEqual([{ scope_id: 'p1', user_id: 'u1', role: 'Owner' }]);
    expect(input.productTypeMembers).toEqual([{ scope_id: 'pt1', user_id: 'u2', role: null }]);
    expect(input.eventTypes.at(-1)).toEqual({
      name: 'dummy_foo_event',
      label: 'Dummy Foo Event',
      defaultChannels: ['alert'],
      productScoped: true,
    });
    expect(input.system).toEqual({ ...defaults, scan_added: ['mail', 'msteams'], dummy_foo_event: ['alert'] });
    expect(input.systemFilters).toEqual({ scan_added: { min_severity: 'High' } });
    expect(input.personal).toEqual([
      {
        user_id: 'u1',
        events: { ...defaults, scan_added: ['slack'], dummy_foo_event: ['alert'] },
        filters: { other: { tags_any: ['pci'] } },
        quiet_hours: { timezone: 'Europe/Berlin', windows: [{ days: ['sat', 'sun'], start: '00:00', end: '10:00' }], bypass: ['other'] },
        digests: { scan_added: { slack: 'daily at 09:00' } },
      },
      { user_id: 'u2', events: { ...defaults, dummy_foo_event: ['alert'] }, filters: {} },
    ]);
    expect(input.productSettings).toEqual([
      {
        user_id: 'u2',
        product_id: 'p1',
        events: { ...empty, scan_added: ['mail'], dummy_foo_event: [] },
        filters: { scan_added: { product_types: ['pt1'] } },
      },
    ]);
    expect(input.channels).toEqual([
      { name: 'alert', enabled: true, has_system_destination: true },
      { name: 'mail', enabled: true, has_system_destination: true },
      { name: 'slack', enabled: true, has_system_destination: true },
      { name: 'msteams', enabled: false, has_system_destination: false },
      { name: 'webhooks', enabled: false, has_system_destination: true },
    ]);
    expect(input.systemMailRecipients).toEqual(['sec@example.org']);
  });

  it('reads each distinct settings text once and shares it: users and products stay paired, preferences stay with their user', async () => {
    const settingsRepository = new SettingsRepository(db.em);
    const eventTypeRepository = new EventTypeRepository(db.em);
    const directory = new DirectoryService(db.em, new DirectoryRepository(db.em), settingsRepository, eventTypeRepository);
    const settings = new SettingsService(settingsRepository, eventTypeRepository, new ChannelNames(db.em));
    await directory.upsertProductType('pt2', { name: 'Shared' });
    for (const product of ['p2', 'p3']) await directory.upsertProduct(product, { name: product, product_type_id: 'pt2' });
    for (const id of ['s1', 's2', 's3', 's4']) {
      await directory.upsertUser(id, { username: `shared-${id}`, email: `${id}@example.org` });
      await settings.putPersonal(id, { events: { scan_added: ['alert', 'mail'] } });
    }
    await settings.patchPersonal('s3', {
      events: { scan_added: ['alert', 'mail'] },
      quiet_hours: { timezone: 'UTC', windows: [{ days: ['mon'], start: '00:00', end: '06:00' }], bypass: [] },
    });
    await settings.putProduct('s1', 'p3', { events: { scan_added: ['slack'] } });
    await settings.putProduct('s2', 'p2', { events: { scan_added: ['slack'] } });
    await settings.putProduct('s2', 'p3', { events: { scan_added: ['mail'] } });

    const input = await loadSnapshotInput(db.em, { systemLevelTrump: [] });
    const shared = input.personal.filter((row) => row.user_id.startsWith('s'));
    expect(shared.map((row) => row.user_id).sort()).toEqual(['s1', 's2', 's3', 's4']);
    // one completed row object for the four equal stored rows
    expect(new Set(shared.map((row) => row.events)).size).toBe(1);
    expect(shared[0]!.events['scan_added']).toEqual(['alert', 'mail']);
    expect(shared.filter((row) => row.quiet_hours !== undefined).map((row) => [row.user_id, row.quiet_hours?.timezone])).toEqual([
      ['s3', 'UTC'],
    ]);
    const products = input.productSettings
      .filter((row) => row.user_id.startsWith('s'))
      .map((row) => [row.user_id, row.product_id, row.events['scan_added']])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])) || String(a[1]).localeCompare(String(b[1])));
    expect(products).toEqual([
      ['s1', 'p3', ['slack']],
      ['s2', 'p2', ['slack']],
      ['s2', 'p3', ['mail']],
    ]);
  });
});
