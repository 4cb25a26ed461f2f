/**
 * `GET /api/v1/me`: who the bearer token belongs to, so a client holding only a token (the
 * console) knows whether it acts as an administrator or as one user, and which event types the
 * system row trumps (`HERALD_SYSTEM_LEVEL_TRUMP`, shown as a mark in the settings matrix).
 */
import { Controller, Get, Inject, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { GatewayConfig } from '../config/gateway-config.js';
import { GATEWAY_CONFIG } from '../config/tokens.js';
import { DirectoryService } from '../directory/directory.service.js';
import { ApiError } from '../http/error.filter.js';
import { ApiDoc } from './api-doc.decorator.js';
import { AuthGuard, type Identity } from './auth.guard.js';
import { CurrentIdentity } from './identity.decorator.js';

const userSchema = z.object({
  id: z.string(),
  username: z.string(),
  email: z.string(),
  full_name: z.string(),
  active: z.boolean(),
  superuser: z.boolean(),
  global_role: z.string().nullable(),
  slack_email: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

/** The response of `GET /api/v1/me`: an admin token, or a user token with its user. */
export const meResponseSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('admin'), system_level_trump: z.array(z.string()) }),
  z.object({ kind: z.literal('user'), user: userSchema, system_level_trump: z.array(z.string()) }),
]);
export type MeResponse = z.infer<typeof meResponseSchema>;

@ApiTags('tokens')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('me')
export class MeController {
  constructor(
    private readonly directory: DirectoryService,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get()
  @ApiDoc({ summary: 'Who the bearer token belongs to (admin, or a user with its record)', responses: { 200: meResponseSchema } })
  async me(@CurrentIdentity() identity: Identity): Promise<MeResponse> {
    const trump = [...this.config.systemLevelTrump];
    if (identity.kind === 'admin') return meResponseSchema.parse({ kind: 'admin', system_level_trump: trump });
    const user = await this.directory.getUser(identity.userId);
    // A token outlives nothing: deleting a user deletes its tokens, so this is a race with a delete.
    if (user === null) throw new ApiError(401, 'unauthorized', `The user of this token (${identity.userId}) no longer exists`);
    return meResponseSchema.parse({ kind: 'user', user, system_level_trump: trump });
  }
}
