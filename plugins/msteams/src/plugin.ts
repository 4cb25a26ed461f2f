/** The msteams channel plugin (SPEC §5 msteams): system scope only, one card per message. */
import { definePlugin, type PluginDefinition, type TemplateSet } from '@herald/contracts';
import { MSTEAMS_SECRET_FIELDS, msteamsConfigSchema, type MsteamsConfig } from './config.js';
import { classifyTeamsError, classifyTeamsResponse } from './errors.js';
import { renderMsteams, type MsteamsRequest } from './render.js';
import type { TeamsTransport } from './transport.js';

export const MSTEAMS_PLUGIN_VERSION = '0.1.0';

/**
 * The msteams channel as the registry sees it (SPEC §2.5): name, version, settings schema and secret fields.
 * Spread into the plugin's `definePlugin`; the gateway validates and seals the channel's
 * configuration from the registration built from exactly this.
 */
export const MSTEAMS_CHANNEL = {
  channel: 'msteams',
  version: MSTEAMS_PLUGIN_VERSION,
  configSchema: msteamsConfigSchema,
  secretFields: MSTEAMS_SECRET_FIELDS,
} as const;

export interface MsteamsPluginDeps {
  readonly transport: TeamsTransport;
  readonly templates: TemplateSet;
}

export function createMsteamsPlugin(deps: MsteamsPluginDeps): PluginDefinition<MsteamsConfig, MsteamsRequest> {
  const { transport, templates } = deps;
  return definePlugin({
    ...MSTEAMS_CHANNEL,
    render: (message, config) => renderMsteams(message, config, templates),
    async send(request, { signal }) {
      const response = await transport.post(request.url, request.body, signal);
      return classifyTeamsResponse(response.statusCode, response.retryAfter, response.body);
    },
    classifyError: classifyTeamsError,
  });
}
