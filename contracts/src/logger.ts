/**
 * Structured logging: one JSON object per line on stdout, with `event_id` / `delivery_id` fields on
 * every line about a message. A port, so tests and embedders can capture lines.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Writes JSON lines to `write` (default: stdout) at `level` and above. */
export function jsonLogger(options: { level?: LogLevel; base?: LogFields; write?: (line: string) => void } = {}): Logger {
  const min = ORDER[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(line + '\n'));
  const base = options.base ?? {};
  const emit = (level: LogLevel, message: string, fields?: LogFields): void => {
    if (ORDER[level] < min) return;
    const err = fields?.['error'];
    const extra = err instanceof Error ? { error: err.message, ...(err.stack ? { stack: err.stack } : {}) } : {};
    write(JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...base, ...fields, ...extra }));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => jsonLogger({ ...options, base: { ...base, ...fields } }),
  };
}

/** A logger that discards everything. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
