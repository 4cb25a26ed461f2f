/**
 * The gateway's own operations for the OpenAPI document, read from the running Nest application:
 * every controller method with a route (`@Get`, `@Put`, …) and its `@ApiDoc`. The path is built
 * as Nest builds it (controller path + method path, under `api/v1` unless excluded from the
 * global prefix); access is `public` without `AuthGuard`, `admin` with `@AdminOnly()`, else `user`.
 */
import type { INestApplication, Type } from '@nestjs/common';
import { RequestMethod } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { DECORATORS } from '@nestjs/swagger';
import type { ApiOperation, ApiRouteDoc, HttpMethod } from '@herald/contracts';
import { API_DOC } from './api-doc.decorator.js';
import { AuthGuard, isAdminOnly } from './auth.guard.js';

const METHODS: Partial<Record<RequestMethod, HttpMethod>> = {
  [RequestMethod.GET]: 'get',
  [RequestMethod.PUT]: 'put',
  [RequestMethod.POST]: 'post',
  [RequestMethod.PATCH]: 'patch',
  [RequestMethod.DELETE]: 'delete',
};

function paths(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value ?? ''];
  return list.map((p) => String(p).replace(/^\/+|\/+$/g, ''));
}

export interface GatewayOperations {
  readonly operations: ApiOperation[];
  /**
   * Routes without `@ApiDoc`, as `GET /api/v1/x (Controller.method)`: they are listed in the
   * document with only their method, path and access, and `test/openapi.test.ts` fails on them.
   */
  readonly undocumented: string[];
}

/** The controllers of every module of `app`. */
export function controllersOf(app: INestApplication): Type[] {
  const controllers = new Set<Type>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) controllers.add(wrapper.metatype as Type);
  }
  return [...controllers];
}

/** Every route of `controllers` as an `ApiOperation`. */
export function gatewayOperations(
  controllers: readonly Type[],
  options: { prefix: string; unprefixed: readonly string[] },
): GatewayOperations {
  const reflector = new Reflector();
  const scanner = new MetadataScanner();
  const operations: ApiOperation[] = [];
  const undocumented: string[] = [];
  for (const controller of controllers) {
    const guards = (Reflect.getMetadata(GUARDS_METADATA, controller) as unknown[] | undefined) ?? [];
    const tags = (Reflect.getMetadata(DECORATORS.API_TAGS, controller) as string[] | undefined) ?? [];
    const base = paths(Reflect.getMetadata(PATH_METADATA, controller))[0] ?? '';
    const proto = controller.prototype as Record<string, unknown>;
    for (const name of scanner.getAllMethodNames(proto)) {
      const handler = proto[name] as (...args: never[]) => unknown;
      const method = METHODS[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      const routePaths = Reflect.getMetadata(PATH_METADATA, handler) as unknown;
      if (method === undefined || routePaths === undefined) continue;
      const methodGuards = (Reflect.getMetadata(GUARDS_METADATA, handler) as unknown[] | undefined) ?? [];
      const authenticated = [...guards, ...methodGuards].includes(AuthGuard);
      for (const sub of paths(routePaths)) {
        const joined = [base, sub].filter(Boolean).join('/');
        const path = options.unprefixed.includes(joined) ? `/${joined}` : `/${options.prefix}/${joined}`.replace(/\/$/, '');
        let doc = Reflect.getMetadata(API_DOC, handler) as ApiRouteDoc | undefined;
        if (doc === undefined) {
          undocumented.push(`${method.toUpperCase()} ${path} (${controller.name}.${name})`);
          doc = { summary: `Undocumented: ${controller.name}.${name} has no @ApiDoc`, responses: {} };
        }
        operations.push({
          ...doc,
          method,
          path,
          tag: tags[0] ?? base.split('/')[0] ?? 'gateway',
          access: !authenticated ? 'public' : isAdminOnly(reflector, handler, controller) ? 'admin' : 'user',
        });
      }
    }
  }
  return { operations, undocumented };
}
