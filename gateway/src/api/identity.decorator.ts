import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedRequest, Identity } from './auth.guard.js';

/** The caller's identity, set by `AuthGuard`. */
export const CurrentIdentity = createParamDecorator((_data: unknown, context: ExecutionContext): Identity | undefined => {
  return context.switchToHttp().getRequest<AuthenticatedRequest>().identity;
});
