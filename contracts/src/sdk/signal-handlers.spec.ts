import { describe, expect, it } from '@jest/globals';
import { silentLogger } from '../logger.js';
import { installSignalHandlers } from './signal-handlers.js';

function exited(): { codes: number[]; exit: (code: number) => void; done: Promise<void> } {
  const codes: number[] = [];
  let resolve: () => void = () => undefined;
  const done = new Promise<void>((r) => (resolve = r));
  return {
    codes,
    done,
    exit: (code) => {
      codes.push(code);
      resolve();
    },
  };
}

describe('installSignalHandlers', () => {
  it('stops the plugin, runs the cleanup and exits 0', async () => {
    const steps: string[] = [];
    const exit = exited();
    const uninstall = installSignalHandlers({ stop: (timeoutMs) => Promise.resolve(void steps.push(`stop ${timeoutMs}`)) }, silentLogger, {
      signals: ['SIGUSR2'],
      onStopped: () => Promise.resolve(void steps.push('drain')),
      exit: exit.exit,
    });
    try {
      process.emit('SIGUSR2', 'SIGUSR2');
      await exit.done;
      expect(steps).toEqual(['stop 8000', 'drain']);
      expect(exit.codes).toEqual([0]);
    } finally {
      uninstall();
    }
  });

  it('exits 1 when stopping outlasts the deadline', async () => {
    const exit = exited();
    const uninstall = installSignalHandlers({ stop: () => new Promise<void>(() => undefined) }, silentLogger, {
      signals: ['SIGUSR2'],
      timeoutMs: 50,
      exit: exit.exit,
    });
    try {
      process.emit('SIGUSR2', 'SIGUSR2');
      await exit.done;
      expect(exit.codes).toEqual([1]);
    } finally {
      uninstall();
    }
  });
});
