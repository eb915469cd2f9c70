/**
 * `matcalc batch [FILE|-]`: the JSON Lines protocol (src/cli/protocol.ts) over a file or stdin.
 *
 * Exactly one response line per request, in order, each written as soon as it is computed (so a
 * client may keep one process open and wait for each answer); blank lines are not requests and are
 * skipped without an answer. Output backpressure is respected: a full stdout pauses the loop.
 * No line stops the batch; the exit code is 0 unless the input cannot be read.
 */
import { createReadStream } from 'node:fs';
import type { Command } from 'commander';
import { cannotRead } from '../input.js';
import { out } from '../output.js';
import { answerLine } from '../protocol.js';

const EXAMPLES = `
Examples:
  $ matcalc batch requests.jsonl > answers.jsonl
  $ echo '{"id": 1, "task": "diff", "expr": "x'"'"'*A*x", "wrt": "x"}' | matcalc batch
  $ echo '{"id": 2, "task": "eval", "expr": "sum(x)", "at": {"x": [1, 2]}}' | matcalc batch -

Requests:  {"id", "task": "diff"|"eval"|"check"|"backprop"|"codegen", "expr", "wrt", "vars": {"W": ["k","n"], "x": ["n"]},
            "order", "layout", "at": {"x": [1, 2]}, "answer", "check": true, "target": "numpy"}
Responses: {"id", "ok": true, "expression", "latex", "shape", "kind", "value", "ms"}   (diff)
           {"id", "ok": true, "value", "shape"}                                      (eval)
           {"id", "ok": true, "verdict", "explanation", ...}                          (check)
           {"id", "ok": true, "code", "function", "target", "parameters"}             (codegen)
           {"id", "ok": false, "error": {"kind", "message"}}                          (any error)
One line out per request, in order; blank lines are skipped; a line that is not JSON answers
with "id": null. See docs/cli.md for the full protocol.`;

export function registerBatch(program: Command): void {
  program
    .command('batch')
    .summary('answer JSON Lines requests (diff, eval, check, backprop, codegen), one line out per line in')
    .description(
      'Read JSON Lines requests from FILE (or stdin) and write one JSON response line per request, in order.',
    )
    .argument('[file]', 'the requests; - or nothing reads stdin', '-')
    .addHelpText('after', EXAMPLES)
    .action(async (file: string) => {
      const { createInterface } = await import('node:readline'); // only batch reads lines
      const input = file === '-' ? process.stdin : createReadStream(file);
      try {
        for await (const line of createInterface({ input, crlfDelay: Infinity })) {
          if (line.trim() !== '') await out(`${JSON.stringify(answerLine(line))}\n`);
        }
      } catch (err) {
        // answerLine never throws: this is the input failing (a missing file, a directory, …).
        throw cannotRead(file === '-' ? 'stdin' : file, err);
      }
    });
}
