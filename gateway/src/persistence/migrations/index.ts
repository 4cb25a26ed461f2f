/**
 * The gateway's migrations, in order. Listed explicitly (no folder scan) so the compiled app,
 * tests and bundles run exactly these. Append new migrations; never edit an applied one.
 */
import type { MigrationObject } from '@mikro-orm/core';
import { Migration0001Initial } from './0001-initial.migration.js';
import { Migration0002Scheduler } from './0002-scheduler.migration.js';
import { Migration0003DropProcessedEvents } from './0003-drop-processed-events.migration.js';
import { Migration0004DecisionsPerSource } from './0004-decisions-per-source.migration.js';
import { Migration0005SettingsFilters } from './0005-settings-filters.migration.js';
import { Migration0007ChannelRegistrations } from './0007-channel-registrations.migration.js';
import { Migration0008QuietHoursDigests } from './0008-quiet-hours-digests.migration.js';
import { Migration0009DecisionParts } from './0009-decision-parts.migration.js';

export const GATEWAY_MIGRATIONS: MigrationObject[] = [
  { name: '0001-initial', class: Migration0001Initial },
  { name: '0002-scheduler', class: Migration0002Scheduler },
  { name: '0003-drop-processed-events', class: Migration0003DropProcessedEvents },
  { name: '0004-decisions-per-source', class: Migration0004DecisionsPerSource },
  { name: '0005-settings-filters', class: Migration0005SettingsFilters },
  { name: '0007-channel-registrations', class: Migration0007ChannelRegistrations },
  { name: '0008-quiet-hours-digests', class: Migration0008QuietHoursDigests },
  { name: '0009-decision-parts', class: Migration0009DecisionParts },
];
