/**
 * Bearer-token authentication for `/api/v1` (SPEC §7). Admin tokens (stored, or
 * `HERALD_ADMIN_TOKEN`) may do everything; a user token acts only on its own user. Routes marked
 * `@AdminOnly()` refuse user tokens with 403.
 */
import { Injectable, SetMetadata, type CanActivate, type ExecutionContext, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiError } from '../http/error.filter.js';
import { TokenAuthenticator } from './token-authenticator.js';

export type { Identity } from '@herald/contracts';
import type { Identity } from '@herald/contracts';

const ADMIN_ONLY = 'herald:admin-only';
/** Marks a route (or controller) as admin-only. */
export const AdminOnly = (): MethodDecorator & ClassDecorator => SetMetadata(ADMIN_ONLY, true);

/** Whether a route is admin-only (marked on the method or its controller): for the OpenAPI document. */
export function isAdminOnly(reflector: Reflector, handler: Type | ((...args: never[]) => unknown), controller: Type): boolean {
  return reflector.getAllAndOverride<boolean>(ADMIN_ONLY, [handler, controller]) === true;
}

export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  identity?: Identity;
}

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly authenticator: TokenAuthenticator,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers['authorization'];
    const value = Array.isArray(header) ? header[0] : header;
    const match = value === undefined ? null : /^Bearer\s+(\S+)$/i.exec(value);
    if (!match?.[1])
      throw new ApiError(
        401,
        'unauthorized',
        'Missing bearer token: send "Authorization: Bearer <token>" (create one with `npx herald token create`)',
      );
    const token = match[1];
    request.identity = await this.identify(token);
    const adminOnly = isAdminOnly(this.reflector, context.getHandler() as (...args: never[]) => unknown, context.getClass());
    if (adminOnly && request.identity.kind !== 'admin') throw new ApiError(403, 'forbidden', 'This endpoint needs an admin token');
    return true;
  }

  private async identify(token: string): Promise<Identity> {
    const identity = await this.authenticator.identify(token);
    if (identity === null) throw new ApiError(401, 'unauthorized', 'Unknown or revoked token');
    return identity;
  }
}

/** Throws 403 unless the identity is an admin or the given user. */
export function assertSelfOrAdmin(identity: Identity | undefined, userId: string): void {
  if (identity?.kind === 'admin') return;
  if (identity?.kind === 'user' && identity.userId === userId) return;
  throw new ApiError(403, 'forbidden', `A user token can only act on its own user; this one cannot act on user ${userId}`);
}
