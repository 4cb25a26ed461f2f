/**
 * The mail channel plugin (SPEC §5 mail): personal messages go to the user's email, system
 * messages to every address of `mail_notifications_to` (one mail, one SMTP transaction, each
 * address once), HTML and text parts from operator-overridable templates.
 */
import { definePlugin, outcomes, type PluginDefinition, type TemplateSet } from '@herald/contracts';
import { mailConfigSchema, type MailConfig } from './config.js';
import { classifyMailError } from './errors.js';
import { renderMail, type MailRequest } from './render.js';
import type { MailTransport } from './transport.js';

export const MAIL_PLUGIN_VERSION = '0.1.0';

/**
 * The mail channel as the registry sees it (SPEC §2.5): name, version, settings schema.
 * Spread into the plugin's `definePlugin`; the gateway validates and seals the channel's
 * configuration from the registration built from exactly this.
 */
export const MAIL_CHANNEL = {
  channel: 'mail',
  version: MAIL_PLUGIN_VERSION,
  configSchema: mailConfigSchema,
} as const;

export interface MailPluginDeps {
  readonly transport: MailTransport;
  readonly templates: TemplateSet;
}

export function createMailPlugin(deps: MailPluginDeps): PluginDefinition<MailConfig, MailRequest> {
  const { transport, templates } = deps;

  return definePlugin({
    ...MAIL_CHANNEL,
    render: (message, config) => renderMail(message, config, templates),
    async send(mail) {
      const result = await transport.send(mail);
      const rejected = result.rejected.length > 0 ? `; rejected by the server: ${result.rejected.join(', ')}` : '';
      return outcomes.delivered(`sent to ${result.accepted.join(', ')} as Message-ID ${mail.messageId}${rejected}`);
    },
    classifyError: classifyMailError,
  });
}
