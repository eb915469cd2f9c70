/**
 * Expressions that start with a minus sign: `matcalc diff "-t'*log(softmax(z))" --wrt z`.
 *
 * commander reads every argument that starts with `-` as an option. An argument that cannot be an
 * option — a `-` followed by anything but an option name (`-t'*log(…)`, `-2*x`, `-(a+b)`) — is an
 * expression: it is moved behind a `--`, where commander takes it as the positional argument (each
 * command has at most one). Option values are left alone (`--answer "-2*x"`). What still reads as
 * an option (`-x`) is reported by commander as an unknown option, and usageHint says to write `--`.
 */
import type { Command } from 'commander';

/** What an option looks like: `-x`, `--wrt`, `--wrt=x`, `--no-check`. */
const OPTION_LIKE = /^--?[A-Za-z][A-Za-z0-9-]*(=.*)?$/;

/** argv (after the node binary and the script) with dash-led expressions moved behind `--`. */
export function protectDashExpressions(program: Command, argv: readonly string[]): string[] {
  const cmd = program.commands.find((c) => c.name() === argv[0] || c.aliases().includes(argv[0] ?? ''));
  if (!cmd) return [...argv];
  // Flags of the command (and the program) that read the next argument as their value.
  const valueFlags = new Map<string, 'required' | 'optional'>();
  for (const o of [...cmd.options, ...program.options]) {
    const kind = o.required ? 'required' : o.optional ? 'optional' : undefined;
    if (kind === undefined) continue;
    if (o.long) valueFlags.set(o.long, kind);
    if (o.short) valueFlags.set(o.short, kind);
  }
  const kept: string[] = [argv[0]!];
  const moved: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return [...kept, '--', ...moved, ...argv.slice(i + 1)];
    const kind = valueFlags.get(a);
    if (kind !== undefined) {
      kept.push(a);
      const next = argv[i + 1];
      // A required value is taken whatever it looks like (commander does the same).
      if (next !== undefined && (kind === 'required' || !next.startsWith('-'))) {
        kept.push(next);
        i++;
      }
      continue;
    }
    if (a.length > 1 && a.startsWith('-') && !OPTION_LIKE.test(a)) moved.push(a);
    else kept.push(a);
  }
  return moved.length === 0 ? kept : [...kept, '--', ...moved];
}

/** The hint added to commander's "unknown option '-x'": an expression may start with a minus after `--`. */
export function usageHint(message: string): string {
  const m = /unknown option '(-[^-][^']*)'/.exec(message);
  if (!m) return message;
  return `${message.replace(/\n$/, '')}; if it is an expression that starts with a minus, put it last, after --: … -- "${m[1]}"\n`;
}
