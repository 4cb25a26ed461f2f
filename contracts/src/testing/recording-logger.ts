/** A logger that keeps every line (level, message, fields) in `lines`, for tests that assert what was logged. */
import type { Logger } from '../logger.js';

export interface LoggedLine {
  readonly level: string;
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

export function recordingLogger(lines: LoggedLine[]): Logger {
  const log =
    (level: string) =>
    (message: string, fields: Readonly<Record<string, unknown>> = {}): void => {
      lines.push({ level, message, fields: { ...fields } });
    };
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), child: () => logger };
  return logger;
}
