/**
 * `matcalc web [--port N]`: serves the web playground (dist/web, built by `npm run build`) on
 * 127.0.0.1 and prints its address. The page computes everything in the browser; the server only
 * hands out its files. The server module (node:http) is loaded when this command runs, not before.
 */
import { type Command, InvalidArgumentError } from 'commander';

export const DEFAULT_PORT = 8357;

const EXAMPLES = `
Examples:
  $ matcalc web                  # http://127.0.0.1:${DEFAULT_PORT}/
  $ matcalc web --port 0         # any free port

The page runs entirely in the browser (a Web Worker computes, KaTeX renders) and makes no network
request; its state is in the address, so a result is a link:
  http://127.0.0.1:${DEFAULT_PORT}/#expr=x'*A*x&wrt=x
Any static host can serve the same folder (dist/web). Stop the server with Ctrl-C.`;

function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535)
    throw new InvalidArgumentError('give a port number from 0 to 65535 (0 takes any free port).');
  return n;
}

export function registerWeb(program: Command): void {
  program
    .command('web')
    .summary('serve the web playground on 127.0.0.1')
    .description(
      'Serve the web playground (the built folder dist/web) on 127.0.0.1 and print its address. Everything is computed in the browser.',
    )
    .option('--port <n>', 'the port to listen on (0: any free port)', parsePort, DEFAULT_PORT)
    .addHelpText('after', EXAMPLES)
    .action(async (opts: { port: number }) => {
      const { serve, webRoot } = await import('../serve.js');
      const served = await serve(webRoot(), opts.port);
      process.stdout.write(`matcalc playground: ${served.url}\n(serving ${webRoot()}; Ctrl-C stops it)\n`);
      await new Promise<void>((done) => {
        const stop = () => void served.close().then(done);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
