/**
 * What the CLI reads: expressions (an argument, or `-` for stdin), points (`--at` as JSON or
 * `@FILE`), shape declarations (`--var NAME=SHAPE`, repeatable) and the options shared by several
 * commands. Problems with any of these are usage errors (RequestError → exit 2), not math errors.
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, Option } from 'commander';
import { MatcalcError, RequestError } from '../errors.js';
import type { Nested } from '../numeric/tensor.js';
import { type VarDecl, parseVarAssignment } from '../parse/parse.js';

let stdinText: Promise<string> | undefined;

/** All of stdin, read once (several `-` arguments share it). */
function readStdin(): Promise<string> {
  stdinText ??= (async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return withoutBom(Buffer.concat(chunks).toString('utf8'));
  })();
  return stdinText;
}

/** Text without a leading UTF-8 byte-order mark (editors on Windows write one; JSON.parse rejects it). */
export const withoutBom = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

/** An expression argument; `-` reads it from stdin. */
export async function readExpr(arg: string, what = 'the expression'): Promise<string> {
  const src = arg === '-' ? (await readStdin()).trim() : arg;
  if (src.trim() === '') throw new RequestError(`${what} is empty`);
  return src;
}

/** A file that cannot be read (missing, a directory, no permission) as a usage error. */
export function cannotRead(path: string, err: unknown): RequestError {
  const code = (err as { code?: string }).code;
  return new RequestError(
    `cannot read ${path}${code === 'ENOENT' ? ': no such file' : ` (${code ?? (err as Error).message})`}`,
  );
}

/** Text of a file, or of stdin for `-`; a missing file is a usage error. */
export async function readTextFile(path: string): Promise<string> {
  if (path === '-') return readStdin();
  try {
    return withoutBom(readFileSync(path, 'utf8'));
  } catch (err) {
    throw cannotRead(path, err);
  }
}

/** `--at '{"x": [1, 2], "A": [[1, 0], [0, 1]]}'` or `--at @point.json` (`@-` for stdin). */
export async function readAt(arg: string): Promise<Record<string, Nested>> {
  if (arg === '@') throw new RequestError('--at @FILE needs a file name (@- reads stdin)');
  const text = arg.startsWith('@') ? await readTextFile(arg.slice(1)) : arg;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new RequestError(`--at is not valid JSON (${(err as Error).message}); write e.g. --at '{"x": [1, 2]}'`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RequestError('--at must be a JSON object mapping variable names to values, e.g. {"x": [1, 2], "a": 3}');
  }
  return value as Record<string, Nested>;
}

/** `--var x=vector(n) --var 'S=matrix(n,n) spd'` → declarations; a bad one is a usage error. */
export function readVars(specs: readonly string[] | undefined): Record<string, VarDecl> {
  const vars: Record<string, VarDecl> = {};
  for (const spec of specs ?? []) {
    let name: string, decl: VarDecl;
    try {
      [name, decl] = parseVarAssignment(spec);
    } catch (err) {
      throw err instanceof MatcalcError ? new RequestError(`--var: ${err.message}`) : err;
    }
    if (Object.hasOwn(vars, name)) throw new RequestError(`--var: ${name} is declared twice`);
    vars[name] = decl;
  }
  return vars;
}

// ---------------------------------------------------------------------------------------------
// Options shared by several commands

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export const varOption = (): Option =>
  new Option(
    '--var <NAME=SHAPE>',
    'declare a variable: x=vector(n), W=matrix(k,n), a=scalar, X=[m,n], "S=matrix(n,n) spd" (repeatable)',
  ).argParser(collect);

export const atOption = (what: string): Option =>
  new Option(
    '--at <JSON|@FILE>',
    `${what} at this point: a JSON object such as '{"x":[1,2],"A":[[1,0],[0,1]]}', or @FILE (@- for stdin)`,
  );

export const formatOption = (formats: readonly string[]): Option =>
  new Option('--format <format>', 'output format').choices(formats).default('text');

export function parseOrder(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('the order is a positive integer.');
  return Number(value);
}
