/**
 * Loads everything routing needs (`SnapshotInput`) in one read-only, repeatable-read transaction:
 * one SELECT per table, whatever the directory size (no per-user queries), so the snapshot is
 * consistent even while the API writes. Rows are completed for today's event types (catalogue
 * plus registered), so routing sees every column on every row.
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
        sql<
          EventsRow & {
            user_id: string;
            quiet_hours: unknown;
            digests: unknown;
          }
        >`select user_id, events::text as events, filters::text as filters, quiet_hours, digests from gateway.personal_settings order by user_id`,
      );
      const productSettings = await queryRows(
        tx,
        sql<EventsRow & { user_id: string; product_id: string }>`select user_id, product_id, events::text as events,
          filters::text as filters from gateway.product_settings order by user_id, product_id`,
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
      return {
        users,
        productTypes,
        products,
        productMembers,
        productTypeMembers,
        eventTypes,
        system: system[0] ? completeRow(parseStored(system[0].events), 'system', eventTypes) : null,
        systemFilters: internedFilters(system[0]?.filters ?? null, 'system'),
        personal: personal.map((row) => ({
          user_id: row.user_id,
          events: interned(row.events, 'personal'),
          filters: internedFilters(row.filters, 'personal'),
          ...perUser(row.quiet_hours, row.digests),
        })),
        productSettings: productSettings.map((row) => ({
          user_id: row.user_id,
          product_id: row.product_id,
          events: interned(row.events, 'product'),
          filters: internedFilters(row.filters, 'product'),
        })),
        channels: channelRecords(channels),
        systemMailRecipients: parseMailRecipients(mail?.settings['mail_notifications_to']),
        systemLevelTrump: [...options.systemLevelTrump],
      };
    },
    { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true },
  );
}
