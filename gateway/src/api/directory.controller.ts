/** The directory (SPEC §4, §7): users, product types, products, memberships, engagements. */
import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DirectoryService } from '../directory/directory.service.js';
import type { Upserted } from '../directory/directory-views.js';
import { ChangeNotifier } from '../snapshot/change-notifier.js';
import { AdminOnly, AuthGuard, assertSelfOrAdmin, type Identity } from './auth.guard.js';
import { CurrentIdentity } from './identity.decorator.js';
import { found } from './not-found.js';
import { pageSchema } from '@herald/contracts';
import { pageQuerySchema, paginate, parsePageQuery } from '../http/pagination.js';
import { ApiDoc } from './api-doc.decorator.js';
import {
  engagementInputSchema,
  membershipInputSchema,
  productInputSchema,
  productTypeInputSchema,
  userInputSchema,
} from '../directory/directory-input.js';
import { engagementResponse, membershipResponse, productResponse, productTypeResponse, userResponse } from './responses.js';

interface StatusResponse {
  status(code: number): unknown;
}

@ApiTags('directory')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller()
export class DirectoryController {
  constructor(
    private readonly directory: DirectoryService,
    private readonly notifier: ChangeNotifier,
  ) {}

  /** 201 when created, 200 when updated; the cache is invalidated everywhere before answering. */
  private async upserted<T>(result: Promise<Upserted<T>>, res: StatusResponse, what: string): Promise<T> {
    const { record, created } = await result;
    await this.notifier.changed(what);
    res.status(created ? 201 : 200);
    return record;
  }

  private async deleted(result: Promise<boolean>, what: string): Promise<void> {
    const removed = await result;
    found(removed || null, what);
    await this.notifier.changed(`${what} deleted`);
  }

  /** Read-only lists for the console's directory page (admin). */
  @Get('users')
  @ApiDoc({ summary: 'List users (read-only directory)', query: pageQuerySchema, responses: { 200: pageSchema(userResponse) } })
  @AdminOnly()
  async listUsers(@Query() query: unknown) {
    const page = parsePageQuery(query);
    return paginate(await this.directory.listUsers(), (u) => u.id, page);
  }

  @Get('product-types')
  @ApiDoc({ summary: 'List product types', query: pageQuerySchema, responses: { 200: pageSchema(productTypeResponse) } })
  @AdminOnly()
  async listProductTypes(@Query() query: unknown) {
    const page = parsePageQuery(query);
    return paginate(await this.directory.listProductTypes(), (t) => t.id, page);
  }

  @Get('products')
  @ApiDoc({ summary: 'List products', query: pageQuerySchema, responses: { 200: pageSchema(productResponse) } })
  @AdminOnly()
  async listProducts(@Query() query: unknown) {
    const page = parsePageQuery(query);
    return paginate(await this.directory.listProducts(), (p) => p.id, page);
  }

  @Put('users/:id')
  @ApiDoc({
    summary: 'Create or replace a user',
    description: '201 when created, 200 when replaced.',
    body: userInputSchema,
    responses: { 200: userResponse, 201: userResponse },
  })
  @AdminOnly()
  putUser(@Param('id') id: string, @Body() body: unknown, @Res({ passthrough: true }) res: StatusResponse) {
    return this.upserted(this.directory.upsertUser(id, body), res, `user ${id}`);
  }

  @Get('users/:id')
  @ApiDoc({ summary: 'Get a user', responses: { 200: userResponse } })
  async getUser(@Param('id') id: string, @CurrentIdentity() identity: Identity) {
    assertSelfOrAdmin(identity, id);
    return found(await this.directory.getUser(id), `user ${id}`);
  }

  @Delete('users/:id')
  @ApiDoc({ summary: 'Delete a user (with their settings, memberships and tokens)', responses: { 204: null } })
  @AdminOnly()
  @HttpCode(204)
  deleteUser(@Param('id') id: string) {
    return this.deleted(this.directory.deleteUser(id), `user ${id}`);
  }

  @Put('product-types/:id')
  @ApiDoc({
    summary: 'Create or replace a product type',
    description: '201 when created, 200 when replaced.',
    body: productTypeInputSchema,
    responses: { 200: productTypeResponse, 201: productTypeResponse },
  })
  @AdminOnly()
  putProductType(@Param('id') id: string, @Body() body: unknown, @Res({ passthrough: true }) res: StatusResponse) {
    return this.upserted(this.directory.upsertProductType(id, body), res, `product type ${id}`);
  }

  @Get('product-types/:id')
  @ApiDoc({ summary: 'Get a product type', responses: { 200: productTypeResponse } })
  @AdminOnly()
  async getProductType(@Param('id') id: string) {
    return found(await this.directory.getProductType(id), `product type ${id}`);
  }

  @Delete('product-types/:id')
  @ApiDoc({ summary: 'Delete a product type', responses: { 204: null } })
  @AdminOnly()
  @HttpCode(204)
  deleteProductType(@Param('id') id: string) {
    return this.deleted(this.directory.deleteProductType(id), `product type ${id}`);
  }

  @Put('products/:id')
  @ApiDoc({
    summary: 'Create or replace a product',
    description: '201 when created, 200 when replaced.',
    body: productInputSchema,
    responses: { 200: productResponse, 201: productResponse },
  })
  @AdminOnly()
  putProduct(@Param('id') id: string, @Body() body: unknown, @Res({ passthrough: true }) res: StatusResponse) {
    return this.upserted(this.directory.upsertProduct(id, body), res, `product ${id}`);
  }

  @Get('products/:id')
  @ApiDoc({ summary: 'Get a product', responses: { 200: productResponse } })
  @AdminOnly()
  async getProduct(@Param('id') id: string) {
    return found(await this.directory.getProduct(id), `product ${id}`);
  }

  @Delete('products/:id')
  @ApiDoc({ summary: 'Delete a product', responses: { 204: null } })
  @AdminOnly()
  @HttpCode(204)
  deleteProduct(@Param('id') id: string) {
    return this.deleted(this.directory.deleteProduct(id), `product ${id}`);
  }

  @Get('products/:id/members')
  @ApiDoc({ summary: 'List the members of a product', query: pageQuerySchema, responses: { 200: pageSchema(membershipResponse) } })
  @AdminOnly()
  async listProductMembers(@Param('id') id: string, @Query() query: unknown) {
    const page = parsePageQuery(query);
    return paginate(await this.directory.listProductMembers(id), (m) => m.user_id, page);
  }

  @Put('products/:id/members/:userId')
  @ApiDoc({
    summary: 'Add a user to a product (or change their role)',
    body: membershipInputSchema,
    responses: { 200: membershipResponse },
  })
  @AdminOnly()
  async putProductMember(@Param('id') id: string, @Param('userId') userId: string, @Body() body: unknown) {
    const member = found(await this.directory.putProductMember(id, userId, body ?? {}), `product ${id} or user ${userId}`);
    await this.notifier.changed(`member of product ${id}`);
    return member;
  }

  @Delete('products/:id/members/:userId')
  @ApiDoc({ summary: 'Remove a user from a product', responses: { 204: null } })
  @AdminOnly()
  @HttpCode(204)
  removeProductMember(@Param('id') id: string, @Param('userId') userId: string) {
    return this.deleted(this.directory.removeProductMember(id, userId), `membership of user ${userId} in product ${id}`);
  }

  @Get('product-types/:id/members')
  @ApiDoc({ summary: 'List the members of a product type', query: pageQuerySchema, responses: { 200: pageSchema(membershipResponse) } })
  @AdminOnly()
  async listProductTypeMembers(@Param('id') id: string, @Query() query: unknown) {
    const page = parsePageQuery(query);
    return paginate(await this.directory.listProductTypeMembers(id), (m) => m.user_id, page);
  }

  @Put('product-types/:id/members/:userId')
  @ApiDoc({
    summary: 'Add a user to a product type (or change their role)',
    body: membershipInputSchema,
    responses: { 200: membershipResponse },
  })
  @AdminOnly()
  async putProductTypeMember(@Param('id') id: string, @Param('userId') userId: string, @Body() body: unknown) {
    const member = found(await this.directory.putProductTypeMember(id, userId, body ?? {}), `product type ${id} or user ${userId}`);
    await this.notifier.changed(`member of product type ${id}`);
    return member;
  }

  @Delete('product-types/:id/members/:userId')
  @ApiDoc({ summary: 'Remove a user from a product type', responses: { 204: null } })
  @AdminOnly()
  @HttpCode(204)
  removeProductTypeMember(@Param('id') id: string, @Param('userId') userId: string) {
    return this.deleted(this.directory.removeProductTypeMember(id, userId), `membership of user ${userId} in product type ${id}`);
  }

  @Put('engagements/:id')
  @ApiDoc({
    summary: 'Create or replace a engagement',
    description: '201 when created, 200 when replaced.',
    body: engagementInputSchema,
    responses: { 200: engagementResponse, 201: engagementResponse },
  })
  @AdminOnly()
  putEngagement(@Param('id') id: string, @Body() body: unknown, @Res({ passthrough: true }) res: StatusResponse) {
    return this.upserted(this.directory.upsertEngagement(id, body), res, `engagement ${id}`);
  }

  @Get('engagements/:id')
  @ApiDoc({ summary: 'Get an engagement', responses: { 200: engagementResponse } })
  @AdminOnly()
  async getEngagement(@Param('id') id: string) {
    return found(await this.directory.getEngagement(id), `engagement ${id}`);
  }

  @Delete('engagements/:id')
  @ApiDoc({ summary: 'Delete an engagement', responses: { 204: null } })
  @AdminOnly()
  @HttpCode(204)
  deleteEngagement(@Param('id') id: string) {
    return this.deleted(this.directory.deleteEngagement(id), `engagement ${id}`);
  }
}
