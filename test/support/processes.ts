/** Starting Herald's real entrypoints as child processes, and waiting for them. */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

export interface ChildHandle {
  readonly child: ChildProcess;
  readonly output: () => string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  readonly exited: Promise<number | string>;
}

/** Runs `node <script>` (a path in the repository) in `cwd` with extra environment variables; `''` unsets one. */
export function startNode(
  script: string,
  env: Record<string, string>,
  args: string[] = [],
  cwd: string = REPO_ROOT,
  nodeArgs: string[] = [],
): ChildHandle {
  const child = spawn(process.execPath, [...nodeArgs, resolve(REPO_ROOT, script), ...args], {
    cwd,
    env: Object.fromEntries(Object.entries({ ...process.env, NODE_OPTIONS: '', ...env }).filter(([, value]) => value !== '')),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | string>((done) => child.once('exit', (code, signal) => done(code ?? signal ?? -1)));
  return { child, output: () => out, exited };
}

/** Waits until `predicate(output)` holds, failing with the output after `timeoutMs`. */
export async function waitForOutput(handle: ChildHandle, predicate: (output: string) => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate(handle.output())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for process output; got:\n${handle.output()}`);
    if (handle.child.exitCode !== null) throw new Error(`process exited early (${handle.child.exitCode}):\n${handle.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Test clean-up: SIGKILLs every given process that still runs and waits until all have exited. */
export async function killAll(handles: Iterable<ChildHandle | undefined>): Promise<void> {
  const started = [...handles].filter((handle): handle is ChildHandle => handle !== undefined);
  for (const handle of started) if (handle.child.exitCode === null && handle.child.signalCode === null) handle.child.kill('SIGKILL');
  await Promise.all(started.map((handle) => handle.exited));
}
