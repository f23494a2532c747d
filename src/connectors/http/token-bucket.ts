import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A token bucket: `ratePerSecond` tokens a second, at most `capacity` kept. Each request takes
 * one token, waiting for it when the bucket is empty, so N requests from a full bucket take at
 * least (N - capacity) / ratePerSecond seconds. Callers are served in order.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly ratePerSecond: number,
    private readonly capacity: number = 1,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(ratePerSecond > 0) || !(capacity >= 1)) throw new RangeError('a token bucket needs rate > 0 and capacity >= 1');
    this.tokens = capacity;
    this.last = now();
  }

  /** Resolves when a token is taken. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.takeOne());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / 1000) * this.ratePerSecond);
    this.last = t;
  }

  private async takeOne(): Promise<void> {
    this.refill();
    // Timers may fire a hair early, so wait again until the token is really there: each wait
    // is at least 1 ms and the deficit shrinks with time, so the loop ends.
    while (this.tokens < 1) {
      await sleep(Math.max(1, Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000)));
      this.refill();
    }
    this.tokens -= 1;
  }
}
