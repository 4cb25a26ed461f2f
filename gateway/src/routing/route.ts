/**
 * Routing (SPEC §3): which channel messages an event produces, and why. Pure and synchronous: the
 * same event and snapshot always give the same result, nothing is read but the arguments, nothing
 * is written, and the snapshot is never mutated. Work is proportional to the candidate users (the
 * column's subscribers, the event product's subscribers, the active superusers), never to the
 * directory, and linear in them: no per-call index grows with the candidates (they are distinct
 * users by construction, so a personal delivery can only repeat the system alert, and only users
 * sharing a mail address are tracked), and nothing is sorted. Each (channel, destination) is
 * planned once; each mail address gets one mail.
 */
import {
  PERSONAL_DESTINATION_KEY_PREFIX,
  SYSTEM_ONLY_CHANNELS,
  deliveryIdPrefix,
  destinationKey,
  eventMessageId,
  type ChannelMessage,
  type Destination,
  type HeraldEvent,
} from '@herald/contracts';
import { denialReason, scopeMembers, type ScopeMembers } from './authorization.js';
import { resolveColumn } from './column.js';
import type { Decision, FilteredRow, HeldChannel, RowSource, SkippedChannel, SystemDecision, UserDecision } from './decision.js';
import { digestSchedule, digestWindow, localClock, quietUntil } from './delivery-time.js';
import { eventScope, type EventScope } from './event-scope.js';
import { filterFacts, filterReason, type FilterFacts } from './filters.js';
import { unionChannels, unionRows } from './merge.js';
import { reasons } from './reasons.js';
import type { Snapshot, SnapshotUser } from './snapshot.js';
import type { ColumnFilter } from './snapshot-input.js';

export interface RouteOptions {
  /** Base URL relative `data.url` values are resolved against (HERALD_SITE_URL), copied into every delivery. */
  readonly siteUrl: string;
  /** The current time: quiet hours and digests (SPEC §3.6) are decided for this instant. */
  readonly now: Date;
}

/**
 * A delivery that does not go at once (SPEC §3.6): the gateway stores it and releases it at
 * `release_at` — alone (quiet hours) or in the digest of (user, channel, `column`) due then.
 */
export interface DeliveryHold {
  readonly kind: 'quiet_hours' | 'digest';
  /** RFC 3339. */
  readonly release_at: string;
  /** The preference column that routed the event (digests are per user, channel and column). */
  readonly column: string;
  /** Digest only: `hourly` or `daily at HH:MM`. */
  readonly schedule?: string;
  /** Digest only: the window's start (RFC 3339); its end is `release_at`. */
  readonly window_start?: string;
}

/** A channel message without the event and its label: the publisher adds both and publishes it. `hold`: not now. */
export type PlannedDelivery = Omit<ChannelMessage, 'event' | 'event_label'> & { readonly hold?: DeliveryHold };

export interface RouteResult {
  /** The preference column that routed the event (`other` for unknown types). */
  readonly column: string;
  readonly deliveries: readonly PlannedDelivery[];
  readonly decisions: readonly Decision[];
}

/** The deliveries planned and the decisions taken since the previous chunk of a `routeInChunks`. */
export interface RouteChunk {
  readonly deliveries: readonly PlannedDelivery[];
  readonly decisions: readonly Decision[];
}

/** `route`'s result as it is produced (see `routeInChunks`). */
export interface RouteStream {
  /** The preference column that routed the event (`other` for unknown types). */
  readonly column: string;
  /**
   * The chunks in candidate order, at least one, none empty; their concatenation is
   * `route`'s result. Each is planned when it is asked for, so iterate once, right away: the
   * snapshot must not change meanwhile (the snapshot cache never mutates one).
   */
  readonly chunks: Iterable<RouteChunk>;
}

const SYSTEM: Destination = Object.freeze({ scope: 'system' });
const NONE: readonly string[] = Object.freeze([]);
const NO_SKIPPED: readonly SkippedChannel[] = Object.freeze([]);
const NO_USERS: readonly SnapshotUser[] = Object.freeze([]);

export function route(event: HeraldEvent, snapshot: Snapshot, options: RouteOptions): RouteResult {
  const { column, chunks } = routeInChunks(event, snapshot, options, Number.POSITIVE_INFINITY);
  // unbounded chunks: the first is the whole result
  const [whole] = chunks;
  return { column, deliveries: whole!.deliveries, decisions: whole!.decisions };
}

/**
 * `route`, handed out a chunk at a time: every chunk but the last holds exactly
 * `decisionsPerChunk` decisions (the system pass, then one per candidate or recipient), with the
 * deliveries planned for them. A caller that publishes and stores each chunk before asking for
 * the next holds one chunk of a broadcast at a time instead of every delivery and decision of it
 * (100 000 users: ≈ 21 MB of planned deliveries and decisions, test/bench/README.md). Every
 * decision that depends on earlier candidates (one mail per address, the system alert) is taken
 * exactly as in one call: the plan's state lives across chunks and a planned delivery is never
 * changed later.
 */
export function routeInChunks(event: HeraldEvent, snapshot: Snapshot, options: RouteOptions, decisionsPerChunk: number): RouteStream {
  if (!(decisionsPerChunk >= 1)) throw new RangeError(`decisionsPerChunk must be at least 1, got ${decisionsPerChunk}`);
  const { column } = resolveColumn(event.type, snapshot);
  const plan = new Plan(event, column, snapshot, options.siteUrl, options.now.getTime());
  const recipients = event.data.recipients;
  const out = new Chunker(plan, decisionsPerChunk);
  return { column, chunks: recipients === undefined ? broadcast(plan, out) : toRecipients(plan, recipients, out) };
}

/** The decisions of the chunk being filled; `full` says when to hand it out. */
class Chunker {
  decisions: Decision[] = [];

  constructor(
    private readonly plan: Plan,
    private readonly size: number,
  ) {}

  get full(): boolean {
    return this.decisions.length >= this.size;
  }

  take(): RouteChunk {
    const chunk = { deliveries: this.plan.takeDeliveries(), decisions: this.decisions };
    this.decisions = [];
    return chunk;
  }
}

/**
 * Broadcast path (SPEC §3.2): system pass, then every authorised candidate. The candidates are the
 * column's personal subscribers, then the product's subscribers who are not also personal ones,
 * then the active superusers who are neither — each user once, in that order. Membership of the
 * other lists is read off the user's own rows (the snapshot's subscriber lists hold exactly the
 * active users with a non-empty row for the column), so no set of candidates is built.
 */
function* broadcast(plan: Plan, out: Chunker): Generator<RouteChunk, void, undefined> {
  const { snapshot, column, event, scope } = plan;
  out.decisions.push(systemPass(plan));
  if (out.full) yield out.take();
  if (event.data.no_users === true) {
    out.decisions.push({ scope: 'users', reason: reasons.noUsers });
    yield out.take();
    return;
  }
  // Product rows count only for product-scoped columns and only for the event's own product.
  const productId = scope.kind === 'product' && snapshot.eventTypes.get(column)?.productScoped === true ? scope.productId : undefined;
  const productRows = productId === undefined ? undefined : snapshot.productRows.get(productId);
  const productFilters = productId === undefined ? undefined : snapshot.productFilters.get(productId);
  const systemFilter = snapshot.systemFilters[column];
  const productSubscribers = productId === undefined ? undefined : snapshot.productSubscribers.get(productId)?.get(column);
  const personalSubscribers = snapshot.personalSubscribers.get(column);
  const systemRow = snapshot.system[column] ?? NONE;

  const personalRow = (user: SnapshotUser): readonly string[] => user.personal[column] ?? NONE;
  const productRow = (user: SnapshotUser): readonly string[] => productRows?.get(user.id)?.[column] ?? NONE;
  const subscribesPersonally = (user: SnapshotUser): boolean => personalSubscribers !== undefined && personalRow(user).length > 0;
  const consider = (user: SnapshotUser): void => {
    const rows = applyFilters(
      plan,
      {
        personal: personalRow(user),
        product: productId === undefined ? undefined : productRow(user),
        system: user.superuser ? systemRow : undefined,
      },
      user.personalFilters[column],
      productFilters?.get(user.id)?.[column],
      systemFilter,
    );
    const denied = denialReason(user, scope, plan.members);
    out.decisions.push(denied === undefined ? userPass(plan, user, rows) : excluded(user, rows, denied));
  };

  // Indexed loops: a broadcast visits every candidate, and `for … of` may allocate an iterator result per user.
  const personal = personalSubscribers ?? NO_USERS;
  for (let i = 0; i < personal.length; i++) {
    consider(personal[i]!);
    if (out.full) yield out.take();
  }
  const product = productSubscribers ?? NO_USERS;
  for (let i = 0; i < product.length; i++) {
    if (subscribesPersonally(product[i]!)) continue;
    consider(product[i]!);
    if (out.full) yield out.take();
  }
  const superusers = snapshot.activeSuperusers;
  for (let i = 0; i < superusers.length; i++) {
    const user = superusers[i]!;
    if (subscribesPersonally(user) || productRow(user).length > 0) continue;
    consider(user);
    if (out.full) yield out.take();
  }
  // a chunk is handed out full, and the last one if anything is left: at least one in all (the system decision)
  if (out.decisions.length > 0) yield out.take();
}

/** Recipients path (SPEC §3.3): listed active users, personal row (plus system row if trumped). */
function* toRecipients(plan: Plan, recipients: readonly string[], out: Chunker): Generator<RouteChunk, void, undefined> {
  const { snapshot, column, event } = plan;
  out.decisions.push({ scope: 'system', channels: [], alert_user_ids: [], skipped: [], reason: reasons.recipientsPath });
  if (out.full) yield out.take();
  if (recipients.length === 0) {
    out.decisions.push({ scope: 'users', reason: reasons.emptyRecipients });
    yield out.take();
    return;
  }
  const trump = snapshot.systemLevelTrump.has(event.type) || snapshot.systemLevelTrump.has(column);
  const systemRow = trump ? (snapshot.system[column] ?? NONE) : undefined;
  for (const username of new Set(recipients)) {
    const user = snapshot.usersByUsername.get(username);
    if (user === undefined) {
      out.decisions.push({ scope: 'recipient', username, reason: reasons.unknownUsername(username) });
      if (out.full) yield out.take();
      continue;
    }
    const rows = applyFilters(
      plan,
      { personal: user.personal[column] ?? NONE, product: undefined, system: systemRow },
      user.personalFilters[column],
      undefined,
      snapshot.systemFilters[column],
    );
    out.decisions.push(user.active ? userPass(plan, user, rows) : excluded(user, rows, reasons.inactive));
    if (out.full) yield out.take();
  }
  if (out.decisions.length > 0) yield out.take();
}

/** System pass: system destinations; `alert` becomes one personal alert per active superuser. */
function systemPass(plan: Plan): SystemDecision {
  const { snapshot } = plan;
  const channels: string[] = [];
  const skipped: SkippedChannel[] = [];
  const alertUserIds: string[] = [];
  const systemRow = snapshot.system[plan.column] ?? NONE;
  const filtered = systemRow.length === 0 ? undefined : plan.filteredReason(snapshot.systemFilters[plan.column]);
  for (const channel of unionChannels([systemRow])) {
    const refused = filtered ?? plan.alertOnlyReason(channel) ?? plan.disabledReason(channel);
    if (refused !== undefined) {
      skipped.push({ channel, reason: refused });
    } else if (channel === 'alert') {
      for (const user of snapshot.activeSuperusers) {
        plan.addSystemAlert(user);
        alertUserIds.push(user.id);
      }
      if (alertUserIds.length > 0) channels.push(channel);
      else skipped.push({ channel, reason: reasons.noActiveSuperuser });
    } else if (snapshot.channels.get(channel)?.has_system_destination !== true) {
      skipped.push({ channel, reason: reasons.noSystemDestination(channel) });
    } else {
      plan.add(channel, SYSTEM);
      if (channel === 'mail') plan.claimSystemMail();
      channels.push(channel);
    }
  }
  return { scope: 'system', channels, alert_user_ids: alertUserIds, skipped };
}

/**
 * The rows merged for one user, in merge order; `undefined` when the row does not take part (no
 * product row outside a product-scoped broadcast, no system row unless superuser or trumped).
 */
interface Rows {
  readonly personal: readonly string[];
  readonly product: readonly string[] | undefined;
  readonly system: readonly string[] | undefined;
  /** Rows turned away by their filter; each such row is `NONE` above (it took part, contributing nothing). */
  readonly filtered?: readonly FilteredRow[];
}

/**
 * The filter stage (SPEC §3.6 step 1): a row whose filter the event does not pass contributes
 * nothing, and is recorded with the reason. Without any filter the rows are returned as they are.
 */
function applyFilters(
  plan: Plan,
  rows: Rows,
  personal: ColumnFilter | undefined,
  product: ColumnFilter | undefined,
  system: ColumnFilter | undefined,
): Rows {
  if (personal === undefined && product === undefined && system === undefined) return rows;
  let filtered: FilteredRow[] | undefined;
  const keep = (row: RowSource, channels: readonly string[] | undefined, filter: ColumnFilter | undefined) => {
    if (channels === undefined || channels.length === 0) return channels;
    const reason = plan.filteredReason(filter);
    if (reason === undefined) return channels;
    (filtered ??= []).push({ row, channels, reason });
    return NONE;
  };
  const kept = {
    personal: keep('personal', rows.personal, personal) ?? NONE,
    product: keep('product', rows.product, product),
    system: keep('system', rows.system, system),
  };
  return filtered === undefined ? rows : { ...kept, filtered };
}

/** Channels only filtered rows contributed: each is skipped with the first filter's reason. */
function filteredOut(rows: Rows, merged: readonly string[]): SkippedChannel[] {
  const skipped: SkippedChannel[] = [];
  const seen = new Set(merged);
  for (const { row, channels, reason } of rows.filtered ?? []) {
    for (const channel of channels) {
      if (seen.has(channel)) continue;
      seen.add(channel);
      skipped.push({ channel, reason: reasons.filtered(row, reason) });
    }
  }
  return skipped;
}

/** One user's merged set → personal deliveries, each refused channel with its reason. */
function userPass(plan: Plan, user: SnapshotUser, rows: Rows): UserDecision {
  const merged = unionRows(rows.personal, rows.product ?? NONE, rows.system ?? NONE);
  const filtered = rows.filtered === undefined ? undefined : { filtered: rows.filtered };
  if (merged.length === 0) {
    return {
      scope: 'user',
      user_id: user.id,
      username: user.username,
      channels: NONE,
      merged_from: contributing(rows),
      skipped: filtered === undefined ? NO_SKIPPED : filteredOut(rows, merged),
      ...filtered,
      reason: filtered === undefined ? reasons.noChannel(taking(rows), plan.column) : reasons.allFiltered,
    };
  }
  // `channels` stays undefined (and the merged set is the answer) until a channel is refused.
  let channels: string[] | undefined;
  let skipped: SkippedChannel[] | undefined = filtered === undefined ? undefined : filteredOut(rows, merged);
  if (skipped?.length === 0) skipped = undefined;
  let held: HeldChannel[] | undefined;
  for (let i = 0; i < merged.length; i++) {
    const channel = merged[i]!;
    const refused =
      plan.alertOnlyReason(channel) ??
      (SYSTEM_ONLY_CHANNELS.has(channel) ? reasons.systemOnly(channel) : undefined) ??
      plan.disabledReason(channel) ??
      plan.duplicateReason(channel, user);
    if (refused !== undefined) {
      channels ??= merged.slice(0, i);
      (skipped ??= []).push({ channel, reason: refused });
      continue;
    }
    const hold = plan.holdFor(channel, user);
    plan.addPersonal(channel, user, hold?.hold);
    if (hold !== undefined) (held ??= []).push(hold.decision);
    if (channel === 'mail') plan.claimMail(user);
    channels?.push(channel);
  }
  const decision: UserDecision = {
    scope: 'user',
    user_id: user.id,
    username: user.username,
    channels: channels ?? merged,
    merged_from: contributing(rows),
    skipped: skipped ?? NO_SKIPPED,
  };
  // The common decision (no filter, nothing held) is one object literal, not a copy through spreads.
  return filtered === undefined && held === undefined
    ? decision
    : { ...decision, ...filtered, ...(held === undefined ? undefined : { held }) };
}

function excluded(user: SnapshotUser, rows: Rows, reason: string): UserDecision {
  return {
    scope: 'user',
    user_id: user.id,
    username: user.username,
    channels: NONE,
    merged_from: contributing(rows),
    skipped: NO_SKIPPED,
    ...(rows.filtered === undefined ? undefined : { filtered: rows.filtered }),
    reason,
  };
}

const NONE_SOURCES: readonly RowSource[] = Object.freeze([]);
/** Every `RowSource` list in merge order, by bit mask (personal 1, product 2, system 4), shared and frozen. */
const SOURCE_LISTS: ReadonlyArray<readonly RowSource[]> = Array.from({ length: 8 }, (_, mask) =>
  Object.freeze((['personal', 'product', 'system'] as const).filter((_source, bit) => (mask & (1 << bit)) !== 0)),
);

function sourceList(personal: boolean, product: boolean, system: boolean): readonly RowSource[] {
  return SOURCE_LISTS[(personal ? 1 : 0) | (product ? 2 : 0) | (system ? 4 : 0)] ?? NONE_SOURCES;
}

/** The rows that contributed at least one channel. */
function contributing(rows: Rows): readonly RowSource[] {
  return sourceList(rows.personal.length > 0, (rows.product?.length ?? 0) > 0, (rows.system?.length ?? 0) > 0);
}

/** The rows that took part in the merge, empty or not. */
function taking(rows: Rows): readonly RowSource[] {
  return sourceList(true, rows.product !== undefined, rows.system !== undefined);
}

/** Who already gets this event's mail at an address: the system mail, or a user. */
type MailHolder = typeof SYSTEM_MAIL | SnapshotUser;
const SYSTEM_MAIL = Symbol('system mail');

/** The deliveries planned so far for one event; local to one `route` call. */
class Plan {
  /** Planned since the last `takeDeliveries`. */
  private deliveries: PlannedDelivery[] = [];
  /** Superusers who get the system alert as a personal alert. */
  private readonly systemAlerted = new Set<SnapshotUser>();
  /** Holders of the addresses that more than one destination could share (see `claimMail`). */
  private readonly mailTo = new Map<string, MailHolder>();
  private readonly alertOnly: boolean;
  /** The event's product or product-type scope (authorization, product rows, filters). */
  readonly scope: EventScope;
  /** The scope's members, read through cursors: the candidates come mostly in directory order. */
  readonly members: ScopeMembers;
  private readonly facts: FilterFacts;
  /** Trumped events (HERALD_SYSTEM_LEVEL_TRUMP) are never deferred nor digested. */
  private readonly trumped: boolean;
  /** The last user whose quiet window was looked up, and its end (users are planned one after the other). */
  private quietUser: SnapshotUser | undefined;
  private quietUntil: number | undefined;
  /** The event's part of every delivery id (`eventMessageId`), encoded once. */
  private readonly eventPart: string;
  /** Channel → `deliveryIdPrefix(eventPart, channel)`: a system delivery's id is then one concatenation. */
  private readonly idPrefixes = new Map<string, string>();
  /** Channel → a personal delivery's id up to the user's id (`…:alert:user-`): one concatenation per delivery. */
  private readonly personalPrefixes = new Map<string, string>();

  constructor(
    readonly event: HeraldEvent,
    readonly column: string,
    readonly snapshot: Snapshot,
    private readonly siteUrl: string,
    private readonly now: number,
  ) {
    this.trumped = snapshot.systemLevelTrump.has(event.type) || snapshot.systemLevelTrump.has(column);
    this.eventPart = eventMessageId(event);
    this.alertOnly = event.data.alert_only === true;
    this.scope = eventScope(event.data, snapshot);
    this.members = scopeMembers(this.scope, snapshot);
    this.facts = filterFacts(event, this.scope);
  }

  /** Why a row with this filter contributes nothing to this event; `undefined` when it passes (or has no filter). */
  filteredReason(filter: ColumnFilter | undefined): string | undefined {
    return filterReason(filter, this.facts);
  }

  /** The deliveries planned since the last call; planning goes on into a new list. */
  takeDeliveries(): PlannedDelivery[] {
    const planned = this.deliveries;
    this.deliveries = [];
    return planned;
  }

  /**
   * Callers never repeat a (channel, destination): the system pass plans each channel once, and
   * each user (distinct by construction) plans each merged channel once, after `duplicateReason`.
   */
  add(channel: string, destination: Destination): void {
    let prefix = this.idPrefixes.get(channel);
    if (prefix === undefined) this.idPrefixes.set(channel, (prefix = deliveryIdPrefix(this.eventPart, channel)));
    this.deliveries.push({ delivery_id: prefix + destinationKey(destination), channel, destination, site_url: this.siteUrl });
  }

  /**
   * `add` for `user`'s personal destination. Its key, `destinationKey(user.destination)`, is built
   * from the user's own `id` (the destination carries the same): a broadcast plans two
   * deliveries per candidate, and reading the id off the user, which routing has read already,
   * spares two more objects per delivery and a string built for its key.
   */
  addPersonal(channel: string, user: SnapshotUser, hold?: DeliveryHold): void {
    let prefix = this.personalPrefixes.get(channel);
    if (prefix === undefined)
      this.personalPrefixes.set(channel, (prefix = deliveryIdPrefix(this.eventPart, channel) + PERSONAL_DESTINATION_KEY_PREFIX));
    const delivery = { delivery_id: prefix + user.id, channel, destination: user.destination, site_url: this.siteUrl };
    this.deliveries.push(hold === undefined ? delivery : { ...delivery, hold });
  }

  /**
   * SPEC §3.6 steps 3 and 4, for a personal delivery on `channel`: `undefined` when it goes at
   * once (`alert`, a trumped event, no quiet window now and no digest for the column and channel).
   * Quiet hours skip bypass columns; a deferred delivery that digests joins the digest due at or
   * after the window's end.
   */
  holdFor(channel: string, user: SnapshotUser): { hold: DeliveryHold; decision: HeldChannel } | undefined {
    if (channel === 'alert' || this.trumped) return undefined;
    const quiet = user.quietHours;
    const until = this.quietEnd(user);
    const schedule = digestSchedule(user.digests, this.column, channel);
    if (schedule === undefined) {
      if (until === undefined || quiet === undefined) return undefined;
      const releaseAt = new Date(until).toISOString();
      return {
        hold: { kind: 'quiet_hours', release_at: releaseAt, column: this.column },
        decision: { channel, kind: 'quiet_hours', release_at: releaseAt, reason: reasons.deferred(localClock(until, quiet.timezone)) },
      };
    }
    const window = digestWindow(schedule, user.timeZone, until ?? this.now, until !== undefined);
    const releaseAt = new Date(window.due).toISOString();
    const deferred = until === undefined ? undefined : localClock(until, user.timeZone);
    return {
      hold: { kind: 'digest', release_at: releaseAt, column: this.column, schedule, window_start: new Date(window.start).toISOString() },
      decision: {
        channel,
        kind: 'digest',
        release_at: releaseAt,
        reason: reasons.digested(schedule, localClock(window.due, user.timeZone), deferred),
      },
    };
  }

  /** The end of `user`'s current quiet window for this column (bypass honoured); computed once per user. */
  private quietEnd(user: SnapshotUser): number | undefined {
    // Stryker disable next-line ConditionalExpression: equivalent — a cache: looking the window up again for the same user gives the same end.
    if (this.quietUser !== user) {
      const quiet = user.quietHours;
      this.quietUser = user;
      this.quietUntil = quiet === undefined || quiet.bypass.includes(this.column) ? undefined : quietUntil(quiet, this.now);
    }
    return this.quietUntil;
  }

  addSystemAlert(user: SnapshotUser): void {
    this.addPersonal('alert', user);
    this.systemAlerted.add(user);
  }

  alertOnlyReason(channel: string): string | undefined {
    return this.alertOnly && channel !== 'alert' ? reasons.alertOnly : undefined;
  }

  disabledReason(channel: string): string | undefined {
    if (this.snapshot.enabledChannels.has(channel)) return undefined;
    return this.snapshot.channels.has(channel) ? reasons.disabled(channel) : reasons.notConfigured(channel);
  }

  /**
   * Why a personal delivery on `channel` would repeat one already planned for this event: the same
   * mail address, or the system alert. Candidates are distinct users and a merged set has each
   * channel once, so no other personal delivery can repeat.
   */
  duplicateReason(channel: string, user: SnapshotUser): string | undefined {
    if (channel === 'mail') {
      if (user.mailSharing === 'none') return reasons.noEmail;
      // Only a shared address can have a holder (see `claimMail`): a unique one is not looked up.
      if (user.mailSharing === 'unique') return undefined;
      const holder = this.mailTo.get(user.mailKey);
      if (holder === undefined) return undefined;
      return holder === SYSTEM_MAIL ? reasons.alreadySystemMail(user.mailKey) : reasons.alreadyUserMail(user.mailKey, holder.username);
    }
    return channel === 'alert' && this.systemAlerted.has(user) ? reasons.alreadySystemAlert : undefined;
  }

  claimSystemMail(): void {
    for (const address of this.snapshot.systemMailRecipients) this.mailTo.set(address, SYSTEM_MAIL);
  }

  /**
   * Called after `duplicateReason` found no holder. Only a `shared` address (another user's too,
   * or the system mail's) can be claimed again, so a unique one needs no entry (the map stays as
   * small as the shared addresses).
   */
  claimMail(user: SnapshotUser): void {
    // Stryker disable next-line ConditionalExpression: equivalent — claiming every address (the condition `true`) gives the same result, only a bigger map.
    if (user.mailSharing === 'shared') this.mailTo.set(user.mailKey, user);
  }
}
