/**
 * One-click unsubscribe (RFC 8058, RFC 2369), no sign-in: the link in a mail's `List-Unsubscribe`
 * header and footer is `<HERALD_PUBLIC_URL>/api/v1/unsubscribe/<token>`.
 *
 * - `GET` answers a small HTML page with one button (mail scanners follow GETs: a GET changes nothing).
 * - `POST` with the form body `List-Unsubscribe=One-Click` (what mail clients send, and what the
 *   page's button sends) turns off that column for that channel in the user's personal settings and product rows
 *   and answers 200 with an HTML page.
 */
import { Body, Controller, Get, Header, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { formatIssues, type ValidationIssue } from '@herald/contracts';
import type { GatewayConfig } from '../config/gateway-config.js';
import { GATEWAY_CONFIG } from '../config/tokens.js';
import { ApiError } from '../http/error.filter.js';
import { CONSOLE_CSP } from '../http/console-assets.js';
import { confirmPage, donePage } from '../unsubscribe/unsubscribe-page.js';
import { UnsubscribeService } from '../unsubscribe/unsubscribe.service.js';
import { MAX_UNSUBSCRIBE_TOKEN_LENGTH, UNSUBSCRIBE_TOKEN_PATTERN } from '../unsubscribe/unsubscribe-token.js';
import { ApiDoc } from './api-doc.decorator.js';

/** The `{token}` path parameter. */
const tokenSchema = z
  .string()
  .max(MAX_UNSUBSCRIBE_TOKEN_LENGTH)
  .regex(UNSUBSCRIBE_TOKEN_PATTERN)
  .describe("The token from the mail's List-Unsubscribe link (issued by the gateway, signed with a key derived from HERALD_SECRET_KEY)");

/** The RFC 8058 body, `application/x-www-form-urlencoded`. */
export const unsubscribeBodySchema = z.object({
  'List-Unsubscribe': z.literal('One-Click').describe('Always `One-Click` (RFC 8058)'),
});

const html = (description: string) => ({ description, contentType: 'text/html' });

@ApiTags('unsubscribe')
@Controller('unsubscribe')
export class UnsubscribeController {
  constructor(
    private readonly unsubscribe: UnsubscribeService,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  private get settingsUrl(): string {
    return `${this.config.siteUrl}/settings`;
  }

  @Get(':token')
  @ApiDoc({
    summary: 'The one-click unsubscribe page of a mail link (changes nothing)',
    description:
      'An HTML page naming the event type and channel, with one button that POSTs `List-Unsubscribe=One-Click` to the same URL. ' +
      'A malformed token answers 400, a token this gateway did not sign (or of a deleted user) 404.',
    params: { token: tokenSchema },
    responses: { 200: html('An HTML page with an Unsubscribe button (a plain form, no script)') },
  })
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', CONSOLE_CSP)
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer')
  @Header('X-Frame-Options', 'DENY')
  async page(@Param('token') token: string): Promise<string> {
    return confirmPage(await this.unsubscribe.target(token), this.settingsUrl);
  }

  @Post(':token')
  @ApiDoc({
    summary: 'One-click unsubscribe (RFC 8058): turn off one event type for one channel',
    description:
      'What mail clients call for the `List-Unsubscribe` header with `List-Unsubscribe-Post: List-Unsubscribe=One-Click`. ' +
      "Body (`application/x-www-form-urlencoded`): `List-Unsubscribe=One-Click`. Turns off the token's channel for its event type in the " +
      "user's personal settings (creating the row from the settings shown for the user when it was never saved) and in each of the user's product rows that has it on; idempotent. " +
      'A malformed token or body answers 400, a token this gateway did not sign (or of a deleted user) 404.',
    params: { token: tokenSchema },
    body: unsubscribeBodySchema,
    bodyContentType: 'application/x-www-form-urlencoded',
    responses: { 200: html('An HTML page confirming the unsubscribe') },
  })
  @HttpCode(200)
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', CONSOLE_CSP)
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer')
  @Header('X-Frame-Options', 'DENY')
  async confirm(@Param('token') token: string, @Body() body: unknown): Promise<string> {
    const parsed = unsubscribeBodySchema.safeParse(body ?? {});
    if (!parsed.success) {
      const issue: ValidationIssue = {
        path: 'List-Unsubscribe',
        message: 'must be One-Click',
        expected:
          'the form body List-Unsubscribe=One-Click (Content-Type: application/x-www-form-urlencoded), as RFC 8058 mail clients send it',
      };
      throw new ApiError(400, 'validation_failed', `Invalid unsubscribe request: ${formatIssues([issue])}`, [issue]);
    }
    const result = await this.unsubscribe.unsubscribe(token);
    return donePage(result, result.changed, this.settingsUrl);
  }
}
