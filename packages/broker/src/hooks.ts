/**
 * Calling the BrokerHooks with a synchronous fast path.
 *
 * Design: each call returns a plain value when there is no hook or the hook answered
 * synchronously, and a Promise only when the hook returned one; the connection then waits
 * for it before reading the client's next packet, so the order of a client's packets is
 * kept. A hook that throws or rejects, or answers something out of range, is logged and
 * treated as a refusal (authenticate: CONNACK 5; publish: dropped; subscribe: 0x80):
 * failing closed is the safe side of an authorization hook.
 */
import type { QoS } from "@ternmq/codec";
import type { Logger } from "pino";
import type { BrokerHooks, ClientInfo } from "./types.js";

export type MaybePromise<T> = T | Promise<T>;

export const SUBACK_FAILURE = 0x80;

export type ConnackCode = 0 | 4 | 5;

function isThenable<T>(value: MaybePromise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | undefined)?.then === "function";
}

/** Runs `call`; a plain answer is checked with `check`, a Promise is chained to it. */
function run<T, R>(
  name: string,
  logger: Logger,
  call: () => MaybePromise<T>,
  check: (value: T) => R,
  refused: R,
): MaybePromise<R> {
  const failed = (error: unknown): R => {
    logger.error({ err: error, hook: name }, "broker hook failed; refusing");
    return refused;
  };
  let result: MaybePromise<T>;
  try {
    result = call();
  } catch (error) {
    return failed(error);
  }
  if (isThenable(result)) return Promise.resolve(result).then(check, failed);
  return check(result);
}

export class Hooks {
  constructor(
    private readonly hooks: BrokerHooks,
    private readonly logger: Logger,
  ) {}

  /** CONNACK return code for a CONNECT; 0 without a hook. */
  authenticate(
    client: ClientInfo,
    username: string | undefined,
    password: Uint8Array | undefined,
  ): MaybePromise<ConnackCode> {
    const hook = this.hooks.authenticate;
    if (hook === undefined) return 0;
    return run(
      "authenticate",
      this.logger,
      () => hook.call(this.hooks, client, username, password),
      (code) => (code === 0 || code === 4 || code === 5 ? code : 5),
      5,
    );
  }

  /** Whether `client` may publish on `topic`; true without a hook. */
  authorizePublish(
    client: ClientInfo,
    topic: string,
    message: { qos: QoS; retain: boolean },
  ): MaybePromise<boolean> {
    const hook = this.hooks.authorizePublish;
    if (hook === undefined) return true;
    return run(
      "authorizePublish",
      this.logger,
      () => hook.call(this.hooks, client, topic, message),
      (allowed) => allowed === true,
      false,
    );
  }

  /** Granted QoS (never above `requested`) or 0x80; `requested` without a hook. */
  authorizeSubscribe(
    client: ClientInfo,
    topicFilter: string,
    requested: QoS,
  ): MaybePromise<QoS | typeof SUBACK_FAILURE> {
    const hook = this.hooks.authorizeSubscribe;
    if (hook === undefined) return requested;
    return run(
      "authorizeSubscribe",
      this.logger,
      () => hook.call(this.hooks, client, topicFilter, requested),
      (granted): QoS | typeof SUBACK_FAILURE =>
        granted === 0 || granted === 1 || granted === 2
          ? (Math.min(granted, requested) as QoS)
          : SUBACK_FAILURE,
      SUBACK_FAILURE,
    );
  }
}
