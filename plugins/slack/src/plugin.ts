/**
 * The slack channel plugin (SPEC §5 slack): system messages to the configured channel, personal
 * ones as a DM to the user found by email. Success is Slack's `ok` field, nothing else (SPEC §9:
 * DefectDojo looked for the word "error" in the response).
 */
import { definePlugin, outcomes, type PluginDefinition, type TemplateSet } from '@herald/contracts';
import { SLACK_SECRET_FIELDS, slackConfigSchema, type SlackConfig } from './config.js';
import { classifySlackError } from './errors.js';
import { renderSlack, type SlackRequest } from './render.js';
import type { SlackApi } from './transport.js';

export const SLACK_PLUGIN_VERSION = '0.1.0';

/**
 * The slack channel as the registry sees it (SPEC §2.5): name, version, settings schema and secret fields.
 * Spread into the plugin's `definePlugin`; the gateway validates and seals the channel's
 * configuration from the registration built from exactly this.
 */
export const SLACK_CHANNEL = {
  channel: 'slack',
  version: SLACK_PLUGIN_VERSION,
  configSchema: slackConfigSchema,
  secretFields: SLACK_SECRET_FIELDS,
} as const;

export interface SlackPluginDeps {
  readonly api: SlackApi;
  readonly templates: TemplateSet;
}

export function createSlackPlugin(deps: SlackPluginDeps): PluginDefinition<SlackConfig, SlackRequest> {
  const { api, templates } = deps;
  return definePlugin({
    ...SLACK_CHANNEL,
    render: (message, config) => renderSlack(message, config, templates),
    async send(request) {
      let channel: string;
      if (request.target.kind === 'user') {
        const id = await api.lookupUserId(request.token, request.target.email);
        if (id === null) return outcomes.dropped(`no Slack user with email ${request.target.email}`);
        channel = id;
      } else {
        channel = request.target.channel;
      }
      const posted = await api.postMessage(request.token, {
        channel,
        text: request.text,
        blocks: request.blocks,
        username: request.username,
      });
      return outcomes.delivered(`posted to ${posted.channel} (ts ${posted.ts})`);
    },
    classifyError: classifySlackError,
  });
}
