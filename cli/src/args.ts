/**
 * A tiny argument parser: positionals and `--name value` / `--name=value` / `--flag` options.
 * Pure; unknown options are reported by the command that reads them.
 */
export interface ParsedArgs {
  readonly positionals: string[];
  readonly options: Map<string, string | true>;
}

export function parseArgs(argv: readonly string[], flags: ReadonlySet<string> = new Set()): ParsedArgs {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      if (eq > 0) {
        options.set(arg.slice(2, eq), arg.slice(eq + 1));
      } else if (flags.has(arg.slice(2)) || i + 1 >= argv.length || (argv[i + 1] ?? '').startsWith('--')) {
        options.set(arg.slice(2), true);
      } else {
        options.set(arg.slice(2), argv[++i] ?? '');
      }
    } else if (arg === '-h') {
      options.set('help', true);
    } else {
      positionals.push(arg);
    }
  }
  return { positionals, options };
}

/** The string value of an option, `undefined` when absent; a bare flag is an error. */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.options.get(name);
  if (value === true) throw new UsageError(`--${name} needs a value`);
  return value;
}

export class UsageError extends Error {
  readonly code = 'usage';
}
