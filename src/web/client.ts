/**
 * The page's side of the worker: sends a request, delivers only the response to the newest one.
 *
 * A computation that runs away (a huge expression, an order too high) must not leave the page
 * waiting: when a new request comes while the worker has been busy for longer than RESTART_AFTER_MS,
 * the worker is terminated and a fresh one started. Opened from disk (file://), where browsers refuse
 * workers, the same script runs in the page instead (slower to respond while typing, but it works).
 */
import type { Request, Response } from './protocol.js';

type Compute = (req: Request) => Promise<Response>;
export type Task = Request extends infer R ? (R extends Request ? Omit<R, 'id'> : never) : never;

const RESTART_AFTER_MS = 1500;

export class WorkerClient {
  private worker: Worker | undefined;
  private inPage: Promise<Compute> | undefined;
  private nextId = 1;
  private newest = 0;
  private busySince: number | undefined;

  constructor(
    private readonly url: string,
    private readonly deliver: (r: Response) => void,
    private readonly onRestart: () => void = () => {},
  ) {
    this.start();
  }

  private start(): void {
    try {
      this.worker = new Worker(this.url);
      this.worker.onmessage = (e: MessageEvent<Response>) => this.receive(e.data);
      this.worker.onerror = (e) => {
        e.preventDefault();
        this.useInPage();
      };
    } catch {
      this.useInPage();
    }
  }

  /** Runs the worker's script in the page: for file://, where workers cannot start. */
  private useInPage(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.inPage ??= new Promise<Compute>((resolve, reject) => {
      const script = document.createElement('script');
      script.src = this.url;
      script.onload = () => {
        const fn = (globalThis as { matcalcCompute?: Compute }).matcalcCompute;
        if (fn) resolve(fn);
        else reject(new Error('the computation script did not load'));
      };
      script.onerror = () => reject(new Error('the computation script did not load'));
      document.head.append(script);
    });
  }

  private receive(r: Response): void {
    if (r.id !== this.newest) return;
    this.busySince = undefined;
    this.deliver(r);
  }

  send(task: Task): number {
    const req = { ...task, id: this.nextId++ } as Request;
    this.newest = req.id;
    if (
      this.worker !== undefined &&
      this.busySince !== undefined &&
      performance.now() - this.busySince > RESTART_AFTER_MS
    ) {
      this.worker.terminate();
      this.busySince = undefined;
      this.start();
      this.onRestart();
    }
    if (this.worker !== undefined) {
      this.busySince ??= performance.now();
      this.worker.postMessage(req);
    } else {
      // Let the page paint first, then compute in it.
      void this.inPage!.then((fn) =>
        new Promise((ok) => setTimeout(ok, 0)).then(() => (req.id === this.newest ? fn(req) : undefined)),
      ).then((r) => {
        if (r) this.receive(r);
      });
    }
    return req.id;
  }
}
