/**
 * Engagement reminders (SPEC §6), to the engagement lead through the recipients path:
 * - `upcoming_engagement` once, when the target start is within the next N days (default 3);
 * - `stale_engagement` once, when the engagement is in progress and its target end has passed
 *   (DefectDojo's query for this never matches; here it is a plain date comparison);
 * - `auto_close_engagement` once, when enabled, N days after the target end, together with a
 *   `herald.commands.engagement.close` command for the owning service.
 * Each reminder is published first (event id `reminder:<kind>:<engagement>`, de-duplicated by
 * JetStream and by ingest) and then recorded, so a crash in between repeats nothing, and a restart
 * or a new leader skips what was recorded. Dates are compared in UTC, from the injected clock.
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger, Subjects } from '@herald/contracts';
import { queryRows, sql } from '../persistence/sql.js';
import type { Clock } from './clock.js';

export interface EngagementReminderOptions {
  /** Days ahead of the target start that `upcoming_engagement` fires. @default 3 */
  readonly upcomingDays: number;
  /** Days after the target end that engagements are auto-closed; `null` disables. @default null */
  readonly autoCloseDays: number | null;
}

type Kind = 'upcoming_engagement' | 'stale_engagement' | 'auto_close_engagement';

interface EngagementRow {
  id: string;
  name: string;
  lead: string;
  status: string;
  target_start: string;
  target_end: string;
  product_id: string;
  product_name: string;
  product_type_id: string;
}

export interface ReminderRun {
  readonly upcoming_engagement: number;
  readonly stale_engagement: number;
  readonly auto_close_engagement: number;
}

const SOURCE = 'herald.scheduler';

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return isoDate(d);
}

export class EngagementRemindersJob {
  constructor(
    private readonly em: EntityManager,
    private readonly js: JetStreamClient,
    private readonly subjects: Subjects,
    private readonly clock: Clock,
    private readonly options: EngagementReminderOptions,
    private readonly logger: Logger,
  ) {}

  async run(): Promise<ReminderRun> {
    const today = isoDate(this.clock.now());
    const counts = { upcoming_engagement: 0, stale_engagement: 0, auto_close_engagement: 0 };
    const open = sql`e.status not in ('completed', 'cancelled')`;
    const upcoming = await this.candidates(
      'upcoming_engagement',
      sql`${open} and e.target_start >= ${today}::date and e.target_start <= ${addDays(today, this.options.upcomingDays)}::date`,
    );
    const stale = await this.candidates('stale_engagement', sql`e.status = 'in_progress' and e.target_end < ${today}::date`);
    const autoClose =
      this.options.autoCloseDays === null
        ? []
        : await this.candidates(
            'auto_close_engagement',
            sql`${open} and e.target_end <= ${addDays(today, -this.options.autoCloseDays)}::date`,
          );
    for (const [kind, rows] of [
      ['upcoming_engagement', upcoming],
      ['stale_engagement', stale],
      ['auto_close_engagement', autoClose],
    ] as const) {
      for (const row of rows) {
        await this.remind(kind, row);
        counts[kind]++;
      }
    }
    return counts;
  }

  /** Engagements matching `condition` with a lead and no recorded reminder of this kind. */
  private candidates(kind: Kind, condition: ReturnType<typeof sql>): Promise<EngagementRow[]> {
    return queryRows(
      this.em.fork(),
      sql<EngagementRow>`select e.id, e.name, e.lead, e.status, e.target_start::text as target_start, e.target_end::text as target_end,
          p.id as product_id, p.name as product_name, p.product_type_id
        from gateway.engagements e join gateway.products p on p.id = e.product_id
        where e.lead is not null and e.lead <> '' and ${condition}
          and not exists (select 1 from gateway.sent_reminders r where r.kind = ${kind} and r.engagement_id = e.id)
        order by e.id`,
    );
  }

  private async remind(kind: Kind, row: EngagementRow): Promise<void> {
    const eventId = `reminder:${kind}:${row.id}`;
    const titles: Record<Kind, string> = {
      upcoming_engagement: `Engagement ${row.name} starts on ${row.target_start}`,
      stale_engagement: `Engagement ${row.name} is past its target end (${row.target_end})`,
      auto_close_engagement: `Engagement ${row.name} was closed automatically`,
    };
    const event = {
      specversion: '1.0',
      id: eventId,
      source: SOURCE,
      type: kind,
      time: this.clock.now().toISOString(),
      data: {
        title: titles[kind],
        description: titles[kind],
        recipients: [row.lead],
        url: `/engagement/${row.id}`,
        engagement: {
          id: row.id,
          name: row.name,
          target_start: row.target_start,
          target_end: row.target_end,
          status: row.status,
          product: { id: row.product_id, name: row.product_name, product_type_id: row.product_type_id },
        },
      },
    };
    if (kind === 'auto_close_engagement') {
      const command = {
        engagement_id: row.id,
        reason: `target end ${row.target_end} passed more than ${this.options.autoCloseDays} days ago`,
        at: this.clock.now().toISOString(),
      };
      await this.js.publish(this.subjects.command('engagement', 'close'), JSON.stringify(command), { msgID: `close:${row.id}` });
    }
    await this.js.publish(this.subjects.event(kind), JSON.stringify(event), { msgID: eventId });
    await queryRows(
      this.em.fork(),
      sql`insert into gateway.sent_reminders (kind, engagement_id, event_id) values (${kind}, ${row.id}, ${eventId}) on conflict do nothing`,
    );
    this.logger.info('engagement reminder sent', { event_id: eventId, kind, engagement_id: row.id, lead: row.lead });
  }
}
