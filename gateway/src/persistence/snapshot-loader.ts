/**
 * Loads everything routing needs (`SnapshotInput`) in one read-only, repeatable-read transaction:
 * a fixed number of SELECTs, whatever the directory size (no per-user queries), so the snapshot is
 * consistent even while the API writes. Rows are completed for today's event types (catalogue
 * plus registered), so routing sees every column on every row.
 *
 * Settings rows are read grouped by their stored text: each distinct `events` / `filters` text
 * arrives once with the ids of the users (or user and product pairs) holding it, instead of once
 * per row. 100 000 users with the same personal row used to bring 100 000 copies of its ≈ 600-byte
 * JSON text into the heap during a reload (≈ 60 MB of strings, all alive until the rows were
 * mapped); quiet hours and digests, which few users have, are read for those users only.
 */
import { IsolationLevel } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { channelRecords, type StoredChannelRow } from '../channel-config/channel-records.js';
import { parseMailRecipients } from '../channel-config/system-destination.js';
import type { MembershipRecord, ProductRecord, ProductTypeRecord, SnapshotInput, UserRecord } from '../routing/snapshot-input.js';
import { EventTypeRepository } from '../settings/event-type.repository.js';
import { completeDigests, completeFilters, completeQuietHours, completeRow } from '../settings/settings-row.js';
import { queryRows, sql } from './sql.js';

export interface SnapshotLoadOptions {
  /** Event types whose system row is merged into recipients' rows (`HERALD_SYSTEM_LEVEL_TRUMP`). */
  readonly systemLevelTrump: readonly string[];
}

interface EventsRow {
  /** The stored row as JSON text: equal rows are parsed and completed once, then shared. */
  events: string | null;
  /** The row's filters as JSON text, interned the same way. */
  filters: string | null;
}

/** The users (and for product rows, the products) holding one distinct (`events`, `filters`) pair. */
interface GroupedRow extends EventsRow {
  user_ids: string[];
}

function parseStored(text: string | null): unknown {
  return text === null ? null : JSON.parse(text);
}

export async function loadSnapshotInput(em: EntityManager, options: SnapshotLoadOptions): Promise<SnapshotInput> {
  return em.fork().transactional(
    async (tx) => {
      const eventTypes = await new EventTypeRepository(tx).listAll(tx);
      const users = await queryRows(
        tx,
        sql<UserRecord>`select id, username, email, full_name, active, superuser, global_role, slack_email from gateway.users order by id`,
      );
      const productTypes = await queryRows(tx, sql<ProductTypeRecord>`select id, name from gateway.product_types order by id`);
      const products = await queryRows(tx, sql<ProductRecord>`select id, name, product_type_id from gateway.products order by id`);
      const productMembers = await queryRows(
        tx,
        sql<MembershipRecord>`select scope_id, user_id, role from gateway.product_members order by scope_id, user_id`,
      );
      const productTypeMembers = await queryRows(
        tx,
        sql<MembershipRecord>`select scope_id, user_id, role from gateway.product_type_members order by scope_id, user_id`,
      );
      const system = await queryRows(
        tx,
        sql<EventsRow>`select events::text as events, filters::text as filters from gateway.global_settings where scope = 'system'`,
      );
      const personal = await queryRows(
        tx,
        sql<GroupedRow>`select events::text as events, filters::text as filters, array_agg(user_id order by user_id) as user_ids
          from gateway.personal_settings group by events::text, filters::text order by min(user_id)`,
      );
      const preferences = await queryRows(
        tx,
        sql<{ user_id: string; quiet_hours: unknown; digests: unknown }>`select user_id, quiet_hours, digests
          from gateway.personal_settings where quiet_hours is not null or digests <> '{}'::jsonb`,
      );
      const productSettings = await queryRows(
        tx,
        sql<GroupedRow & { product_ids: string[] }>`select events::text as events, filters::text as filters,
          array_agg(user_id order by user_id, product_id) as user_ids, array_agg(product_id order by user_id, product_id) as product_ids
          from gateway.product_settings group by events::text, filters::text order by min(user_id)`,
      );
      const channels = await queryRows(
        tx,
        sql<StoredChannelRow>`select channel, enabled, settings from gateway.channel_config order by channel`,
      );
      const mail = channels.find((row) => row.channel === 'mail');
      // One completed row per distinct stored text and scope (10 000 users with the same settings
      // hold one row, not 10 000 copies); routing freezes and shares them the same way.
      const rows = new Map<string, ReturnType<typeof completeRow>>();
      const interned = (text: string | null, scope: 'personal' | 'product') => {
        const key = `${scope}\u0000${text ?? ''}`;
        let row = rows.get(key);
        if (row === undefined) {
          row = completeRow(parseStored(text), scope, eventTypes);
          rows.set(key, row);
        }
        return row;
      };
      const filterRows = new Map<string, ReturnType<typeof completeFilters>>();
      const internedFilters = (text: string | null, scope: 'system' | 'personal' | 'product') => {
        const key = `${scope}\u0000${text ?? ''}`;
        let filters = filterRows.get(key);
        if (filters === undefined) {
          filters = completeFilters(parseStored(text), scope, eventTypes);
          filterRows.set(key, filters);
        }
        return filters;
      };

      // Quiet hours and digests (SPEC §3.6): most rows have none, and then carry nothing.
      const perUser = (quiet: unknown, digests: unknown) => {
        const quietHours = quiet === null ? null : completeQuietHours(quiet, eventTypes);
        const digestRow = digests === null || Object.keys(digests as object).length === 0 ? {} : completeDigests(digests, eventTypes);
        return {
          ...(quietHours === null ? {} : { quiet_hours: quietHours }),
          ...(Object.keys(digestRow).length === 0 ? {} : { digests: digestRow }),
        };
      };
      const preferencesOf = new Map(preferences.map((row) => [row.user_id, perUser(row.quiet_hours, row.digests)]));
      const personalRows: SnapshotInput['personal'][number][] = [];
      for (const group of personal) {
        const events = interned(group.events, 'personal');
        const filters = internedFilters(group.filters, 'personal');
        for (const userId of group.user_ids) personalRows.push({ user_id: userId, events, filters, ...preferencesOf.get(userId) });
      }
      const productRows: SnapshotInput['productSettings'][number][] = [];
      for (const group of productSettings) {
        const events = interned(group.events, 'product');
        const filters = internedFilters(group.filters, 'product');
        group.user_ids.forEach((userId, i) => productRows.push({ user_id: userId, product_id: group.product_ids[i]!, events, filters }));
      }
      return {
        users,
        productTypes,
        products,
        productMembers,
        productTypeMembers,
        eventTypes,
        system: system[0] ? completeRow(parseStored(system[0].events), 'system', eventTypes) : null,
        systemFilters: internedFilters(system[0]?.filters ?? null, 'system'),
        personal: personalRows,
        productSettings: productRows,
        channels: channelRecords(channels),
        systemMailRecipients: parseMailRecipients(mail?.settings['mail_notifications_to']),
        systemLevelTrump: [...options.systemLevelTrump],
      };
    },
    { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true },
  );
}
