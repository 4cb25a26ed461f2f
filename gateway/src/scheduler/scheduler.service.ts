/**
 * The scheduler (SPEC §6): croner jobs on every replica, but a job only runs on the replica that
 * holds the leader lease at that tick. The lease is renewed at a third of its time; a replica
 * that stops renewing (crash, SIGKILL) loses it, and another replica runs the next tick.
 * Jobs are idempotent, so a takeover never repeats a reminder or a release.
 */
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { NatsConnection } from '@nats-io/transport-node';
import { Cron } from 'croner';
import type { Logger } from '@herald/contracts';
import type { GatewayConfig } from '../config/gateway-config.js';
import { CLOCK, GATEWAY_CONFIG, LOGGER, NATS_CONNECTION } from '../config/tokens.js';
import { MessagingService } from '../messaging/messaging.service.js';
import { REPLICA_REGISTRY } from '../snapshot/snapshot.tokens.js';
import type { ReplicaRegistry } from '../snapshot/replica-registry.js';
import type { Clock } from './clock.js';
import { EngagementRemindersJob } from './engagement-reminders.job.js';
import { HeldDeliveriesJob } from './held-deliveries.job.js';
import { HeldDeliveriesRepository } from '../publishing/held-deliveries.repository.js';
import { LeaderLease } from './leader-lease.js';
import { MaintenanceJob } from './maintenance.job.js';
import { ScheduledEventsJob } from './scheduled-events.job.js';
import { ScheduledEventsRepository } from './scheduled-events.repository.js';

export type JobName = 'engagement-reminders' | 'scheduled-events' | 'alert-retention' | 'webhook-sweep' | 'held-deliveries';

@Injectable()
export class SchedulerService implements OnApplicationBootstrap, OnModuleDestroy {
  private lease: LeaderLease | undefined;
  private leader = false;
  private renewal: NodeJS.Timeout | undefined;
  private readonly crons: Cron[] = [];
  private readonly running = new Set<JobName>();
  readonly jobs: Record<JobName, () => Promise<unknown>>;

  constructor(
    em: EntityManager,
    schedules: ScheduledEventsRepository,
    held: HeldDeliveriesRepository,
    messaging: MessagingService,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(REPLICA_REGISTRY) private readonly registry: ReplicaRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    const s = messaging.topology.subjects;
    const log = logger.child({ component: 'scheduler' });
    const reminders = new EngagementRemindersJob(
      em,
      messaging.js,
      s,
      clock,
      { upcomingDays: config.upcomingEngagementDays, autoCloseDays: config.autoCloseEngagementDays ?? null },
      log,
    );
    const released = new ScheduledEventsJob(schedules, messaging.js, s, clock, log);
    const retention = new MaintenanceJob(nc, s, { topic: 'alert-retention', body: {} }, log);
    const sweep = new MaintenanceJob(nc, s, { topic: 'webhooks-sweep', body: {} }, log);
    const release = new HeldDeliveriesJob(held, messaging.publisher, s, clock, log);
    this.jobs = {
      'engagement-reminders': () => reminders.run(),
      'scheduled-events': () => released.run(),
      'alert-retention': () => retention.run(),
      'webhook-sweep': () => sweep.run(),
      'held-deliveries': () => release.run(),
    };
  }

  /** Whether this replica held the lease at its last attempt. */
  get isLeader(): boolean {
    return this.leader;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.lease = await LeaderLease.open(
      this.nc,
      this.config.subjectPrefix,
      this.config.streamStorage,
      this.registry.replicaId,
      this.config.schedulerLeaseMs,
      this.clock,
    );
    await this.renew();
    this.renewal = setInterval(() => void this.renew(), Math.max(250, Math.floor(this.config.schedulerLeaseMs / 3)));
    this.renewal.unref();
    const schedules: Record<JobName, string> = {
      'engagement-reminders': this.config.schedules.engagementReminders,
      'scheduled-events': this.config.schedules.scheduledEvents,
      'alert-retention': this.config.schedules.alertRetention,
      'webhook-sweep': this.config.schedules.webhookSweep,
      'held-deliveries': this.config.schedules.heldDeliveries,
    };
    for (const [name, pattern] of Object.entries(schedules) as Array<[JobName, string]>) {
      this.crons.push(new Cron(pattern, { protect: true, unref: true }, () => this.tick(name)));
    }
  }

  private async renew(): Promise<void> {
    const was = this.leader;
    this.leader = (await this.lease?.acquire().catch(() => false)) ?? false;
    if (this.leader !== was)
      this.logger.info(this.leader ? 'scheduler leadership acquired' : 'scheduler leadership lost', { replica: this.registry.replicaId });
  }

  /** Runs one job now if this replica leads (used by croner ticks). */
  async tick(name: JobName): Promise<void> {
    await this.renew();
    if (!this.leader || this.running.has(name)) return;
    this.running.add(name);
    try {
      const result = await this.jobs[name]();
      this.logger.info('scheduler job ran', { job: name, replica: this.registry.replicaId, result });
    } catch (error) {
      this.logger.error('scheduler job failed; it runs again at its next tick', { job: name, error });
    } finally {
      this.running.delete(name);
    }
  }

  async onModuleDestroy(): Promise<void> {
    for (const cron of this.crons) cron.stop();
    if (this.renewal) clearInterval(this.renewal);
    await this.lease?.release();
  }
}
