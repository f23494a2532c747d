import type { TransferListItem, Worker } from 'node:worker_threads';
import { CrmEtlError, type ErrorCode } from './errors.js';

/** An error as a worker thread sends it back: a CrmEtlError keeps its code. */
export interface ThreadError {
  message: string;
  stack?: string;
  code?: ErrorCode;
}

/** A worker thread's answer to call `seq`. */
export type ThreadReply<T> = { seq: number; result: T } | { seq: number; error: ThreadError };

/** `err` as a reply carries it (in the worker thread). */
export function threadError(err: unknown): ThreadError {
  const e = err instanceof Error ? err : new Error(String(err));
  return { message: e.message, ...(e.stack ? { stack: e.stack } : {}), ...(e instanceof CrmEtlError ? { code: e.code } : {}) };
}

/**
 * Calls to a worker thread that answers each message `{ seq, ...request }` with a
 * {@link ThreadReply}: a promise per call, an error in the thread rebuilt here (a CrmEtlError
 * with its code), and every call still waiting failed when the thread fails or exits.
 */
export class ThreadCalls<T> {
  private readonly waiting = new Map<number, { resolve: (v: T) => void; reject: (err: Error) => void }>();
  private seq = 0;
  private failure: Error | undefined;

  constructor(
    private readonly worker: Worker,
    private readonly name: string,
  ) {
    worker.on('message', (reply: ThreadReply<T>) => {
      const w = this.waiting.get(reply.seq);
      if (!w) return;
      this.waiting.delete(reply.seq);
      if ('error' in reply) {
        const { message, stack, code } = reply.error;
        const err = code ? new CrmEtlError(code, message) : new Error(`${name}: ${message}`);
        if (stack) err.stack = stack;
        w.reject(err);
      } else w.resolve(reply.result);
    });
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => this.fail(new Error(`the ${name} exited with code ${code}`)));
  }

  /** Sends `request` (numbered) and resolves with the thread's result. */
  call(request: object, transfer?: readonly TransferListItem[]): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const seq = this.seq++;
    const p = new Promise<T>((resolve, reject) => this.waiting.set(seq, { resolve, reject }));
    this.worker.postMessage({ ...request, seq }, transfer);
    return p;
  }

  /** Ends the thread; calls still waiting fail. */
  async close(): Promise<void> {
    this.failure ??= new Error(`the ${this.name} is closed`);
    await this.worker.terminate();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.values()) w.reject(this.failure);
    this.waiting.clear();
  }
}
