/**
 * Lets at most `limit` GETs onto an origin's sockets at once, the rest wait
 * in a bounded queue. It exists so the companion knows which GETs the store
 * actually received: a GET that times out or is aborted while it waits here
 * was never sent, and is reported as such (`notSent`) instead of being
 * counted (and billed) as a Class B operation. undici's own queue cannot tell.
 */
export class NotSentError extends Error {
  override readonly name = 'NotSentError';
  readonly notSent = true;
}

export class SendGate {
  #active = 0;
  readonly #waiting: Array<{ resolve: () => void; reject: (error: unknown) => void; signal: AbortSignal | undefined; onAbort: () => void }> = [];

  constructor(
    readonly limit: number,
    readonly maxQueued: number,
  ) {}

  get active(): number {
    return this.#active;
  }

  get queued(): number {
    return this.#waiting.length;
  }

  /** Resolves with a release function once a slot is free; rejects NotSentError on abort or a full queue. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw new NotSentError('The GET was aborted before it was sent.', { cause: signal.reason });
    if (this.#active < this.limit) {
      this.#active += 1;
      return this.#releaser();
    }
    if (this.#waiting.length >= this.maxQueued) throw new NotSentError(`${this.#waiting.length} GETs already wait for a connection.`);
    await new Promise<void>((resolve, reject) => {
      const entry = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const at = this.#waiting.indexOf(entry);
          if (at >= 0) this.#waiting.splice(at, 1);
          reject(new NotSentError('The GET timed out or was aborted while waiting for a connection.', { cause: signal?.reason }));
        },
      };
      signal?.addEventListener('abort', entry.onAbort, { once: true });
      this.#waiting.push(entry);
    });
    return this.#releaser();
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) {
        next.signal?.removeEventListener('abort', next.onAbort);
        next.resolve(); // the slot passes straight to the next GET
      } else this.#active -= 1;
    };
  }
}
