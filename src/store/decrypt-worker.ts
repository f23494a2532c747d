/**
 * Worker-thread entry of DecryptThread (decrypt-thread.ts): decrypts the stored values it is
 * sent, each under its column, and hands them back in clear.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type ThreadReply, threadError } from '../core/thread-calls.js';
import { type CipherSpec, FieldCipher } from '../security/field-cipher.js';
import type { DecryptRequest } from './decrypt-thread.js';

const cipher = FieldCipher.fromSpec(workerData as CipherSpec);

parentPort!.on('message', (msg: DecryptRequest & { seq: number }) => {
  let reply: ThreadReply<string[]>;
  try {
    const values = msg.values;
    for (let i = 0; i < values.length; i++) values[i] = cipher.decrypt(msg.columns[msg.column[i]!]!, values[i]!);
    reply = { seq: msg.seq, result: values };
  } catch (err) {
    reply = { seq: msg.seq, error: threadError(err) };
  }
  parentPort!.postMessage(reply);
});
