/**
 * `npm start` entrypoint (compiled to cli/dist/start.js): parses flags, runs the all-in-one
 * process, stops it on SIGTERM/SIGINT within 10 s. The only place that reads `process.env` here.
 */
import { hasErrorCode, startFailureReason } from '@herald/contracts';
import { startAllInOne } from './all-in-one.js';

const SHUTDOWN_DEADLINE_MS = 10_000;

try {
  const herald = await startAllInOne(process.env, { demo: process.argv.includes('--demo') });
  const shutdown = (signal: string): void => {
    process.stdout.write(`Herald: ${signal} received, stopping…\n`);
    setTimeout(() => {
      process.stderr.write('Herald: shutdown deadline (10 s) passed; exiting\n');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    herald.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`Herald: shutdown failed: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
} catch (error) {
  process.stderr.write(`Herald could not start: ${startFailureReason(error)}\n`);
  process.exit(hasErrorCode(error, 'invalid_configuration') ? 78 : hasErrorCode(error, 'infrastructure_unavailable') ? 69 : 1);
}
