/**
 * One-click unsubscribe (RFC 8058): a token from a mail turns off exactly one channel of one column
 * in the user's personal settings and in each of the user's product rows that has it on. The personal row is created from the settings the API shows
 * for the user when it was never saved (a column patch does that), and every gateway replica drops
 * its snapshot before the answer, as after every settings change. Idempotent: a second call finds
 * the channel already off and changes nothing.
 */
import { Injectable } from '@nestjs/common';
import { formatIssues, type ValidationIssue } from '@herald/contracts';
import { ApiError } from '../http/error.filter.js';
import { EventTypeRepository } from '../settings/event-type.repository.js';
import { SettingsService } from '../settings/settings.service.js';
import { ChangeNotifier } from '../snapshot/change-notifier.js';
import { UnsubscribeTokens, unsubscribeTokenIssue, type UnsubscribeClaims } from './unsubscribe-token.js';

/** What a token names, as the pages and the API show it. */
export interface UnsubscribeTarget extends UnsubscribeClaims {
  /** The column's label ("Scan added"). */
  readonly label: string;
}

export interface UnsubscribeResult extends UnsubscribeTarget {
  /** `false` when the channel was already off for the column (a repeated click). */
  readonly changed: boolean;
}

@Injectable()
export class UnsubscribeService {
  constructor(
    private readonly tokens: UnsubscribeTokens,
    private readonly settings: SettingsService,
    private readonly eventTypes: EventTypeRepository,
    private readonly notifier: ChangeNotifier,
  ) {}

  /** What `token` would turn off; 400 for a malformed token, 404 for a forged one or one of a deleted user or event type. */
  async target(token: string): Promise<UnsubscribeTarget> {
    const verified = this.tokens.verify(token);
    if (!verified.ok) {
      if (verified.problem === 'malformed') {
        const issue = unsubscribeTokenIssue('token', '') as ValidationIssue;
        throw new ApiError(400, 'validation_failed', `Invalid unsubscribe link: ${formatIssues([issue])}`, [issue]);
      }
      throw unknownLink();
    }
    const { claims } = verified;
    const type = (await this.eventTypes.listAll()).find((definition) => definition.name === claims.column);
    if (!type) throw unknownLink(`the event type ${claims.column} no longer exists`);
    return { ...claims, label: type.label };
  }

  /** Turns the channel off for the column; see the module comment. */
  async unsubscribe(token: string): Promise<UnsubscribeResult> {
    const target = await this.target(token);
    const current = await this.settings.getPersonal(target.userId);
    if (!current) throw unknownLink('the user no longer exists');
    const without = (channels: readonly string[] | undefined) => (channels ?? []).filter((channel) => channel !== target.channel);
    let changed = false;
    if ((current.events[target.column] ?? []).includes(target.channel)) {
      const updated = await this.settings.patchPersonal(target.userId, {
        events: { [target.column]: without(current.events[target.column]) },
      });
      if (!updated) throw unknownLink('the user no longer exists');
      changed = true;
    }
    // A product row routes the column to the channel on its own (SPEC §3.3): turn it off there too,
    // or the mail the link came from keeps arriving.
    for (const row of await this.settings.listProducts(target.userId)) {
      if (!(row.events[target.column] ?? []).includes(target.channel)) continue;
      await this.settings.patchProduct(target.userId, row.product_id, { events: { [target.column]: without(row.events[target.column]) } });
      changed = true;
    }
    if (changed) await this.notifier.changed(`settings of user ${target.userId} (unsubscribe)`);
    return { ...target, changed };
  }
}

function unknownLink(why = 'it was not issued by this Herald (or HERALD_SECRET_KEY changed since)'): ApiError {
  return new ApiError(
    404,
    'not_found',
    `Unsubscribe link not found: ${why}. Change your notification settings in the Herald console instead.`,
  );
}
