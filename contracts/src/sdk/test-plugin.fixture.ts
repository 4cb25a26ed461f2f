/**
 * A tiny plugin for the SDK's own tests: `send` records every call and answers from a script keyed
 * by delivery id (default: delivered); `http` serves `/whoami` (authenticate) and `/config`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { HttpHandler } from './http.js';
import { definePlugin, outcomes, type PluginDefinition, type SendOutcome } from './plugin.js';

export const testConfigSchema = z.strictObject({
  token: z.string().min(1),
  room: z.string().min(1).default('general'),
});
export type TestConfig = z.infer<typeof testConfigSchema>;

export interface TestRequest {
  readonly text: string;
  readonly room: string;
}

export interface RecordedSend {
  readonly deliveryId: string;
  readonly attempt: number;
  readonly at: number;
  readonly config: TestConfig;
  readonly request: TestRequest;
}

/** Thrown by a scripted send; `classifyError` turns it into a retry after 100 ms. */
export class FlakyProviderError extends Error {
  constructor() {
    super('provider hiccup');
    this.name = 'FlakyProviderError';
  }
}

/** What `send` does for one delivery id, per attempt. */
export type Script = (attempt: number) => SendOutcome | Error;

export interface TestPlugin {
  readonly plugin: PluginDefinition<TestConfig, TestRequest>;
  readonly calls: RecordedSend[];
  script(deliveryId: string, script: Script): void;
  callsFor(deliveryId: string): RecordedSend[];
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}

export function testPlugin(channel = 'spec'): TestPlugin {
  const calls: RecordedSend[] = [];
  const scripts = new Map<string, Script>();
  const plugin = definePlugin<TestConfig, TestRequest>({
    channel,
    version: '1.2.3',
    configSchema: testConfigSchema,
    secretFields: ['token'],
    render: (message, config) => {
      if (message.event.data.title === 'nothing to send') return { kind: 'dropped', reason: 'nothing to send for this event' };
      return { text: `${message.event.data.title} (${message.destination.scope})`, room: config.room };
    },
    send: (request, context) => {
      calls.push({ deliveryId: context.message.delivery_id, attempt: context.attempt, at: Date.now(), config: context.config, request });
      const answer = scripts.get(context.message.delivery_id)?.(context.attempt) ?? outcomes.delivered();
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
    classifyError: (error) =>
      error instanceof FlakyProviderError
        ? outcomes.retry(error.message, 100)
        : outcomes.retry(error instanceof Error ? error.message : String(error)),
    http: (context): HttpHandler => {
      return (req: IncomingMessage, res: ServerResponse, next) => {
        if (req.url === '/whoami') {
          context
            .authenticate(req.headers.authorization)
            .then((identity) => (identity ? json(res, 200, identity) : json(res, 401, { error: { code: 'unauthorized' } })))
            .catch(next);
          return;
        }
        if (req.url === '/config') {
          json(res, 200, { config: context.config?.() ?? null });
          return;
        }
        next();
      };
    },
  });
  return {
    plugin,
    calls,
    script: (deliveryId, script) => scripts.set(deliveryId, script),
    callsFor: (deliveryId) => calls.filter((c) => c.deliveryId === deliveryId),
  };
}
