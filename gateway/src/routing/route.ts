/**
 * Routing (SPEC §3): which channel messages an event produces, and why. Pure and synchronous: the
 * same event and snapshot always give the same result, nothing is read but the arguments, nothing
 * is written, and the snapshot is never mutated. Work is proportional to the candidate users (the
 * column's subscribers, the event product's subscribers, the active superusers), never to the
 * directory. Each (channel, destination) is planned once; each mail address gets one mail.
 */
import { SYSTEM_ONLY_CHANNELS, deliveryId, type ChannelMessage, type Destination, type HeraldEvent } from '@herald/contracts';
import { denialReason } from './authorization.js';
import { resolveColumn } from './column.js';
import type { Decision, RowSource, SkippedChannel, SystemDecision, UserDecision } from './decision.js';
import { eventScope } from './event-scope.js';
import { unionChannels } from './merge.js';
import { reasons } from './reasons.js';
import type { Snapshot, SnapshotUser } from './snapshot.js';

export interface RouteOptions {
  /** Base URL relative `data.url` values are resolved against (HERALD_SITE_URL), copied into every delivery. */
  readonly siteUrl: string;
}

/** A channel message without the event and its label: the publisher adds both and publishes it. */
export type PlannedDelivery = Omit<ChannelMessage, 'event' | 'event_label'>;

export interface RouteResult {
  /** The preference column that routed the event (`other` for unknown types). */
  readonly column: string;
  readonly deliveries: readonly PlannedDelivery[];
  readonly decisions: readonly Decision[];
}

const SYSTEM: Destination = Object.freeze({ scope: 'system' });

export function route(event: HeraldEvent, snapshot: Snapshot, options: RouteOptions): RouteResult {
  const { column } = resolveColumn(event.type, snapshot);
  const plan = new Plan(event, column, snapshot, options.siteUrl);
  const recipients = event.data.recipients;
  const decisions = recipients === undefined ? broadcast(plan) : toRecipients(plan, recipients);
  return { column, deliveries: plan.deliveries(), decisions };
}

/** Broadcast path (SPEC §3.2): system pass, then every authorised candidate. */
function broadcast(plan: Plan): Decision[] {
  const { snapshot, column, event } = plan;
  const decisions: Decision[] = [systemPass(plan)];
  if (event.data.no_users === true) {
    decisions.push({ scope: 'users', reason: reasons.noUsers });
    return decisions;
  }
  const scope = eventScope(event.data, snapshot);
  // Product rows count only for product-scoped columns and only for the event's own product.
  const productId = scope.kind === 'product' && snapshot.eventTypes.get(column)?.productScoped === true ? scope.productId : undefined;
  const candidates = new Set<SnapshotUser>(snapshot.personalSubscribers.get(column));
  if (productId !== undefined) for (const user of snapshot.productSubscribers.get(productId)?.get(column) ?? []) candidates.add(user);
  for (const user of snapshot.activeSuperusers) candidates.add(user);

  for (const user of candidates) {
    const sources: Source[] = [{ source: 'personal', channels: user.personal[column] ?? [] }];
    if (productId !== undefined)
      sources.push({ source: 'product', channels: snapshot.productRows.get(productId)?.get(user.id)?.[column] ?? [] });
    if (user.superuser) sources.push({ source: 'system', channels: snapshot.system[column] ?? [] });
    const denied = denialReason(user, scope, snapshot);
    decisions.push(denied === undefined ? userPass(plan, user, sources) : excluded(user, sources, denied));
  }
  return decisions;
}

/** Recipients path (SPEC §3.3): listed active users, personal row (plus system row if trumped). */
function toRecipients(plan: Plan, recipients: readonly string[]): Decision[] {
  const { snapshot, column, event } = plan;
  const decisions: Decision[] = [{ scope: 'system', channels: [], alert_user_ids: [], skipped: [], reason: reasons.recipientsPath }];
  if (recipients.length === 0) {
    decisions.push({ scope: 'users', reason: reasons.emptyRecipients });
    return decisions;
  }
  const trump = snapshot.systemLevelTrump.has(event.type) || snapshot.systemLevelTrump.has(column);
  for (const username of new Set(recipients)) {
    const user = snapshot.usersByUsername.get(username);
    if (user === undefined) {
      decisions.push({ scope: 'recipient', username, reason: reasons.unknownUsername(username) });
      continue;
    }
    const sources: Source[] = [{ source: 'personal', channels: user.personal[column] ?? [] }];
    if (trump) sources.push({ source: 'system', channels: snapshot.system[column] ?? [] });
    decisions.push(user.active ? userPass(plan, user, sources) : excluded(user, sources, reasons.inactive));
  }
  return decisions;
}

/** System pass: system destinations; `alert` becomes one personal alert per active superuser. */
function systemPass(plan: Plan): SystemDecision {
  const { snapshot } = plan;
  const channels: string[] = [];
  const skipped: SkippedChannel[] = [];
  const alertUserIds: string[] = [];
  for (const channel of unionChannels([snapshot.system[plan.column] ?? []])) {
    const refused = plan.alertOnlyReason(channel) ?? plan.disabledReason(channel);
    if (refused !== undefined) {
      skipped.push({ channel, reason: refused });
    } else if (channel === 'alert') {
      for (const user of snapshot.activeSuperusers) {
        plan.add(channel, user.destination);
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

/** One user's merged set → personal deliveries, each refused channel with its reason. */
function userPass(plan: Plan, user: SnapshotUser, sources: readonly Source[]): UserDecision {
  const mergedFrom = contributing(sources);
  const merged = unionChannels(sources.map((source) => source.channels));
  const base = { scope: 'user', user_id: user.id, username: user.username } as const;
  if (merged.length === 0) {
    return {
      ...base,
      channels: [],
      merged_from: mergedFrom,
      skipped: [],
      reason: reasons.noChannel(
        sources.map((source) => source.source),
        plan.column,
      ),
    };
  }
  const channels: string[] = [];
  const skipped: SkippedChannel[] = [];
  for (const channel of merged) {
    const refused =
      plan.alertOnlyReason(channel) ??
      (SYSTEM_ONLY_CHANNELS.has(channel) ? reasons.systemOnly(channel) : undefined) ??
      plan.disabledReason(channel) ??
      plan.duplicateReason(channel, user);
    if (refused !== undefined) {
      skipped.push({ channel, reason: refused });
      continue;
    }
    plan.add(channel, user.destination);
    if (channel === 'mail') plan.claimMail(user);
    channels.push(channel);
  }
  return { ...base, channels, merged_from: mergedFrom, skipped };
}

function excluded(user: SnapshotUser, sources: readonly Source[], reason: string): UserDecision {
  return {
    scope: 'user',
    user_id: user.id,
    username: user.username,
    channels: [],
    merged_from: contributing(sources),
    skipped: [],
    reason,
  };
}

function contributing(sources: readonly Source[]): RowSource[] {
  return sources.filter((source) => source.channels.length > 0).map((source) => source.source);
}

interface Source {
  readonly source: RowSource;
  readonly channels: readonly string[];
}

/** Who already gets this event's mail at an address. */
type MailHolder = { readonly kind: 'system' } | { readonly kind: 'user'; readonly username: string };

/** The deliveries planned so far for one event; local to one `route` call. */
class Plan {
  private readonly planned = new Map<string, PlannedDelivery>();
  private readonly mailTo = new Map<string, MailHolder>();
  private readonly alertOnly: boolean;

  constructor(
    readonly event: HeraldEvent,
    readonly column: string,
    readonly snapshot: Snapshot,
    private readonly siteUrl: string,
  ) {
    this.alertOnly = event.data.alert_only === true;
  }

  add(channel: string, destination: Destination): void {
    const id = deliveryId(this.event, channel, destination);
    if (!this.planned.has(id)) this.planned.set(id, { delivery_id: id, channel, destination, site_url: this.siteUrl });
  }

  deliveries(): PlannedDelivery[] {
    return [...this.planned.values()];
  }

  alertOnlyReason(channel: string): string | undefined {
    return this.alertOnly && channel !== 'alert' ? reasons.alertOnly : undefined;
  }

  disabledReason(channel: string): string | undefined {
    if (this.snapshot.enabledChannels.has(channel)) return undefined;
    return this.snapshot.channels.has(channel) ? reasons.disabled(channel) : reasons.notConfigured(channel);
  }

  /** Why a personal delivery on `channel` would repeat one already planned for this event. */
  duplicateReason(channel: string, user: SnapshotUser): string | undefined {
    if (channel === 'mail') {
      if (user.mailKey.length === 0) return reasons.noEmail;
      const holder = this.mailTo.get(user.mailKey);
      if (holder !== undefined)
        return holder.kind === 'system' ? reasons.alreadySystemMail(user.mailKey) : reasons.alreadyUserMail(user.mailKey, holder.username);
    }
    if (!this.planned.has(deliveryId(this.event, channel, user.destination))) return undefined;
    return channel === 'alert' ? reasons.alreadySystemAlert : reasons.alreadyPlanned(channel);
  }

  claimSystemMail(): void {
    for (const address of this.snapshot.systemMailRecipients) this.mailTo.set(address, { kind: 'system' });
  }

  claimMail(user: SnapshotUser): void {
    if (!this.mailTo.has(user.mailKey)) this.mailTo.set(user.mailKey, { kind: 'user', username: user.username });
  }
}
