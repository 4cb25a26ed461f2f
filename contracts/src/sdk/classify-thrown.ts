/**
 * The one rule for errors thrown by a plugin's `send` (STYLE "Outcomes are data"): the plugin's
 * `classifyError` decides; without one, or when it throws itself, the error is retried — an
 * unknown error is assumed transient, and bounded attempts still dead-letter it in the end.
 */
import type { PluginDefinition, SendOutcome } from './plugin.js';

/** A readable reason for any thrown value. */
export function errorReason(error: unknown): string {
  if (error instanceof Error) return error.message === '' ? error.name : error.message;
  if (typeof error === 'string' && error !== '') return error;
  try {
    return `non-error thrown: ${JSON.stringify(error) ?? String(error)}`;
  } catch {
    return `non-error thrown: ${String(error)}`;
  }
}

/** Maps an error thrown by `plugin.send` to an outcome. */
export function classifyThrown<Config, Request>(
  plugin: Pick<PluginDefinition<Config, Request>, 'classifyError'>,
  error: unknown,
): SendOutcome {
  if (plugin.classifyError) {
    try {
      return plugin.classifyError(error);
    } catch (classifyFailure) {
      return { kind: 'retry', reason: `${errorReason(error)} (classifyError failed: ${errorReason(classifyFailure)})` };
    }
  }
  return { kind: 'retry', reason: errorReason(error) };
}
