/**
 * Worker-thread entry of DecryptThread (decrypt-thread.ts): decrypts the stored values it is
 * sent, each under its column, and hands them back in clear.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CrmEtlError } from '../core/errors.js';
import { type CipherSpec, FieldCipher } from '../security/field-cipher.js';
import type { DecryptReply, DecryptRequest } from './decrypt-thread.js';

const cipher = FieldCipher.fromSpec(workerData as CipherSpec);

parentPort!.on('message', (msg: DecryptRequest) => {
  let reply: DecryptReply;
  try {
    const values = msg.values;
    for (let i = 0; i < values.length; i++) values[i] = cipher.decrypt(msg.columns[msg.column[i]!]!, values[i]!);
    reply = { seq: msg.seq, values };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    reply = { seq: msg.seq, error: { message: e.message, ...(e.stack ? { stack: e.stack } : {}), ...(e instanceof CrmEtlError ? { code: e.code } : {}) } };
  }
  parentPort!.postMessage(reply);
});
