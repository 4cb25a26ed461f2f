/**
 * `POST /api/v1/events/simulate` (SPEC §3.6): what routing would do with an event now, publishing
 * nothing and writing nothing. Body `{ event, username? }`; the event is validated exactly as
 * ingest validates it (issue paths prefixed with `event.`).
 */
import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { formatIssues, toValidationIssues } from '@herald/contracts';
import { ApiError } from '../http/error.filter.js';
import { SimulationService } from '../simulation/simulation.service.js';
import { AuthGuard, type Identity } from './auth.guard.js';
import { ApiDoc } from './api-doc.decorator.js';
import { CurrentIdentity } from './identity.decorator.js';

/** Request body of `POST /events/simulate`. */
export const simulateBodySchema = z.strictObject({
  /** A CloudEvents 1.0 event, as it would be published to `herald.events.<type>` (required; checked below to name it). */
  event: z.unknown().optional(),
  /**
   * Restrict the result to this user's deliveries and decision. Admin tokens only; a user token is
   * always restricted to its own user (naming another user is 403). @default the whole result
   */
  username: z.string({ error: 'must be a username (string)' }).min(1, { error: 'must not be empty' }).optional(),
});

const skippedSchema = z.object({ channel: z.string(), reason: z.string() });

/** Response body of `POST /events/simulate`: `route()`'s result for now. */
export const simulateResponseSchema = z.object({
  column: z.string(),
  simulated_at: z.iso.datetime(),
  user: z.object({ id: z.string(), username: z.string() }).nullable(),
  candidate: z.boolean().optional(),
  deliveries: z.array(
    z.object({
      delivery_id: z.string(),
      channel: z.string(),
      destination: z.looseObject({ scope: z.enum(['system', 'personal']) }),
      site_url: z.string(),
      hold: z
        .object({
          kind: z.enum(['quiet_hours', 'digest']),
          release_at: z.iso.datetime(),
          column: z.string(),
          schedule: z.string().optional(),
          window_start: z.iso.datetime().optional(),
        })
        .optional()
        .describe('Present when the delivery does not go at once (SPEC §3.6): held until release_at'),
    }),
  ),
  decisions: z.array(
    z.looseObject({
      scope: z.enum(['system', 'user', 'recipient', 'users']),
      reason: z.string().optional(),
      skipped: z.array(skippedSchema).optional(),
      held: z
        .array(z.object({ channel: z.string(), kind: z.enum(['quiet_hours', 'digest']), release_at: z.iso.datetime(), reason: z.string() }))
        .optional()
        .describe('Channels deferred by quiet hours or collected into a digest, with why and until when'),
    }),
  ),
});

@ApiTags('events')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller()
export class SimulateController {
  constructor(private readonly simulation: SimulationService) {}

  @Post('events/simulate')
  @ApiDoc({
    summary: 'What routing would do with an event now (publishes and records nothing)',
    body: simulateBodySchema,
    responses: { 200: simulateResponseSchema },
  })
  @HttpCode(200)
  async simulate(@Body() input: unknown, @CurrentIdentity() identity: Identity) {
    const parsed = simulateBodySchema.safeParse(input ?? {});
    if (!parsed.success) {
      const issues = toValidationIssues(parsed.error, input);
      throw new ApiError(400, 'validation_failed', `Invalid simulation request: ${formatIssues(issues)}`, issues);
    }
    if (parsed.data.event === undefined) {
      throw new ApiError(400, 'validation_failed', 'Invalid simulation request: event: is required (the event to simulate)', [
        { path: 'event', message: 'is required (the event to simulate)' },
      ]);
    }
    return this.simulation.simulate({ event: parsed.data.event, username: parsed.data.username }, identity);
  }
}
