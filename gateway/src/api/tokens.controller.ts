/** API tokens (SPEC §7): admin tokens, or tokens bound to one user; stored hashed, shown once. */
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { pageSchema, toValidationIssues } from '@herald/contracts';
import { ApiError } from '../http/error.filter.js';
import { pageQuerySchema, paginate, parsePageQuery } from '../http/pagination.js';
import { TokensService } from '../tokens/tokens.service.js';
import { AdminOnly, AuthGuard } from './auth.guard.js';
import { found } from './not-found.js';
import { ApiDoc } from './api-doc.decorator.js';
import { createdTokenResponse, tokenResponse } from './responses.js';

const createBody = z.strictObject({ user_id: z.string().min(1, { error: 'must be a user id' }).nullable().optional() });

@ApiTags('tokens')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@AdminOnly()
@Controller('tokens')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Post()
  @ApiDoc({ summary: 'Create an API token (admin, or bound to one user)', body: createBody, responses: { 201: createdTokenResponse } })
  async create(@Body() body: unknown) {
    const parsed = createBody.safeParse(body ?? {});
    if (!parsed.success) throw new ApiError(400, 'validation_failed', 'Invalid token request', toValidationIssues(parsed.error, body));
    const userId = parsed.data.user_id ?? null;
    return found(await this.tokens.create(userId), `user ${userId}`);
  }

  @Get()
  @ApiDoc({ summary: 'List API tokens (never their text)', query: pageQuerySchema, responses: { 200: pageSchema(tokenResponse) } })
  async list(@Query() query: unknown) {
    const page = parsePageQuery(query);
    return paginate(await this.tokens.list(), (t) => `${t.created_at}|${t.id}`, page);
  }

  @Delete(':id')
  @ApiDoc({ summary: 'Revoke an API token', responses: { 204: null } })
  @HttpCode(204)
  async delete(@Param('id') id: string) {
    found((await this.tokens.delete(id)) || null, `token ${id}`);
  }
}
