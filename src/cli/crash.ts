/**
 * What the installed `matcalc` binary prints when an error escapes the CLI (a bug: main.ts turns
 * every error it sees into one line and an exit code). Node's default report quotes the source line
 * of the throw, and one line of the minified bundle (dist/cli.cjs) runs to tens of kB; its stack
 * names minified functions at bundle columns. Instead: the error in the CLI's one-line format, exit
 * code 3 (internal), and the stack with each bundle position translated to src/ through
 * dist/cli.cjs.map. The map is read only here, after a crash, so start-up does not pay for it.
 */
import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapping } from 'node:module';
import { dirname, resolve } from 'node:path';

const INTERNAL_EXIT = 3; // EXIT.internal in output.ts, which lives in the bundle, not the launcher

/**
 * Reports uncaught exceptions (and unhandled rejections, which Node raises as such) of the bundle
 * `file`, run as a script whose first line is shifted right by `firstLineOffset` columns (the
 * CommonJS wrapper that Module.wrap puts in front of it).
 */
export function reportCrashes(file: string, firstLineOffset: number): void {
  process.on('uncaughtException', (err) => {
    const message = err instanceof Error ? err.message : String(err);
    let frames = '';
    try {
      frames = err instanceof Error && err.stack !== undefined ? mappedFrames(err.stack, file, firstLineOffset) : '';
    } catch {
      frames = ''; // no map, or an unreadable one: the message alone
    }
    process.stderr.write(
      `matcalc: error (internal): ${message.split('\n')[0]} (this is a bug in matcalc; please report it with the command that caused it)\n${frames}`,
    );
    process.exit(INTERNAL_EXIT);
  });
}

/**
 * The `at …` lines of a V8 stack; a frame in `file` becomes `at <source>:<line>:<column>` (the
 * bundle's minified function names would only mislead), other frames stay as they are.
 */
function mappedFrames(stack: string, file: string, firstLineOffset: number): string {
  let map: SourceMap | undefined;
  const inBundle = new RegExp(`${escapeRegExp(file)}:(\\d+):(\\d+)`);
  const frames = stack.split('\n').filter((line) => /^\s+at /.test(line));
  const mapped = frames.map((frame) => {
    const at = inBundle.exec(frame);
    if (at === null) return frame;
    map ??= new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
    const lineIndex = Number(at[1]) - 1;
    const columnIndex = Number(at[2]) - 1 - (lineIndex === 0 ? firstLineOffset : 0);
    const entry: Partial<SourceMapping> = map.findEntry(lineIndex, columnIndex); // {} when nothing maps there
    if (entry.originalSource === undefined || entry.originalLine === undefined || entry.originalColumn === undefined) {
      return frame;
    }
    const source = resolve(dirname(file), entry.originalSource);
    return `    at ${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
  return mapped.map((line) => `${line}\n`).join('');
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
