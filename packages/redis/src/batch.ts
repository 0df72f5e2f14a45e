/**
 * Group commit over Redis: every write op called in one event-loop turn goes to Redis as ONE
 * call of the write script (batch-script.ts), which applies all of them atomically, at most
 * once, and settles every one of them.
 *
 * Design: `begin()` opens a batch if none is open and schedules its sending at the end of the
 * turn (setImmediate); each op pushes its code and arguments onto the batch's argument list
 * and returns either the batch's shared promise (ops that cannot fail on their own: no
 * promise per op) or, for ops with a result (a session write that may be refused, a claim
 * that returns the previous owner), a promise of its own settled from its entry of the
 * script's results. The script runs through ioredis `defineCommand`: EVALSHA, or EVAL as the
 * first call on each new socket, so a Redis that restarted (empty script cache) gets the
 * script again. Each batch carries a transaction id (random per batcher + sequence): the
 * script returns the stored results of an id it has seen instead of applying it twice, so
 * ioredis' resend of an unanswered call after a reconnect is applied once. Reads call
 * `flush()` first, which sends the open batch at once; they are sent after it on the same
 * connection, and Redis runs the commands of one connection in order, so a read sees every
 * write called before it. While Redis is unreachable calls wait in ioredis' offline queue
 * (`maxRetriesPerRequest: null`): they neither fail nor time out.
 *
 * States of one batch:
 *
 *   (none) --begin()--> open --turn ends or flush()--> sent --reply--> settled
 *                                                        |--Redis error--> rejected (all)
 */
import { randomBytes } from "node:crypto";
import type { StoreError } from "@ternmq/session";
import type { Redis } from "ioredis";
import { storeErrorFrom } from "./errors.js";

/** One argument of a write op (numbers are sent as decimal text). */
export type BatchArgument = string | Buffer | number;

/** The ioredis connection with the scripts of this package defined on it. */
export interface ScriptedRedis extends Redis {
  ternmqWrite(
    prefix: string,
    transactionId: string,
    transactionTtlMs: number,
    ops: BatchArgument[],
  ): Promise<string>;
  ternmqLoadSessionBuffer(prefix: string, clientId: string): Promise<unknown>;
  ternmqLiveNodes(prefix: string): Promise<string[]>;
}

/** Settles one op from its entry of the script's results. */
type ResultHandler = (result: unknown) => void;
type FailureHandler = (error: StoreError) => void;

interface OpenBatch {
  readonly args: BatchArgument[];
  readonly onResult: ResultHandler[];
  readonly onFailure: FailureHandler[];
  shared: { promise: Promise<void>; resolve: () => void; reject: FailureHandler } | undefined;
  readonly immediate: NodeJS.Immediate;
}

export class WriteBatcher {
  private batch: OpenBatch | undefined;
  private readonly batcherId = randomBytes(9).toString("base64url");
  private sequence = 0;
  /** Settles (never rejects) once every batch sent so far is answered. */
  private lastSent: Promise<void> = Promise.resolve();
  private readonly sendNow = () => this.flush();

  constructor(
    private readonly redis: ScriptedRedis,
    private readonly prefix: string,
    private readonly transactionTtlMs: number,
    /** Names the Redis in error messages. */
    private readonly where: string,
  ) {}

  /**
   * The open batch's argument list, to push one op onto (opens a batch if none is open).
   * Push the op completely before calling `shared()` or `result()`.
   */
  begin(): BatchArgument[] {
    if (this.batch === undefined) {
      this.batch = {
        args: [],
        onResult: [],
        onFailure: [],
        shared: undefined,
        immediate: setImmediate(this.sendNow),
      };
    }
    return this.batch.args;
  }

  /** The promise shared by the ops of the open batch that have no result of their own. */
  shared(): Promise<void> {
    const batch = this.openBatch();
    if (batch.shared === undefined) {
      let resolve: () => void = noop;
      let reject: FailureHandler = noop;
      const promise = new Promise<void>((resolvePromise, rejectPromise) => {
        resolve = resolvePromise;
        reject = rejectPromise;
      });
      batch.shared = { promise, resolve, reject };
    }
    return batch.shared.promise;
  }

  /**
   * A promise for the result of the op just pushed (one entry of the script's results).
   * `settle` turns the entry into the value, or throws the StoreError to reject with.
   */
  result<Value>(settle: (result: unknown) => Value): Promise<Value> {
    const batch = this.openBatch();
    return new Promise<Value>((resolve, reject) => {
      batch.onResult.push((result) => {
        try {
          resolve(settle(result));
        } catch (error) {
          reject(error);
        }
      });
      batch.onFailure.push(reject);
    });
  }

  /** Sends the open batch now (reads call this first), if there is one. */
  flush(): void {
    const batch = this.batch;
    if (batch === undefined) return;
    this.batch = undefined;
    clearImmediate(batch.immediate);
    const transactionId = `${this.batcherId}:${this.sequence++}`;
    const reply = this.redis.ternmqWrite(
      this.prefix,
      transactionId,
      this.transactionTtlMs,
      batch.args,
    );
    const settled = reply.then(
      (encoded) => settleBatch(batch, encoded),
      (error: unknown) => failBatch(batch, storeErrorFrom(this.where, "writing a batch", error)),
    );
    this.lastSent = settled;
  }

  /** Sends the open batch and waits until every batch sent so far is answered. */
  async idle(): Promise<void> {
    this.flush();
    await this.lastSent;
  }

  private openBatch(): OpenBatch {
    if (this.batch === undefined) throw new Error("WriteBatcher: no open batch (call begin())");
    return this.batch;
  }
}

function settleBatch(batch: OpenBatch, encoded: string): void {
  let results: unknown;
  try {
    results = JSON.parse(encoded);
  } catch (error) {
    failBatch(batch, storeErrorFrom("redis", "reading the results of a batch", error));
    return;
  }
  // cjson encodes an empty Lua table as {}: no op of the batch had a result.
  const list = Array.isArray(results) ? results : [];
  for (const [index, onResult] of batch.onResult.entries()) onResult(list[index]);
  batch.shared?.resolve();
}

function failBatch(batch: OpenBatch, error: StoreError): void {
  for (const onFailure of batch.onFailure) onFailure(error);
  batch.shared?.reject(error);
}

function noop(): void {}
