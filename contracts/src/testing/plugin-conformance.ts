/**
 * The plugin conformance suite: what every channel plugin must satisfy for the SDK's guarantees
 * to hold. A plugin's test file calls `describePluginConformance(name, { … })` once; the tests are
 * declared with Jest under Jest and with `node:test` otherwise (`node --test`), see `test-runner.ts`.
 *
 * 1. `render` is pure: the same input twice (under different clocks and random sources) gives
 *    deep-equal output, and a deep-frozen input is neither mutated nor rejected.
 * 2. Every error `send` may throw is classified into a valid outcome; an unknown error is retried.
 * 3. The config schema round-trips: what it parses survives JSON (the KV wire format) unchanged.
 * 4. With a harness factory: a message redelivered after it was delivered is not sent again.
 *
 * The runner is chosen when the suite is declared, not when this module is imported, so the rest
 * of `@herald/contracts/testing` stays usable under any runner.
 */
import assert from 'node:assert/strict';
import { channelMessageSchema, type ChannelMessage } from '../channel-message.js';
import { classifyThrown } from '../sdk/classify-thrown.js';
import type { PluginDefinition, SendOutcome } from '../sdk/plugin.js';
import type { PluginHarness } from './plugin-harness.js';
import { currentTestRunner } from './test-runner.js';

/** A running harness plus the count of sends its transport really made (e.g. requests an HTTP sink received). */
export interface ConformanceHarness<Config> {
  readonly harness: PluginHarness<Config>;
  readonly sentCount: () => number;
}

export interface PluginConformanceOptions<Config, Request> {
  readonly plugin: PluginDefinition<Config, Request>;
  /** Messages covering the plugin's cases (system and personal destinations, event types it renders specially). */
  readonly sampleMessages: readonly ChannelMessage[];
  /** Settings as they arrive from the channel configuration (secrets already opened). */
  readonly sampleConfig: unknown;
  /** Errors the plugin's transport can throw (provider errors, timeouts, …). @default [] */
  readonly thrownErrors?: readonly unknown[];
  /**
   * Starts the plugin on a harness wired to a counting transport; the suite publishes
   * `sampleMessages[0]` twice and stops the harness. `sentCount` counts what reached the
   * recipient: for a plugin with `idempotentSend` the copy does reach `send`, so count the sends
   * that took effect (the alert plugin counts alerts created), not calls. @default the duplicate
   * check is skipped
   */
  readonly harness?: () => Promise<ConformanceHarness<Config>>;
}

/** An error no plugin can know: it must be retried (the SDK's documented default). */
class ConformanceUnknownError extends Error {
  constructor() {
    super('conformance: an error the plugin has never seen');
    this.name = 'ConformanceUnknownError';
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  }
  return value;
}

/** A frozen copy when the value can be cloned; otherwise the value itself (class instances, functions). */
function frozenCopy<T>(value: T): T {
  try {
    return deepFreeze(structuredClone(value));
  } catch {
    return value;
  }
}

const OUTCOME_KINDS: ReadonlySet<string> = new Set(['delivered', 'retry', 'failed', 'dropped']);

function outcomeProblems(outcome: SendOutcome): string[] {
  const problems: string[] = [];
  if (!OUTCOME_KINDS.has(outcome.kind)) problems.push(`unknown kind "${String(outcome.kind)}"`);
  if (outcome.kind !== 'delivered' && (typeof outcome.reason !== 'string' || outcome.reason.trim() === '')) {
    problems.push('a non-delivered outcome must say why (non-empty reason)');
  }
  if (outcome.kind === 'retry' && outcome.afterMs !== undefined && !(Number.isFinite(outcome.afterMs) && outcome.afterMs >= 0)) {
    problems.push(`afterMs must be a finite number ≥ 0, got ${outcome.afterMs}`);
  }
  return problems;
}

/** The value with every `undefined` object property removed, as JSON (the KV wire format) would. */
function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUndefined);
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, withoutUndefined(v)]),
  );
}

/** Declares the conformance tests of one plugin (call at the top level of a spec file). */
export function describePluginConformance<Config, Request>(name: string, options: PluginConformanceOptions<Config, Request>): void {
  const { describe, it, determinism } = currentTestRunner();
  const { plugin } = options;

  describe(`${name}: plugin conformance`, () => {
    it('has sample messages that are valid channel messages for its channel', () => {
      assert.ok(options.sampleMessages.length > 0, 'sampleMessages is empty: give at least one channel message');
      for (const message of options.sampleMessages) {
        assert.deepEqual(channelMessageSchema.safeParse(message).error?.issues ?? [], []);
        assert.equal(message.channel, plugin.channel);
      }
    });

    describe('render is pure and deterministic', () => {
      for (const [index, message] of options.sampleMessages.entries()) {
        it(`sample ${index + 1} (${message.event.type}, ${message.destination.scope}): same input → same output, input untouched`, () => {
          const config = plugin.configSchema.parse(options.sampleConfig);
          const pristine = structuredClone(message);
          const frozenMessage = frozenCopy(message);
          const frozenConfig = frozenCopy(config);
          const fake = determinism(new Date('2001-02-03T04:05:06.007Z'), 0.125);
          try {
            const first = plugin.render(frozenMessage, frozenConfig);
            fake.setNow(new Date('2039-10-11T12:13:14.015Z'));
            fake.setRandom(0.875);
            const second = plugin.render(frozenMessage, frozenConfig);
            assert.deepEqual(second, first);
          } finally {
            fake.restore();
          }
          assert.deepEqual(frozenMessage, pristine);
        });
      }
    });

    describe('thrown errors become outcomes', () => {
      for (const [index, error] of (options.thrownErrors ?? []).entries()) {
        it(`thrown error ${index + 1} (${error instanceof Error ? error.name : typeof error}) is classified into a valid outcome`, () => {
          const outcome = classifyThrown(plugin, error);
          assert.deepEqual(outcomeProblems(outcome), []);
        });
      }

      it('an unknown error is retried', () => {
        for (const error of [new ConformanceUnknownError(), 'a thrown string', undefined]) {
          const outcome = classifyThrown(plugin, error);
          assert.equal(outcome.kind, 'retry');
          assert.deepEqual(outcomeProblems(outcome), []);
        }
      });
    });

    it('config schema parses the sample and round-trips through JSON', () => {
      const parsed = plugin.configSchema.parse(options.sampleConfig);
      const wire = JSON.parse(JSON.stringify(parsed)) as unknown;
      assert.deepEqual(withoutUndefined(plugin.configSchema.parse(wire)), withoutUndefined(parsed));
    });

    const factory = options.harness;
    if (factory) {
      it('does not send a redelivered message again once it was delivered', async () => {
        const sample = options.sampleMessages[0];
        if (sample === undefined) throw new Error('describePluginConformance: sampleMessages is empty');
        const { harness, sentCount } = await factory();
        try {
          const id = await harness.publish(sample, { deduplicate: false });
          await harness.waitForStatus(id, 'delivered');
          const sends = sentCount();
          assert.ok(sends > 0, 'the harness transport counted no send for a delivered message');
          await harness.publish(sample, { deduplicate: false });
          await harness.idle();
          assert.equal(sentCount(), sends);
          assert.equal((await harness.statuses(id)).filter((s) => s.outcome === 'delivered').length, 1);
        } finally {
          await harness.stop();
        }
      }, 30_000);
    }
  });
}
