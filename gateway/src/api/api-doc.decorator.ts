/**
 * `@ApiDoc({ summary, query, body, responses })` on a controller method documents that route in
 * the OpenAPI document (`/api/docs/openapi.json`) with the zod schemas the route validates with.
 * Method, path, path parameters and who may call it (`AuthGuard`, `@AdminOnly()`) are read from
 * the route's own Nest metadata, so they cannot drift; a route without `@ApiDoc` fails
 * `test/openapi.test.ts`.
 */
import { SetMetadata } from '@nestjs/common';
import type { ApiRouteDoc } from '@herald/contracts';

export const API_DOC = 'herald:api-doc';

export const ApiDoc = (doc: ApiRouteDoc): MethodDecorator => SetMetadata(API_DOC, doc);
