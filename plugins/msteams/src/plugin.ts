/** The msteams channel plugin (SPEC §5 msteams): system scope only, one card per message. */
import { definePlugin, type PluginDefinition, type TemplateSet } from '@herald/contracts';
import { MSTEAMS_SECRET_FIELDS, msteamsConfigSchema, type MsteamsConfig } from './config.js';
import { classifyTeamsError, classifyTeamsResponse } from './errors.js';
import { renderMsteams, type MsteamsRequest } from './render.js';
import type { TeamsTransport } from './transport.js';

export const MSTEAMS_PLUGIN_VERSION = '0.1.0';

export interface MsteamsPluginDeps {
  readonly transport: TeamsTransport;
  readonly templates: TemplateSet;
}

export function createMsteamsPlugin(deps: MsteamsPluginDeps): PluginDefinition<MsteamsConfig, MsteamsRequest> {
  const { transport, templates } = deps;
  return definePlugin({
    channel: 'msteams',
    version: MSTEAMS_PLUGIN_VERSION,
    configSchema: msteamsConfigSchema,
    secretFields: MSTEAMS_SECRET_FIELDS,
    render: (message, config) => renderMsteams(message, config, templates),
    async send(request, { signal }) {
      const response = await transport.post(request.url, request.body, signal);
      return classifyTeamsResponse(response.statusCode, response.retryAfter, response.body);
    },
    classifyError: classifyTeamsError,
  });
}
