/** Notification settings (SPEC §3.1, §7): system, template, personal and per-product rows. */
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { SettingsService } from '../settings/settings.service.js';
import { ChangeNotifier } from '../snapshot/change-notifier.js';
import { AdminOnly, AuthGuard, assertSelfOrAdmin, type Identity } from './auth.guard.js';
import { CurrentIdentity } from './identity.decorator.js';
import { found } from './not-found.js';
import { pageSchema } from '@herald/contracts';
import { pageQuerySchema, paginate, parsePageQuery } from '../http/pagination.js';
import { ApiDoc } from './api-doc.decorator.js';
import { settingsBodySchema } from '../settings/validate-settings.js';
import { productSettingsResponse, settingsResponse } from './responses.js';

@ApiTags('settings')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller()
export class SettingsController {
  constructor(
    private readonly settings: SettingsService,
    private readonly notifier: ChangeNotifier,
  ) {}

  private async changed<T>(result: Promise<T>, what: string): Promise<T> {
    const value = await result;
    await this.notifier.changed(what);
    return value;
  }

  @Get('settings/system')
  @ApiDoc({ summary: 'Get the system settings row', responses: { 200: settingsResponse } })
  @AdminOnly()
  getSystem() {
    return this.settings.getSystem();
  }

  @Put('settings/system')
  @ApiDoc({ summary: 'Replace the system settings row', body: settingsBodySchema, responses: { 200: settingsResponse } })
  @AdminOnly()
  putSystem(@Body() body: unknown) {
    return this.changed(this.settings.putSystem(body), 'system settings');
  }

  @Patch('settings/system')
  @ApiDoc({ summary: 'Change columns of the system settings row', body: settingsBodySchema, responses: { 200: settingsResponse } })
  @AdminOnly()
  patchSystem(@Body() body: unknown) {
    return this.changed(this.settings.patchSystem(body), 'system settings');
  }

  @Get('settings/template')
  @ApiDoc({ summary: 'Get the template for new personal rows', responses: { 200: settingsResponse } })
  @AdminOnly()
  async getTemplate() {
    return found(await this.settings.getTemplate(), 'template settings');
  }

  @Put('settings/template')
  @ApiDoc({ summary: 'Replace the template for new personal rows', body: settingsBodySchema, responses: { 200: settingsResponse } })
  @AdminOnly()
  putTemplate(@Body() body: unknown) {
    return this.settings.putTemplate(body);
  }

  @Patch('settings/template')
  @ApiDoc({ summary: 'Change columns of the template', body: settingsBodySchema, responses: { 200: settingsResponse } })
  @AdminOnly()
  patchTemplate(@Body() body: unknown) {
    return this.settings.patchTemplate(body);
  }

  @Delete('settings/template')
  @ApiDoc({ summary: 'Delete the template', responses: { 204: null } })
  @AdminOnly()
  @HttpCode(204)
  async deleteTemplate() {
    found((await this.settings.deleteTemplate()) || null, 'template settings');
  }

  @Get('users/:id/settings')
  @ApiDoc({ summary: "Get a user's personal settings", responses: { 200: settingsResponse } })
  async getPersonal(@Param('id') id: string, @CurrentIdentity() identity: Identity) {
    assertSelfOrAdmin(identity, id);
    return found(await this.settings.getPersonal(id), `user ${id}`);
  }

  @Put('users/:id/settings')
  @ApiDoc({ summary: "Replace a user's personal settings", body: settingsBodySchema, responses: { 200: settingsResponse } })
  async putPersonal(@Param('id') id: string, @Body() body: unknown, @CurrentIdentity() identity: Identity) {
    assertSelfOrAdmin(identity, id);
    return found(await this.changed(this.settings.putPersonal(id, body), `settings of user ${id}`), `user ${id}`);
  }

  @Patch('users/:id/settings')
  @ApiDoc({ summary: "Change columns of a user's personal settings", body: settingsBodySchema, responses: { 200: settingsResponse } })
  async patchPersonal(@Param('id') id: string, @Body() body: unknown, @CurrentIdentity() identity: Identity) {
    assertSelfOrAdmin(identity, id);
    return found(await this.changed(this.settings.patchPersonal(id, body), `settings of user ${id}`), `user ${id}`);
  }

  @Get('users/:id/settings/products')
  @ApiDoc({
    summary: "List a user's per-product settings rows",
    query: pageQuerySchema,
    responses: { 200: pageSchema(productSettingsResponse) },
  })
  async listProducts(@Param('id') id: string, @CurrentIdentity() identity: Identity, @Query() query: unknown) {
    assertSelfOrAdmin(identity, id);
    const page = parsePageQuery(query);
    return paginate(await this.settings.listProducts(id, identity.kind !== 'admin'), (row) => row.product_id, page);
  }

  // A user token is answered about a product it cannot view exactly as about a missing one (404).
  @Get('users/:id/settings/products/:productId')
  @ApiDoc({ summary: "Get a user's settings for one product", responses: { 200: settingsResponse } })
  async getProduct(@Param('id') id: string, @Param('productId') productId: string, @CurrentIdentity() identity: Identity) {
    assertSelfOrAdmin(identity, id);
    return found(
      await this.settings.getProduct(id, productId, identity.kind !== 'admin'),
      `product settings of user ${id} for product ${productId}`,
    );
  }

  @Put('users/:id/settings/products/:productId')
  @ApiDoc({ summary: "Replace a user's settings for one product", body: settingsBodySchema, responses: { 200: settingsResponse } })
  async putProduct(
    @Param('id') id: string,
    @Param('productId') productId: string,
    @Body() body: unknown,
    @CurrentIdentity() identity: Identity,
  ) {
    assertSelfOrAdmin(identity, id);
    return found(
      await this.changed(this.settings.putProduct(id, productId, body, identity.kind !== 'admin'), `product settings of user ${id}`),
      `user ${id} or product ${productId}`,
    );
  }

  @Patch('users/:id/settings/products/:productId')
  @ApiDoc({
    summary: "Change columns of a user's settings for one product",
    body: settingsBodySchema,
    responses: { 200: settingsResponse },
  })
  async patchProduct(
    @Param('id') id: string,
    @Param('productId') productId: string,
    @Body() body: unknown,
    @CurrentIdentity() identity: Identity,
  ) {
    assertSelfOrAdmin(identity, id);
    return found(
      await this.changed(this.settings.patchProduct(id, productId, body, identity.kind !== 'admin'), `product settings of user ${id}`),
      `user ${id} or product ${productId}`,
    );
  }

  @Delete('users/:id/settings/products/:productId')
  @ApiDoc({ summary: "Delete a user's settings for one product", responses: { 204: null } })
  @HttpCode(204)
  async deleteProduct(@Param('id') id: string, @Param('productId') productId: string, @CurrentIdentity() identity: Identity) {
    assertSelfOrAdmin(identity, id);
    found(
      (await this.changed(this.settings.deleteProduct(id, productId, identity.kind !== 'admin'), `product settings of user ${id}`)) || null,
      `product settings of user ${id} for product ${productId}`,
    );
  }
}
