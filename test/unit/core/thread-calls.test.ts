import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { ThreadCalls } from '../../../src/core/thread-calls.js';

// A thread that doubles `n`, fails with a coded error on a negative one, and exits on zero.
const DOUBLER = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ seq, n }) => {
  if (n === 0) process.exit(3);
  if (n < 0) parentPort.postMessage({ seq, error: { message: 'negative: ' + n, code: 'INPUT_INVALID' } });
  else if (n > 1000) parentPort.postMessage({ seq, error: { message: 'too large' } });
  else setTimeout(() => parentPort.postMessage({ seq, result: n * 2 }), 100 - n);
});`;

describe('ThreadCalls', () => {
  it('answers each call with its own result, whatever order the thread answers in', async () => {
    const calls = new ThreadCalls<number>(new Worker(DOUBLER, { eval: true }), 'doubling thread');
    try {
      expect(await Promise.all([1, 50, 90].map((n) => calls.call({ n })))).toEqual([2, 100, 180]);
      await expect(calls.call({ n: -1 })).rejects.toMatchObject({ name: 'CrmEtlError', code: 'INPUT_INVALID', message: 'negative: -1' });
      await expect(calls.call({ n: 5000 })).rejects.toThrow('doubling thread: too large');
    } finally {
      await calls.close();
    }
    await expect(calls.call({ n: 1 })).rejects.toThrow('the doubling thread is closed');
  });

  it('fails every call still waiting when the thread exits', async () => {
    const calls = new ThreadCalls<number>(new Worker(DOUBLER, { eval: true }), 'doubling thread');
    const waiting = calls.call({ n: 10 });
    const exiting = calls.call({ n: 0 });
    await expect(waiting).rejects.toThrow('the doubling thread exited with code 3');
    await expect(exiting).rejects.toThrow('the doubling thread exited with code 3');
    await expect(calls.call({ n: 1 })).rejects.toThrow(/exited with code 3/);
  });
});
