import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { Controller, Delete, Get, Put, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiDoc } from './api-doc.decorator.js';
import { AdminOnly, AuthGuard } from './auth.guard.js';
import { gatewayOperations } from './openapi-operations.js';

const body = z.strictObject({ name: z.string() });

@ApiTags('things')
@UseGuards(AuthGuard)
@Controller('things')
class ThingsController {
  @Get(':id')
  @ApiDoc({ summary: 'Get a thing', responses: { 200: body } })
  get() {
    return { name: 'x' };
  }

  @Put(':id')
  @AdminOnly()
  @ApiDoc({ summary: 'Put a thing', body, responses: { 200: body } })
  put() {
    return { name: 'x' };
  }

  // a route someone added without @ApiDoc
  @Delete(':id')
  remove() {
    return undefined;
  }
}

@Controller('health')
class OpenController {
  @Get('live')
  @ApiDoc({ summary: 'Live', responses: { 200: null } })
  live() {
    return undefined;
  }
}

describe('gatewayOperations', () => {
  it('reads method, path and access from the Nest metadata, and reports a route without @ApiDoc', () => {
    const { operations, undocumented } = gatewayOperations([ThingsController, OpenController], {
      prefix: 'api/v1',
      unprefixed: ['health/live'],
    });
    expect(operations.map((o) => [o.method, o.path, o.access, o.tag])).toEqual([
      ['get', '/api/v1/things/:id', 'user', 'things'],
      ['put', '/api/v1/things/:id', 'admin', 'things'],
      ['delete', '/api/v1/things/:id', 'user', 'things'],
      ['get', '/health/live', 'public', 'health'],
    ]);
    expect(operations[1]?.body).toBe(body);
    expect(undocumented).toEqual(['DELETE /api/v1/things/:id (ThingsController.remove)']);
  });
});
