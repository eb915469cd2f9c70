/**
 * The playground's Web Worker: receives Requests from the page, answers each with compute().
 *
 * Requests that queue up while a long one runs are not all worked through: only the newest is, since
 * the page shows only the answer to its latest request. When the page is opened from disk (file://),
 * Chromium refuses to start workers; the page then loads this same script with a <script> tag, and it
 * offers compute() on `globalThis.matcalcCompute` instead (client.ts).
 */
import { compute } from './compute.js';
import type { Request, Response } from './protocol.js';

interface WorkerScope {
  onmessage: ((e: MessageEvent<Request>) => void) | null;
  postMessage(r: Response): void;
}

declare const WorkerGlobalScope: unknown;

if (typeof WorkerGlobalScope !== 'undefined') {
  const scope = self as unknown as WorkerScope;
  let newest: Request | undefined;
  let scheduled = false;
  const run = async (): Promise<void> => {
    scheduled = false;
    const req = newest;
    newest = undefined;
    if (req !== undefined) scope.postMessage(await compute(req));
  };
  scope.onmessage = (e) => {
    newest = e.data;
    if (!scheduled) {
      scheduled = true;
      setTimeout(() => void run(), 0);
    }
  };
} else {
  (globalThis as { matcalcCompute?: typeof compute }).matcalcCompute = compute;
}
