/**
 * Notification settings (SPEC §3.1, §7): the system row, the template, personal rows and per-product
 * rows. `put*` replaces a row (a column left out takes its default: the event type's default
 * channels, or empty on product rows); `patch*` changes only the columns given; `get*` returns
 * every column. Invalid bodies throw `HeraldError('validation_failed')` with one issue per problem;
 * an unknown user or product is `null`.
 */
import { HeraldError, formatIssues, type EventTypeDefinition } from '@herald/contracts';
import type { QuietHours } from '../routing/index.js';
import { Injectable } from '@nestjs/common';
import { ChannelNames } from './channel-names.js';
import { EventTypeRepository } from './event-type.repository.js';
import {
  completeDigests,
  completeFilters,
  completeQuietHours,
  completeRow,
  dedupeChannels,
  dedupeFilters,
  defaultRow,
  normaliseQuietHours,
  type DigestsPatch,
  type DigestsRow,
  type EventsRow,
  type FiltersPatch,
  type FiltersRow,
  type SettingsScope,
} from './settings-row.js';
import { SettingsRepository, type StoredRow, type WriteMode } from './settings.repository.js';
import { filterProductTypes, validateSettings, type SettingsBody } from './validate-settings.js';

/** What GET answers and PUT/PATCH return: every column present in `events`; `filters` only holds columns with a filter. */
export interface SettingsView {
  readonly events: EventsRow;
  readonly filters: FiltersRow;
  /** Personal rows and the template (SPEC §3.6): the quiet hours, `null` when none. */
  readonly quiet_hours?: QuietHours | null;
  /** Personal rows and the template: column → channel → digest schedule; `{}` when none. */
  readonly digests?: DigestsRow;
}

/** One of a user's product rows. */
export interface ProductSettingsView extends SettingsView {
  readonly product_id: string;
}

interface Parsed {
  readonly events: EventsRow;
  readonly filters: FiltersPatch;
  /** `undefined` when the body leaves quiet hours out. */
  readonly quietHours: QuietHours | null | undefined;
  readonly digests: DigestsPatch;
  readonly eventTypes: readonly EventTypeDefinition[];
}

@Injectable()
export class SettingsService {
  constructor(
    private readonly repository: SettingsRepository,
    private readonly eventTypes: EventTypeRepository,
    private readonly channelNames: ChannelNames,
  ) {}

  /** The system row; catalogue defaults when it was never saved. */
  async getSystem(): Promise<SettingsView> {
    const [types, row] = await Promise.all([this.eventTypes.listAll(), this.repository.getGlobal('system')]);
    return view(row, 'system', types);
  }

  putSystem(body: unknown): Promise<SettingsView> {
    return this.writeGlobal('system', body, 'replace');
  }

  patchSystem(body: unknown): Promise<SettingsView> {
    return this.writeGlobal('system', body, 'merge');
  }

  /** The template row, or `null` when none is saved (new users then get the defaults). */
  async getTemplate(): Promise<SettingsView | null> {
    const [types, row] = await Promise.all([this.eventTypes.listAll(), this.repository.getGlobal('template')]);
    return row ? view(row, 'template', types) : null;
  }

  putTemplate(body: unknown): Promise<SettingsView> {
    return this.writeGlobal('template', body, 'replace');
  }

  patchTemplate(body: unknown): Promise<SettingsView> {
    return this.writeGlobal('template', body, 'merge');
  }

  /** Removes the template; users created afterwards get the defaults. Existing rows are untouched. */
  deleteTemplate(): Promise<boolean> {
    return this.repository.deleteGlobal('template');
  }

  /** A user's personal row; `null` when the user does not exist. */
  async getPersonal(userId: string): Promise<SettingsView | null> {
    const [types, found] = await Promise.all([this.eventTypes.listAll(), this.repository.getPersonal(userId)]);
    return found ? view(found.row, 'personal', types) : null;
  }

  putPersonal(userId: string, body: unknown): Promise<SettingsView | null> {
    return this.writePersonal(userId, body, 'replace');
  }

  patchPersonal(userId: string, body: unknown): Promise<SettingsView | null> {
    return this.writePersonal(userId, body, 'merge');
  }

  /**
   * The product methods take `visibleOnly`: when true (a user token acting on itself), a product the
   * user may not view (SPEC §3.2: superuser, global role, member of the product or its product type)
   * is answered exactly as one that does not exist, after the body was validated as for any product,
   * so product ids cannot be probed.
   */
  private async hidden(userId: string, productId: string, visibleOnly: boolean): Promise<boolean> {
    return visibleOnly && !(await this.repository.canViewProduct(userId, productId));
  }

  /** A user's row for one product (all columns empty when never saved); `null` when the user or product does not exist. */
  async getProduct(userId: string, productId: string, visibleOnly = false): Promise<SettingsView | null> {
    if (await this.hidden(userId, productId, visibleOnly)) return null;
    const [types, found] = await Promise.all([this.eventTypes.listAll(), this.repository.getProduct(userId, productId)]);
    return found ? view(found.row, 'product', types) : null;
  }

  putProduct(userId: string, productId: string, body: unknown, visibleOnly = false): Promise<SettingsView | null> {
    return this.writeProduct(userId, productId, body, 'replace', visibleOnly);
  }

  patchProduct(userId: string, productId: string, body: unknown, visibleOnly = false): Promise<SettingsView | null> {
    return this.writeProduct(userId, productId, body, 'merge', visibleOnly);
  }

  /** Removes a product row; `false` when there was none. */
  async deleteProduct(userId: string, productId: string, visibleOnly = false): Promise<boolean> {
    if (await this.hidden(userId, productId, visibleOnly)) return false;
    return this.repository.deleteProduct(userId, productId);
  }

  /** Every product row of a user (with `visibleOnly`, of the products it may view). */
  async listProducts(userId: string, visibleOnly = false): Promise<ProductSettingsView[]> {
    const [types, rows] = await Promise.all([this.eventTypes.listAll(), this.repository.listProducts(userId, visibleOnly)]);
    return rows.map((row) => ({ product_id: row.product_id, ...view(row, 'product', types) }));
  }

  private async writeGlobal(scope: 'system' | 'template', body: unknown, mode: WriteMode): Promise<SettingsView> {
    const { events, filters, quietHours, digests, eventTypes } = await this.parse(body, scope);
    const base = defaultRow(scope, eventTypes);
    const perUser = scope === 'template' ? { ...(quietHours === undefined ? {} : { quietHours }), digests } : {};
    const row = await this.repository.writeGlobal(
      scope,
      { events: mode === 'replace' ? { ...base, ...events } : events, filters, ...perUser },
      mode,
      base,
    );
    return view(row, scope, eventTypes);
  }

  private async writePersonal(userId: string, body: unknown, mode: WriteMode): Promise<SettingsView | null> {
    const { events, filters, quietHours, digests, eventTypes } = await this.parse(body, 'personal');
    const base = defaultRow('personal', eventTypes);
    const row = await this.repository.writePersonal(
      userId,
      {
        events: mode === 'replace' ? { ...base, ...events } : events,
        filters,
        ...(quietHours === undefined ? {} : { quietHours }),
        digests,
      },
      mode,
      base,
    );
    return row ? view(row, 'personal', eventTypes) : null;
  }

  private async writeProduct(
    userId: string,
    productId: string,
    body: unknown,
    mode: WriteMode,
    visibleOnly: boolean,
  ): Promise<SettingsView | null> {
    const { events, filters, eventTypes } = await this.parse(body, 'product');
    if (await this.hidden(userId, productId, visibleOnly)) return null;
    const base = defaultRow('product', eventTypes);
    const write = { events: mode === 'replace' ? { ...base, ...events } : events, filters };
    const row = await this.repository.writeProduct(userId, productId, write, mode, base);
    return row ? view(row, 'product', eventTypes) : null;
  }

  private async parse(body: unknown, scope: SettingsScope): Promise<Parsed> {
    const [eventTypes, extraChannels, productTypes] = await Promise.all([
      this.eventTypes.listAll(),
      this.channelNames.extra(),
      this.repository.existingProductTypes(filterProductTypes(body)),
    ]);
    const issues = validateSettings(body, { scope, eventTypes, extraChannels, productTypes });
    if (issues.length > 0) {
      throw new HeraldError('validation_failed', `Invalid ${scope} settings: ${formatIssues(issues)}`, issues);
    }
    const parsed = body as SettingsBody;
    const quiet = parsed.quiet_hours;
    return {
      events: dedupeChannels(parsed.events),
      filters: dedupeFilters(parsed.filters ?? {}),
      quietHours: quiet === undefined || quiet === null ? quiet : normaliseQuietHours(quiet),
      digests: parsed.digests ?? {},
      eventTypes,
    };
  }
}

function view(row: StoredRow | null, scope: SettingsScope, types: readonly EventTypeDefinition[]): SettingsView {
  const perUser =
    scope === 'personal' || scope === 'template'
      ? { quiet_hours: completeQuietHours(row?.quiet_hours ?? null, types), digests: completeDigests(row?.digests ?? {}, types) }
      : {};
  return row
    ? { events: completeRow(row.events, scope, types), filters: completeFilters(row.filters, scope, types), ...perUser }
    : { events: defaultRow(scope, types), filters: {}, ...perUser };
}
