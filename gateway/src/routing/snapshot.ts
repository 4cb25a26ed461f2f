/**
 * The indexed, immutable view of directory and settings that routing reads (SPEC §3). Invariants:
 * `buildSnapshot` never mutates its input and returns frozen data; every row is resolved once here
 * (a missing personal row or column takes the event type's default channels, a missing system row
 * likewise, a product row keeps only product-scoped columns), and the subscriber indexes list
 * active users only, so routing touches candidate users and never scans the directory.
 */
import { ALWAYS_ENABLED_CHANNELS, type Destination, type DirectoryUser, type EventTypeDefinition } from '@herald/contracts';
import { Members } from './membership.js';
import type {
  ChannelRecord,
  ColumnFilters,
  DigestSettings,
  EventChannels,
  MembershipRecord,
  ProductRecord,
  ProductTypeRecord,
  QuietHours,
  SnapshotInput,
  UserRecord,
} from './snapshot-input.js';

/** A directory user with everything routing needs precomputed. */
export interface SnapshotUser {
  /** The user's position in the directory (`usersById` order, from 0): what `Members` hold. */
  readonly index: number;
  readonly id: string;
  readonly username: string;
  readonly active: boolean;
  readonly superuser: boolean;
  /** A non-empty global role grants view of every product and product type. */
  readonly hasGlobalRole: boolean;
  /** Lower-cased, trimmed email; `''` when the user has none. Used to send one mail per address. */
  readonly mailKey: string;
  /**
   * Whether an event's mail to this address could repeat another one: `none` (no address),
   * `unique` (no other user has it and the system mail is never sent to it), or `shared`. Routing
   * reads this flag off the user instead of hashing the address of every candidate.
   */
  readonly mailSharing: 'none' | 'unique' | 'shared';
  /** The personal destination used in channel messages (`slack_email` omitted when unset). */
  readonly destination: Extract<Destination, { scope: 'personal' }>;
  /** The personal row with every known column present (defaults filled in). */
  readonly personal: EventChannels;
  /** The personal row's filters (SPEC §3.6), by column; `{}` when none. */
  readonly personalFilters: ColumnFilters;
  /** Quiet hours (SPEC §3.6); `undefined` when none. */
  readonly quietHours: QuietHours | undefined;
  /** Column → channel → digest schedule (SPEC §3.6); `{}` when none. */
  readonly digests: DigestSettings;
  /** The time zone digests are read in: the quiet hours' one, else `UTC`. */
  readonly timeZone: string;
}

export interface Snapshot {
  readonly usersById: ReadonlyMap<string, SnapshotUser>;
  readonly usersByUsername: ReadonlyMap<string, SnapshotUser>;
  /** Active superusers, in directory order. */
  readonly activeSuperusers: readonly SnapshotUser[];
  readonly productTypes: ReadonlyMap<string, ProductTypeRecord>;
  readonly products: ReadonlyMap<string, ProductRecord>;
  /** Product id → its members (`Members`: directory indexes, read through a cursor while routing). */
  readonly productMembers: ReadonlyMap<string, Members>;
  /** Product-type id → its members. */
  readonly productTypeMembers: ReadonlyMap<string, Members>;
  /** Event type name → definition (catalogue plus registered types). */
  readonly eventTypes: ReadonlyMap<string, EventTypeDefinition>;
  /** The system row with every known column present. */
  readonly system: EventChannels;
  /** The system row's filters, by column; `{}` when none. */
  readonly systemFilters: ColumnFilters;
  /** Product id → user id → product row (product-scoped columns only). */
  readonly productRows: ReadonlyMap<string, ReadonlyMap<string, EventChannels>>;
  /** Product id → user id → the product row's filters; only rows with at least one filter are present. */
  readonly productFilters: ReadonlyMap<string, ReadonlyMap<string, ColumnFilters>>;
  /** Configured channels by name. */
  readonly channels: ReadonlyMap<string, ChannelRecord>;
  /** Enabled channels; always contains `alert`. */
  readonly enabledChannels: ReadonlySet<string>;
  /** Lower-cased addresses the system mail goes to. */
  readonly systemMailRecipients: ReadonlySet<string>;
  /** Event types whose system row is merged into recipients' personal rows. */
  readonly systemLevelTrump: ReadonlySet<string>;
  /** Column → active users whose personal row has at least one channel for it. */
  readonly personalSubscribers: ReadonlyMap<string, readonly SnapshotUser[]>;
  /** Product id → column → active users whose product row has at least one channel for it. */
  readonly productSubscribers: ReadonlyMap<string, ReadonlyMap<string, readonly SnapshotUser[]>>;
}

const EMPTY: readonly string[] = Object.freeze([]);
const NO_FILTERS: ColumnFilters = Object.freeze({});
const NO_DIGESTS: DigestSettings = Object.freeze({});

interface DeliveryPreferences {
  readonly quietHours: QuietHours | undefined;
  readonly digests: DigestSettings;
}
const NO_PREFERENCES: DeliveryPreferences = Object.freeze({ quietHours: undefined, digests: NO_DIGESTS });

export function buildSnapshot(input: SnapshotInput): Snapshot {
  const eventTypes = new Map<string, EventTypeDefinition>();
  for (const type of input.eventTypes)
    eventTypes.set(type.name, Object.freeze({ ...type, defaultChannels: frozenList(type.defaultChannels) }));
  const columns = [...eventTypes.values()];
  const productScoped = columns.filter((type) => type.productScoped).map((type) => type.name);

  const personalRows = new Map<string, EventChannels>();
  const personalFilterRows = new Map<string, ColumnFilters>();
  const preferences = new Map<string, DeliveryPreferences>();
  for (const row of input.personal) {
    personalRows.set(row.user_id, row.events);
    if (row.filters !== undefined) personalFilterRows.set(row.user_id, row.filters);
    const quiet = row.quiet_hours ?? undefined;
    const digests = row.digests ?? NO_DIGESTS;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent — a user with neither gets the same values from NO_PREFERENCES (the condition only keeps the map small).
    if (quiet !== undefined || Object.keys(digests).length > 0) {
      preferences.set(row.user_id, { quietHours: quiet === undefined ? undefined : frozenQuiet(quiet), digests: frozenDigests(digests) });
    }
  }
  // Filters are shared like rows: one frozen copy per distinct stored object.
  const resolvedFilters = new Map<ColumnFilters, ColumnFilters>();
  const filtersOf = (filters: ColumnFilters | undefined): ColumnFilters =>
    filters === undefined ? NO_FILTERS : getOrCreate(resolvedFilters, filters, () => frozenFilters(filters));

  // Rows are shared, not copied: equal stored rows arrive as one object (the loader interns them),
  // so each distinct row is resolved once and every user holding it points at the same frozen row.
  const resolvedPersonal = new Map<EventChannels | null, EventChannels>();
  // The first record of a repeated id counts; its mail key is known before any user is built, so
  // each user is built once, frozen, with its address's sharing.
  const records = new Map<string, { readonly record: UserRecord; readonly mailKey: string }>();
  for (const record of input.users) if (!records.has(record.id)) records.set(record.id, { record, mailKey: mailKey(record.email) });
  const systemMailRecipients = new Set(input.systemMailRecipients.map(mailKey).filter((address) => address.length > 0));
  const shared = sharedMailKeys(records.values(), systemMailRecipients);
  const usersById = new Map<string, SnapshotUser>();
  const usersByUsername = new Map<string, SnapshotUser>();
  for (const { record, mailKey: key } of records.values()) {
    const stored = personalRows.get(record.id) ?? null;
    const personal = getOrCreate(resolvedPersonal, stored, () => resolveRow(stored, columns));
    const user = toSnapshotUser(
      usersById.size,
      record,
      key,
      key.length === 0 ? 'none' : shared.has(key) ? 'shared' : 'unique',
      personal,
      filtersOf(personalFilterRows.get(record.id)),
      preferences.get(record.id) ?? NO_PREFERENCES,
    );
    usersById.set(user.id, user);
    if (!usersByUsername.has(user.username)) usersByUsername.set(user.username, user);
  }
  const activeUsers = [...usersById.values()].filter((user) => user.active);

  const personalSubscribers = new Map<string, readonly SnapshotUser[]>();
  for (const { name } of columns) {
    personalSubscribers.set(name, Object.freeze(activeUsers.filter((user) => (user.personal[name] ?? EMPTY).length > 0)));
  }

  const resolvedProduct = new Map<EventChannels, EventChannels>();
  const productRows = new Map<string, Map<string, EventChannels>>();
  const productFilters = new Map<string, Map<string, ColumnFilters>>();
  const productSubscriberLists = new Map<string, Map<string, SnapshotUser[]>>();
  for (const row of input.productSettings) {
    const user = usersById.get(row.user_id);
    if (user === undefined) continue;
    const resolved = getOrCreate(resolvedProduct, row.events, () => productRow(row.events, productScoped));
    getOrCreate(productRows, row.product_id, () => new Map<string, EventChannels>()).set(user.id, resolved);
    const filters = filtersOf(row.filters);
    if (filters !== NO_FILTERS) getOrCreate(productFilters, row.product_id, () => new Map<string, ColumnFilters>()).set(user.id, filters);
  }
  for (const [productId, rows] of productRows) {
    const byColumn = getOrCreate(productSubscriberLists, productId, () => new Map<string, SnapshotUser[]>());
    for (const [userId, row] of rows) {
      const user = usersById.get(userId);
      if (user === undefined || !user.active) continue;
      for (const column of productScoped) {
        if ((row[column] ?? EMPTY).length > 0) getOrCreate(byColumn, column, (): SnapshotUser[] => []).push(user);
      }
    }
  }

  const channels = new Map<string, ChannelRecord>();
  for (const channel of input.channels) channels.set(channel.name, Object.freeze({ ...channel }));
  const enabledChannels = new Set<string>(ALWAYS_ENABLED_CHANNELS);
  for (const channel of channels.values()) if (channel.enabled) enabledChannels.add(channel.name);

  return Object.freeze({
    usersById,
    usersByUsername,
    activeSuperusers: Object.freeze(activeUsers.filter((user) => user.superuser)),
    productTypes: new Map(input.productTypes.map((type) => [type.id, Object.freeze({ ...type })])),
    products: new Map(input.products.map((product) => [product.id, Object.freeze({ ...product })])),
    productMembers: membershipIndex(input.productMembers, usersById),
    productTypeMembers: membershipIndex(input.productTypeMembers, usersById),
    eventTypes,
    system: resolveRow(input.system, columns),
    systemFilters: filtersOf(input.systemFilters),
    productRows,
    productFilters,
    channels,
    enabledChannels,
    systemMailRecipients,
    systemLevelTrump: new Set(input.systemLevelTrump),
    personalSubscribers,
    productSubscribers: new Map([...productSubscriberLists].map(([productId, byColumn]) => [productId, freezeLists(byColumn)])),
  });
}

/** The normalised form of an address used to compare mail destinations. */
export function mailKey(address: string): string {
  return address.trim().toLowerCase();
}

function toSnapshotUser(
  index: number,
  record: UserRecord,
  key: string,
  mailSharing: SnapshotUser['mailSharing'],
  personal: EventChannels,
  personalFilters: ColumnFilters,
  preferences: DeliveryPreferences,
): SnapshotUser {
  const user: DirectoryUser = { id: record.id, username: record.username, email: record.email, full_name: record.full_name };
  if (record.slack_email !== null) user.slack_email = record.slack_email;
  // The fields a broadcast reads for every candidate come first, in the order it reads them (measured
  // only together with `Plan.addPersonal`: test/bench/README.md, "Fifteenth session", item 1).
  return Object.freeze({
    personal,
    superuser: record.superuser,
    personalFilters,
    hasGlobalRole: record.global_role !== null && record.global_role.length > 0,
    index,
    mailSharing,
    quietHours: preferences.quietHours,
    digests: preferences.digests,
    id: record.id,
    destination: Object.freeze({ scope: 'personal' as const, user: Object.freeze(user) }),
    username: record.username,
    active: record.active,
    mailKey: key,
    timeZone: preferences.quietHours?.timezone ?? 'UTC',
  });
}

function frozenQuiet(quiet: QuietHours): QuietHours {
  return Object.freeze({
    timezone: quiet.timezone,
    windows: Object.freeze(
      quiet.windows.map((window) => Object.freeze({ days: Object.freeze([...window.days]), start: window.start, end: window.end })),
    ),
    bypass: Object.freeze([...quiet.bypass]),
  });
}

function frozenDigests(digests: DigestSettings): DigestSettings {
  const entries = Object.entries(digests).filter(([, channels]) => Object.keys(channels).length > 0);
  if (entries.length === 0) return NO_DIGESTS;
  return Object.freeze(Object.fromEntries(entries.map(([column, channels]) => [column, Object.freeze({ ...channels })])));
}

/** A deep-frozen copy; `NO_FILTERS` when no column has a filter. */
function frozenFilters(filters: ColumnFilters): ColumnFilters {
  const entries = Object.entries(filters);
  if (entries.length === 0) return NO_FILTERS;
  const copy: Record<string, ColumnFilters[string]> = {};
  for (const [column, filter] of entries) {
    copy[column] = Object.freeze({
      ...(filter.min_severity === undefined ? {} : { min_severity: filter.min_severity }),
      ...(filter.product_types === undefined ? {} : { product_types: Object.freeze([...filter.product_types]) }),
      ...(filter.tags_any === undefined ? {} : { tags_any: Object.freeze([...filter.tags_any]) }),
    });
  }
  return Object.freeze(copy);
}

/** A stored row with every known column present: a missing row or column takes the type's defaults. */
function resolveRow(row: EventChannels | null, columns: readonly EventTypeDefinition[]): EventChannels {
  const resolved: Record<string, readonly string[]> = {};
  if (row !== null) for (const [column, channels] of Object.entries(row)) resolved[column] = frozenList(channels);
  for (const type of columns) if (row?.[type.name] === undefined) resolved[type.name] = type.defaultChannels;
  return Object.freeze(resolved);
}

/**
 * Only product-scoped columns of a product row count; a missing one is empty. DefectDojo fills the
 * other columns of a product row with `alert`, turning on alerts for unrelated events.
 */
function productRow(row: EventChannels, productScoped: readonly string[]): EventChannels {
  const resolved: Record<string, readonly string[]> = {};
  for (const column of productScoped) resolved[column] = frozenList(row[column] ?? EMPTY);
  return Object.freeze(resolved);
}

/**
 * The non-empty mail keys two destinations of one event could share: those more than one user of
 * the directory has (active or not), and those the system mail goes to.
 */
function sharedMailKeys(users: Iterable<{ readonly mailKey: string }>, systemMailRecipients: ReadonlySet<string>): ReadonlySet<string> {
  const seen = new Set<string>();
  const shared = new Set<string>(systemMailRecipients);
  for (const { mailKey: key } of users) {
    // Stryker disable next-line ConditionalExpression: equivalent — a user without an address is `none` before this set is read.
    if (key.length === 0) continue;
    if (seen.has(key)) shared.add(key);
    else seen.add(key);
  }
  return shared;
}

/** Scope id → its members; a record naming no user of the directory grants nothing to anyone, so it is left out. */
function membershipIndex(members: readonly MembershipRecord[], usersById: ReadonlyMap<string, SnapshotUser>): ReadonlyMap<string, Members> {
  const indexes = new Map<string, number[]>();
  for (const member of members) {
    const user = usersById.get(member.user_id);
    if (user !== undefined) getOrCreate(indexes, member.scope_id, (): number[] => []).push(user.index);
  }
  return new Map([...indexes].map(([scopeId, list]) => [scopeId, Members.of(list)]));
}

function freezeLists<T>(byKey: ReadonlyMap<string, T[]>): ReadonlyMap<string, readonly T[]> {
  return new Map([...byKey].map(([key, list]) => [key, Object.freeze(list)]));
}

function frozenList(channels: readonly string[]): readonly string[] {
  // Stryker disable next-line ConditionalExpression: equivalent — a frozen copy of an empty list equals the shared EMPTY.
  return channels.length === 0 ? EMPTY : Object.freeze([...channels]);
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  const existing = map.get(key);
  if (existing !== undefined) return existing;
  const created = create();
  map.set(key, created);
  return created;
}
