/**
 * Event types (SPEC §2.2): the built-in catalogue plus types registered by administrators, each of
 * which gets its own preference column in every settings row.
 */
import {
  EVENT_CATALOGUE,
  EVENT_COLUMN_ALIASES,
  EVENT_NAME_PATTERN,
  HeraldError,
  SYSTEM_ONLY_CHANNELS,
  formatIssues,
  humanise,
  toValidationIssues,
  type EventTypeDefinition,
  type ValidationIssue,
} from '@herald/contracts';
import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { ChannelNames } from './channel-names.js';
import { EventTypeRepository } from './event-type.repository.js';

/** Body of `POST /event-types`. */
export const eventTypeBodySchema = z.strictObject({
  name: z.string().regex(EVENT_NAME_PATTERN, 'must be lowercase letters, digits and underscores').max(64),
  /** Shown as the alert source, so at most 100 characters. @default the name humanised */
  label: z.string().trim().min(1).max(100).optional(),
  /** Channels of a row that never set this column. @default ["alert"] */
  default_channels: z.array(z.string()).optional(),
  /** Whether product rows may set it. @default false */
  product_scoped: z.boolean().optional(),
});

@Injectable()
export class EventTypesService {
  constructor(
    private readonly repository: EventTypeRepository,
    private readonly channelNames: ChannelNames,
  ) {}

  /** The catalogue followed by registered types. */
  list(): Promise<EventTypeDefinition[]> {
    return this.repository.listAll();
  }

  /** Registers (or updates) a type. Throws `validation_failed` naming the offending field. */
  async register(body: unknown): Promise<EventTypeDefinition> {
    const parsed = eventTypeBodySchema.safeParse(body);
    if (!parsed.success) throw invalid(toValidationIssues(parsed.error, body));
    const { name } = parsed.data;
    const issues: ValidationIssue[] = [];
    if (EVENT_CATALOGUE.some((type) => type.name === name)) {
      issues.push({ path: 'name', message: `"${name}" is a built-in event type and cannot be registered` });
    }
    if (EVENT_COLUMN_ALIASES[name]) {
      issues.push({ path: 'name', message: `"${name}" is routed by the built-in "${EVENT_COLUMN_ALIASES[name]}" column` });
    }
    const defaults = [...new Set(parsed.data.default_channels ?? ['alert'])];
    const known = new Set(await this.channelNames.known());
    defaults.forEach((channel, index) => {
      if (!known.has(channel)) issues.push({ path: `default_channels[${index}]`, message: `unknown channel "${channel}"` });
      else if (SYSTEM_ONLY_CHANNELS.has(channel)) {
        issues.push({
          path: `default_channels[${index}]`,
          message: `"${channel}" is system-only and cannot be a default of personal rows`,
        });
      }
    });
    if (issues.length > 0) throw invalid(issues);
    return this.repository.upsert({
      name,
      label: parsed.data.label ?? humanise(name),
      defaultChannels: defaults,
      productScoped: parsed.data.product_scoped ?? false,
    });
  }
}

function invalid(issues: ValidationIssue[]): HeraldError {
  return new HeraldError('validation_failed', `Invalid event type: ${formatIssues(issues)}`, issues);
}
