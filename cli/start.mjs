#!/usr/bin/env node
// `npm start`: one command runs Herald on a fresh machine. Makes sure Node 24 runs it (installing
// it from the npm registry into ~/.cache/herald when the machine's Node is older), installs the
// dependencies and builds when that was not done yet, then starts the all-in-one process
// (cli/dist/start.js). Plain JavaScript on purpose: it must run before anything is built.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { node24, nodeTooOld } from './node-24.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// glibc's malloc keeps the large blocks V8 frees after compiling PGlite's WebAssembly (its
// optimising tier runs on background threads, each with an arena of its own): ≈ 60 MB the
// all-in-one held for its whole life. Serving blocks of 128 KB and more from mmap returns them
// when freed (test/bench/README.md, "Fifth session"). Setting MALLOC_MMAP_THRESHOLD_ yourself
// (any value) keeps yours.
const MALLOC_TUNING = { MALLOC_MMAP_THRESHOLD_: '131072' };
const untuned = process.platform === 'linux' && process.env.MALLOC_MMAP_THRESHOLD_ === undefined;
// Embedded PGlite (no DATABASE_URL): PostgreSQL compiled to WebAssembly. V8's optimising tier
// takes one of its functions (≈ 105 KB of code) through a loop analysis that allocates ≈ 600 MB
// for 2-3 s of CPU, on its own schedule once the function is hot, i.e. seconds after start: the
// all-in-one peaked at 730-790 MB right after it turned ready, and settled at ≈ 250 MB. Liftoff,
// V8's baseline compiler, runs PostgreSQL ≈ 8 % slower per query once warm and never does that
// (test/bench/README.md, "Sixth session"). A --liftoff or --no-liftoff flag of yours keeps yours.
const LIFTOFF_ONLY = '--liftoff-only';
const embeddedDatabase = !process.env.DATABASE_URL;
const wasmUntuned = (flags) => embeddedDatabase && !flags.some((flag) => /^--(no-)?liftoff/.test(flag));
// Both are read when a process starts, so the all-in-one re-executes itself with them, keeping
// its pid (process.execve, Node ≥ 23.11).

function run(command, args, what) {
  process.stdout.write(`Herald: ${what}…\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: process.env });
  if (result.status !== 0) {
    process.stderr.write(`Herald: ${what} failed (${command} ${args.join(' ')}).\n`);
    process.exit(result.status ?? 1);
  }
}

if (nodeTooOld) {
  const node = node24('Herald');
  const child = spawn(
    node,
    [
      ...(wasmUntuned(process.execArgv) ? [LIFTOFF_ONLY] : []),
      ...process.execArgv,
      fileURLToPath(import.meta.url),
      ...process.argv.slice(2),
    ],
    {
      stdio: 'inherit',
      env: { ...(untuned ? MALLOC_TUNING : {}), ...process.env, PATH: `${dirname(node)}:${process.env.PATH ?? ''}` },
    },
  );
  for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  const liftoff = wasmUntuned(process.execArgv);
  if ((untuned || liftoff) && typeof process.execve === 'function') {
    const missing = [...(untuned ? ['MALLOC_MMAP_THRESHOLD_'] : []), ...(liftoff ? [LIFTOFF_ONLY] : [])];
    try {
      process.execve(
        process.execPath,
        [
          process.execPath,
          ...(liftoff ? [LIFTOFF_ONLY] : []),
          ...process.execArgv,
          fileURLToPath(import.meta.url),
          ...process.argv.slice(2),
        ],
        { ...process.env, ...(untuned ? MALLOC_TUNING : {}) },
      );
    } catch (error) {
      // a memory tuning never stops a start: run as we are, saying why
      process.stderr.write(`Herald: starting without ${missing.join(' and ')} (re-executing failed: ${error.message})\n`);
    }
  }
  if (!existsSync(join(root, 'node_modules', '@herald', 'contracts')))
    run('npm', ['ci', '--no-audit', '--no-fund'], 'installing dependencies (npm ci)');
  const built = [
    'contracts/dist/index.js',
    'gateway/dist/index.js',
    'plugins/alert/dist/index.js',
    'plugins/mail/dist/index.js',
    'plugins/slack/dist/index.js',
    'plugins/msteams/dist/index.js',
    'plugins/webhooks/dist/index.js',
    'cli/dist/start.js',
  ];
  if (!built.every((file) => existsSync(join(root, file)))) run('npm', ['run', 'build'], 'building (npm run build)');
  await import(pathToFileURL(join(root, 'cli', 'dist', 'start.js')).href);
}
