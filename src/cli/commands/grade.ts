/**
 * `matcalc grade FILE.jsonl`: a file of answers, one JSON object per line
 * ({"id", "expr", "wrt", "answer", "vars"}), graded with the homework checker; a table and a
 * summary, or one JSON document. A line that cannot be read is reported in its row, never fatal.
 */
import type { Command } from 'commander';
import { type GradeItem, type GradeRow, type GradeSummary, gradeAll } from '../../check/check.js';
import { RequestError } from '../../errors.js';
import { formatOption, readTextFile } from '../input.js';
import { out, styleFor } from '../output.js';
import { declsFromJson, errorBody } from '../protocol.js';
import { verdictText } from './check.js';

const EXAMPLES = `
Examples:
  $ matcalc grade answers.jsonl
  $ matcalc grade answers.jsonl --format json > grades.json
  $ cat answers.jsonl | matcalc grade -

Each line: {"id": "q1", "expr": "x'*A*x", "wrt": "x", "answer": "2*A*x", "vars": {"A": "matrix(n,n) symmetric"}, "order": 1}
("vars" as in the batch protocol: dimension lists such as ["k", "n"], or declarations as strings).`;

export function registerGrade(program: Command): void {
  program
    .command('grade')
    .summary('grade a JSON Lines file of answers')
    .description('Grade every answer in FILE (JSON Lines: id, expr, wrt, answer, vars) with the homework checker.')
    .argument('<file>', 'the answers; - reads stdin')
    .addOption(formatOption(['text', 'json']))
    .addHelpText('after', EXAMPLES)
    .action(async (file: string, opts: { format: 'text' | 'json' }) => {
      const { results, summary } = grade(await readTextFile(file));
      if (opts.format === 'json') await out(`${JSON.stringify({ results, summary })}\n`);
      else await out(gradeText(results, summary));
    });
}

type Parsed = { readonly item: GradeItem } | { readonly row: GradeRow };

function readItem(line: string, lineNo: number): Parsed {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return {
      row: { id: `line ${lineNo}`, ok: false, error: { kind: 'request', message: `line ${lineNo} is not JSON` } },
    };
  }
  const obj = (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : {}) as Record<string, unknown>;
  const id = typeof obj.id === 'string' || typeof obj.id === 'number' ? obj.id : `line ${lineNo}`;
  try {
    const field = (name: string): string => {
      if (typeof obj[name] !== 'string') throw new RequestError(`line ${lineNo} has no string "${name}"`);
      return obj[name] as string;
    };
    const order = obj.order;
    if (order !== undefined && (typeof order !== 'number' || !Number.isInteger(order) || order < 1))
      throw new RequestError(`line ${lineNo}: "order" must be a positive integer`);
    return {
      item: {
        id,
        expr: field('expr'),
        wrt: field('wrt'),
        answer: field('answer'),
        vars: declsFromJson(obj.vars),
        ...(order !== undefined ? { order } : {}),
      },
    };
  } catch (err) {
    return { row: { id, ok: false, error: errorBody(err) } };
  }
}

/** Grades the non-blank lines of a JSON Lines text, in order. */
function grade(text: string): { results: GradeRow[]; summary: GradeSummary } {
  const parsed: Parsed[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() !== '') parsed.push(readItem(line, i + 1));
  });
  const items = parsed.flatMap((p) => ('item' in p ? [p.item] : []));
  const graded = gradeAll(items);
  let next = 0;
  const results = parsed.map((p) => ('item' in p ? graded.results[next++]! : p.row));
  const unread = parsed.length - items.length;
  return {
    results,
    summary: { ...graded.summary, total: graded.summary.total + unread, errors: graded.summary.errors + unread },
  };
}

function gradeText(results: readonly GradeRow[], summary: GradeSummary): string {
  const s = styleFor(process.stdout);
  const ids = results.map((r) => String(r.id ?? ''));
  const w = Math.max(2, ...ids.map((i) => i.length));
  const lines = results.map((r, i) => {
    const id = ids[i]!.padEnd(w);
    if (!r.ok || r.result === undefined)
      return `${id}  ${s.red('error'.padEnd(10))}  ${r.error ? `(${r.error.kind}) ${r.error.message}` : ''}`;
    return `${id}  ${verdictText(r.result.verdict, s)}${' '.repeat(Math.max(1, 11 - r.result.verdict.length))} ${r.result.explanation}`;
  });
  lines.push(
    '',
    s.bold(
      `${summary.total} answers: ${summary.correct} correct, ${summary.transposed} transposed, ${summary.incorrect} incorrect, ${summary.errors} errors`,
    ),
  );
  return `${lines.join('\n')}\n`;
}
