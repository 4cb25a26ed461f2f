/**
 * The test runner the conformance kit declares its tests with: Jest when the file runs under Jest
 * (`JEST_WORKER_ID` is set in every Jest process), otherwise Node's built-in runner (`node --test`,
 * `node:test`). Assertions use `node:assert/strict`, which fails a test under either runner.
 * Only the two runner-specific needs are adapted: a frozen clock and a fixed `Math.random`.
 *
 * `@jest/globals` is an optional peer dependency of `@herald/contracts`, loaded only under Jest.
 */
import { createRequire } from 'node:module';
import type * as JestGlobals from '@jest/globals';
import type * as NodeTest from 'node:test';

export type TestBody = () => void | Promise<void>;

/** Replaces the clock and `Math.random` for one test; `restore` puts the real ones back. */
export interface Determinism {
  setNow(date: Date): void;
  setRandom(value: number): void;
  restore(): void;
}

export interface TestRunner {
  readonly name: 'jest' | 'node:test';
  readonly describe: (name: string, body: () => void) => void;
  readonly it: (name: string, body: TestBody, timeoutMs?: number) => void;
  /** Freezes `Date` at `now` and `Math.random` at `random` until `restore()`. */
  readonly determinism: (now: Date, random: number) => Determinism;
}

/**
 * True inside a Jest worker (Jest sets `JEST_WORKER_ID` in every test process, `--runInBand` too),
 * unless the file runs under `node --test` (which sets `NODE_TEST_CONTEXT` in its test processes;
 * a `node --test` started from a Jest test inherits `JEST_WORKER_ID`).
 */
export function runningUnderJest(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.JEST_WORKER_ID !== undefined && env.NODE_TEST_CONTEXT === undefined;
}

const requireHere = createRequire(import.meta.url);

function jestRunner(): TestRunner {
  let globals: typeof JestGlobals;
  try {
    globals = requireHere('@jest/globals') as typeof JestGlobals;
  } catch (error) {
    throw new Error(
      `describePluginConformance runs under Jest but cannot load "@jest/globals": npm install --save-dev @jest/globals (${(error as Error).message})`,
    );
  }
  const { describe, it, jest } = globals;
  return {
    name: 'jest',
    describe: (name, body) => describe(name, body),
    it: (name, body, timeoutMs) => it(name, async () => body(), timeoutMs),
    determinism: (now, random) => {
      const spy = jest.spyOn(Math, 'random').mockReturnValue(random);
      jest.useFakeTimers({ now });
      return {
        setNow: (date) => jest.setSystemTime(date),
        setRandom: (value) => spy.mockReturnValue(value),
        restore: () => {
          jest.useRealTimers();
          spy.mockRestore();
        },
      };
    },
  };
}

function nodeTestRunner(): TestRunner {
  const { describe, it, mock } = requireHere('node:test') as typeof NodeTest;
  return {
    name: 'node:test',
    describe: (name, body) => {
      void describe(name, body);
    },
    it: (name, body, timeoutMs) => {
      void it(name, timeoutMs === undefined ? {} : { timeout: timeoutMs }, async () => body());
    },
    determinism: (now, random) => {
      let value = random;
      const spy = mock.method(Math, 'random', () => value);
      mock.timers.enable({ apis: ['Date'], now });
      return {
        setNow: (date) => mock.timers.setTime(date.getTime()),
        setRandom: (next) => {
          value = next;
        },
        restore: () => {
          mock.timers.reset();
          spy.mock.restore();
        },
      };
    },
  };
}

/** The runner of the current process (see the module comment). */
export function currentTestRunner(): TestRunner {
  return runningUnderJest() ? jestRunner() : nodeTestRunner();
}
