/**
 * `useLeanJit` turns Maglev off for the rest of the process; hot code is still optimised, by
 * TurboFan. Checked in a child process with V8's `--trace-opt`, which names each compilation's
 * target tier; the same child without the call shows Maglev compiling, so the check can fail.
 * Only the decisions taken after the call count: `marking … for optimization to <tier>` and
 * `compiling method … (target <tier>)`. A Maglev job V8 started on a background thread before
 * the call (importing the SDK runs enough code to start some) still finishes after it and prints
 * `completed compiling … (target MAGLEV)`: that is not a compilation the call could prevent (CI
 * saw one on 2 December 2026).
 * Needs `npm run build` (the child imports the built SDK, as a plugin process does).
 */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const built = resolve(import.meta.dirname, '../../dist/index.js');

function optimisedTiers(lean: boolean): string[] {
  const script = `
    import v8 from 'node:v8';
    const { useLeanJit } = await import(${JSON.stringify(pathToFileURL(built).href)});
    if (${lean}) useLeanJit();
    v8.setFlagsFromString('--trace-opt');
    function hot(x) { let s = 0; for (let i = 0; i < 50; i++) s += (x * i) % 7; return s; }
    let total = 0;
    for (let i = 0; i < 2e6; i++) total += hot(i);
    console.log('total', total);
  `;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
  });
  expect(run.status).toBe(0);
  expect(run.stdout).toContain('total ');
  return tiersStarted(run.stdout);
}

/** The tiers of the optimisations V8 decided on or started in a `--trace-opt` output. */
function tiersStarted(trace: string): string[] {
  const started = trace.matchAll(/(?:for optimization to |^\[compiling method .*\(target )([A-Z_]+)/gm);
  return [...new Set([...started].map((match) => `target ${match[1]}`))].sort();
}

describe('tiersStarted', () => {
  it('counts marked and started compilations, not jobs finishing that began earlier', () => {
    const trace = [
      '[completed compiling 0x1 <JSFunction get (sfi = 0x2)> (target MAGLEV) - took 0.000, 0.198, 0.004 ms]',
      '[marking 0x3 <JSFunction hot (sfi = 0x4)> for optimization to TURBOFAN_JS, ConcurrencyMode::kConcurrent, reason: hot and stable]',
      '[compiling method 0x3 <JSFunction hot (sfi = 0x4)> (target TURBOFAN_JS), mode: ConcurrencyMode::kConcurrent]',
    ].join('\n');
    expect(tiersStarted(trace)).toEqual(['target TURBOFAN_JS']);
    expect(tiersStarted('[compiling method 0x5 <JSFunction (sfi = 0x6)> (target MAGLEV) OSR, mode: ConcurrencyMode::kConcurrent]')).toEqual(
      ['target MAGLEV'],
    );
    expect(
      tiersStarted(
        '[marking 0x7 <JSFunction f (sfi = 0x8)> for optimization to MAGLEV, ConcurrencyMode::kConcurrent, reason: hot and stable]',
      ),
    ).toEqual(['target MAGLEV']);
  });
});

describe('useLeanJit', () => {
  it('leaves optimisation to TurboFan alone', () => {
    if (!existsSync(built)) throw new Error('contracts/dist is missing: run `npm run build` first (npm test does it)');
    expect(optimisedTiers(false)).toContain('target MAGLEV');
    expect(optimisedTiers(true)).toEqual(['target TURBOFAN_JS']);
  });
});
