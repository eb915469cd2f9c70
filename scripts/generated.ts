/**
 * The end of every docs generator: write the page, or with --check exit 1 when the committed page
 * differs from what the generator prints now.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** `script` is the generator's path, for the message that says how to regenerate the page. */
export function writeOrCheck(target: string, text: string, script: string): void {
  const name = relative(root, target);
  if (process.argv.includes('--check')) {
    if (readFileSync(target, 'utf8') !== text) {
      console.error(`${name} is out of date: run npx tsx ${script}`);
      process.exit(1);
    }
  } else {
    writeFileSync(target, text);
    console.log(`wrote ${target}`);
  }
}
