/**
 * `useLeanJit` turns Maglev off for the rest of the process; hot code is still optimised, by
 * TurboFan. Checked in a child process with V8's `--trace-opt`, which names each compilation's
 * target tier; the same child without the call shows Maglev compiling, so the check can fail.
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
  return [...new Set(run.stdout.match(/target [A-Z_]+/g) ?? [])].sort();
}

describe('useLeanJit', () => {
  it('leaves optimisation to TurboFan alone', () => {
    if (!existsSync(built)) throw new Error('contracts/dist is missing: run `npm run build` first (npm test does it)');
    expect(optimisedTiers(false)).toContain('target MAGLEV');
    expect(optimisedTiers(true)).toEqual(['target TURBOFAN_JS']);
  });
});
