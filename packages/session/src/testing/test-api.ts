/**
 * The test-runner surface the conformance suites need, as structural types, so that
 * `@ternmq/session/testing` has no run-time dependency on a test runner: pass vitest's (or
 * jest's, or an adapter over `node:test`) `describe`, `it`, `beforeEach`, `afterEach` and
 * `expect`.
 */
import { MqttError } from "@ternmq/codec";

/** The assertions the suites use. */
export interface ConformanceMatchers {
  toBe(expected: unknown): void;
  toStrictEqual(expected: unknown): void;
}

/** Test functions of the host runner (vitest's fit as they are). */
export interface ConformanceTestApi {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => Promise<void>): void;
  beforeEach(hook: () => Promise<void>): void;
  afterEach(hook: () => Promise<void>): void;
  expect(actual: unknown): ConformanceMatchers;
}

/** Optional capabilities of the store under test. */
export interface ConformanceOptions<Store> {
  /**
   * For a store whose data outlives the store object (a file, a Redis database): opens the
   * same data again. Called with a store the suite has just closed; the suite closes the
   * returned one after the test.
   */
  reopen?: (closed: Store) => Store | Promise<Store>;
}

/** Asserts that `promise` rejects with a TernMQ error of `code`. */
export async function expectRejection(
  expect: ConformanceTestApi["expect"],
  promise: Promise<unknown>,
  code: string,
): Promise<void> {
  const outcome = await promise.then(
    () => ({ rejected: false, ternmqError: false, code: undefined }),
    (error: unknown) => ({
      rejected: true,
      ternmqError: MqttError.isInstance(error),
      code: MqttError.isInstance(error) ? error.code : undefined,
    }),
  );
  expect(outcome).toStrictEqual({ rejected: true, ternmqError: true, code });
}

/** Every value of an async iterable, in order. */
export async function collect<Value>(values: AsyncIterable<Value>): Promise<Value[]> {
  const result: Value[] = [];
  for await (const value of values) result.push(value);
  return result;
}

/**
 * `value` in a form where two stores' outputs compare equal exactly when they hold the same
 * data: any `Uint8Array` view (a Node `Buffer`, a subarray) becomes the string
 * `"Uint8Array[<length>] <hex>"` of its bytes (a test runner compares a 256 KiB payload as one
 * string in microseconds, element by element in seconds), and object keys whose value is `undefined` are dropped (the contract allows a
 * store to return such optional fields absent). Everything else is kept as is, so a number
 * stored as a string or an invented default still fails a strict comparison.
 */
export function comparable(value: unknown): unknown {
  if (value instanceof Uint8Array) return `Uint8Array[${value.length}] ${hexOf(value)}`;
  if (Array.isArray(value)) return value.map(comparable);
  if (typeof value === "object" && value !== null) {
    const result: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) {
      if (field !== undefined) result[key] = comparable(field);
    }
    return result;
  }
  return value;
}

const HEX_DIGITS = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

function hexOf(bytes: Uint8Array): string {
  const digits: string[] = new Array(bytes.length);
  for (let index = 0; index < bytes.length; index++) {
    digits[index] = HEX_DIGITS[bytes[index] ?? 0] ?? "";
  }
  return digits.join("");
}
