/**
 * Releases due scheduled events (SPEC §6): republishes each one to `herald.events.<type>` with
 * message id `scheduled:<schedule id>`, then marks it released. The republished event's
 * `deliver_at` has passed, so ingest routes it like any event (and de-duplicates on its id, so a
 * crash between publish and mark never routes it twice).
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import type { Logger, Subjects } from '@herald/contracts';
import type { Clock } from './clock.js';
import type { ScheduledEventsRepository } from './scheduled-events.repository.js';

export class ScheduledEventsJob {
  constructor(
    private readonly schedules: ScheduledEventsRepository,
    private readonly js: JetStreamClient,
    private readonly subjects: Subjects,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async run(): Promise<number> {
    const due = await this.schedules.due(this.clock.now());
    for (const schedule of due) {
      await this.js.publish(this.subjects.event(schedule.event.type), JSON.stringify(schedule.event), {
        msgID: `scheduled:${schedule.id}`,
      });
      await this.schedules.markReleased(schedule.id);
      this.logger.info('scheduled event released', {
        event_id: schedule.event.id,
        schedule_id: schedule.id,
        deliver_at: schedule.deliver_at,
      });
    }
    return due.length;
  }
}
