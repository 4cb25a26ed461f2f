/** Scheduled events (SPEC §6): create with an idempotency key, inspect, cancel. */
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { formatIssues, pageSchema, toValidationIssues, validateEvent } from '@herald/contracts';
import { ApiError } from '../http/error.filter.js';
import { pageQuerySchema, paginate, parsePageQuery } from '../http/pagination.js';
import { ScheduledEventsRepository } from '../scheduler/scheduled-events.repository.js';
import { AdminOnly, AuthGuard } from './auth.guard.js';
import { found } from './not-found.js';
import { ApiDoc } from './api-doc.decorator.js';
import { scheduleResponse } from './responses.js';

/** Most schedules a list walks through (pending ones come first). */
const SCHEDULES_LISTED = 10_000;

const body = z.strictObject({
  idempotency_key: z.string({ error: 'is required: a string unique per intended schedule' }).min(1).max(200),
  deliver_at: z.iso.datetime({ offset: true, error: 'must be an RFC 3339 timestamp' }).optional(),
  event: z.unknown(),
});

@ApiTags('schedules')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@AdminOnly()
@Controller('schedules')
export class SchedulesController {
  constructor(private readonly schedules: ScheduledEventsRepository) {}

  /** 201 when created; 200 with the stored schedule when the idempotency key was already used. */
  @Post()
  @ApiDoc({
    summary: 'Schedule an event (idempotent per idempotency_key)',
    description: '201 when created; 200 with the stored schedule when the idempotency key was already used.',
    body,
    responses: { 200: scheduleResponse, 201: scheduleResponse },
  })
  async create(@Body() input: unknown, @Res({ passthrough: true }) res: { status(code: number): unknown }) {
    const parsed = body.safeParse(input);
    if (!parsed.success) {
      const issues = toValidationIssues(parsed.error, input);
      throw new ApiError(400, 'validation_failed', `Invalid schedule: ${formatIssues(issues)}`, issues);
    }
    const event = validateEvent(parsed.data.event, new Date());
    if (!event.ok) {
      const issues = event.issues.map((i) => ({ ...i, path: i.path === '' ? 'event' : `event.${i.path}` }));
      throw new ApiError(400, 'validation_failed', `Invalid event: ${formatIssues(issues)}`, issues);
    }
    const at = parsed.data.deliver_at ?? event.event.data.deliver_at;
    if (at === undefined)
      throw new ApiError(400, 'validation_failed', 'deliver_at is required (or event.data.deliver_at)', [
        { path: 'deliver_at', message: 'is required' },
      ]);
    const { schedule, created } = await this.schedules.schedule(
      { ...event.event, data: { ...event.event.data, deliver_at: at } },
      new Date(at),
      parsed.data.idempotency_key,
    );
    res.status(created ? 201 : 200);
    return schedule;
  }

  @Get()
  @ApiDoc({ summary: 'List scheduled events, pending first', query: pageQuerySchema, responses: { 200: pageSchema(scheduleResponse) } })
  async list(@Query() query: unknown) {
    const page = parsePageQuery(query);
    // Served pending first by due time, then the rest by due time (the repository's order).
    const all = await this.schedules.list(SCHEDULES_LISTED);
    return paginate(all, (s) => `${s.state === 'pending' ? 0 : 1}|${s.deliver_at}|${s.id}`, page);
  }

  @Get(':id')
  @ApiDoc({ summary: 'Get a scheduled event', responses: { 200: scheduleResponse } })
  async get(@Param('id') id: string) {
    return found(await this.schedules.get(id), `schedule ${id}`);
  }

  @Delete(':id')
  @ApiDoc({ summary: 'Cancel a pending scheduled event', responses: { 204: null }, errors: [409] })
  @HttpCode(204)
  async cancel(@Param('id') id: string) {
    const result = await this.schedules.cancel(id);
    if (result === 'not_found') throw new ApiError(404, 'not_found', `schedule ${id} not found`);
    if (result === 'released') throw new ApiError(409, 'conflict', `schedule ${id} was already released; it cannot be cancelled`);
  }
}
