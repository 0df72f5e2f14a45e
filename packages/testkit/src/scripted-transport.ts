/**
 * A scripted peer for byte-exact tests of a client: "expect these bytes, respond with
 * those". It has the synchronous pull interface of an Arduino `Client` (`connect`, `write`,
 * `available`, `read`, `connected`, `stop`, `flush`), which any code reading from a socket
 * buffer can be tested against.
 *
 * Design: the script is a queue of steps run in order. `respond` and `close` steps run as soon
 * as they reach the head of the queue (at `connect`, or right after the expectation before
 * them matched); an `expect` step waits for written bytes. Written bytes are matched as one
 * stream, whatever the write boundaries; a mismatch or a write nobody expected throws (from
 * `write`, so the test fails where the wrong bytes were produced) and is kept in `failures`.
 * Connection state: "idle" -> connect() -> "open" (or stays "idle" when `connectResult` is
 * false) -> close step / `peerClose()` / `stop()` -> "closed"; like Arduino, `connected()`
 * stays true while received bytes are unread.
 */
import { toHex } from "./hex.js";

type ScriptStep =
  | { readonly kind: "expect"; readonly bytes: Uint8Array; readonly label: string }
  | { readonly kind: "respond"; readonly bytes: Uint8Array }
  | { readonly kind: "close" };

export interface ScriptedTransportOptions {
  /** Throw on written bytes when no expectation is left (default true). */
  strict?: boolean;
}

export class ScriptedTransport {
  /** What `connect` returns (default true). */
  connectResult = true;
  /** Accept at most this many bytes per `write` (simulates a short write); default all. */
  writeLimit: number | undefined;
  /** Every `connect(host, port)` call, in order. */
  readonly connectCalls: { host: string; port: number }[] = [];
  /** Every written chunk, copied. */
  readonly writes: Uint8Array[] = [];
  /** Mismatches and unexpected writes, as messages (also thrown from `write`). */
  readonly failures: string[] = [];
  stopCalls = 0;
  flushCalls = 0;
  state: "idle" | "open" | "closed" = "idle";

  private readonly steps: ScriptStep[] = [];
  private readonly strict: boolean;
  /** Written bytes not yet matched against the head expectation. */
  private unmatched: number[] = [];
  private readonly inbound: number[] = [];
  private inboundOffset = 0;

  constructor(options: ScriptedTransportOptions = {}) {
    this.strict = options.strict ?? true;
  }

  /** The next written bytes must be exactly `bytes`. */
  expect(bytes: Uint8Array, label = ""): this {
    this.steps.push({ kind: "expect", bytes: bytes.slice(), label });
    return this;
  }

  /** Once the steps before have run, `bytes` become readable. */
  respond(bytes: Uint8Array): this {
    this.steps.push({ kind: "respond", bytes: bytes.slice() });
    this.runSteps();
    return this;
  }

  /** Once the steps before have run, the peer closes the connection. */
  close(): this {
    this.steps.push({ kind: "close" });
    this.runSteps();
    return this;
  }

  /** Makes `bytes` readable now, outside the script. */
  inject(bytes: Uint8Array): void {
    for (const byte of bytes) this.inbound.push(byte);
  }

  /** The peer closes the connection now; unread bytes stay readable. */
  peerClose(): void {
    this.state = "closed";
  }

  /** Steps not run yet (an unmet expectation included). */
  get pendingSteps(): number {
    return this.steps.length;
  }

  /** Everything written so far, as one hex string. */
  writtenHex(): string {
    const all: number[] = [];
    for (const chunk of this.writes) for (const byte of chunk) all.push(byte);
    return toHex(Uint8Array.from(all));
  }

  /** Throws unless every step ran, every written byte was expected and nothing failed. */
  assertDone(): void {
    const problems = [...this.failures];
    const head = this.steps[0];
    if (head !== undefined) {
      problems.push(
        head.kind === "expect"
          ? `still expecting ${toHex(head.bytes)} ${head.label} (got ${toHex(Uint8Array.from(this.unmatched))})`
          : `${this.steps.length} step(s) never ran`,
      );
    } else if (this.unmatched.length > 0) {
      problems.push(`unexpected bytes written: ${toHex(Uint8Array.from(this.unmatched))}`);
    }
    if (problems.length > 0) throw new Error(`ScriptedTransport: ${problems.join("; ")}`);
  }

  connect(host: string, port: number): Promise<boolean> {
    this.connectCalls.push({ host, port });
    if (!this.connectResult) return Promise.resolve(false);
    this.state = "open";
    this.runSteps();
    return Promise.resolve(true);
  }

  write(bytes: Uint8Array): number {
    if (this.state !== "open") return 0;
    const taken = bytes.subarray(0, Math.min(bytes.length, this.writeLimit ?? bytes.length));
    this.writes.push(taken.slice());
    for (const byte of taken) this.unmatched.push(byte);
    this.match();
    return taken.length;
  }

  available(): number {
    return this.inbound.length - this.inboundOffset;
  }

  read(): number;
  read(buffer: Uint8Array): number;
  read(buffer?: Uint8Array): number {
    if (buffer === undefined) {
      if (this.available() === 0) return -1;
      return this.inbound[this.inboundOffset++] ?? -1;
    }
    const count = Math.min(buffer.length, this.available());
    for (let index = 0; index < count; index++) {
      buffer[index] = this.inbound[this.inboundOffset++] ?? 0;
    }
    if (this.inboundOffset === this.inbound.length) {
      this.inbound.length = 0;
      this.inboundOffset = 0;
    }
    return count;
  }

  connected(): boolean {
    return this.state === "open" || this.available() > 0;
  }

  stop(): void {
    this.stopCalls++;
    if (this.state === "open") this.state = "closed";
    this.inbound.length = 0;
    this.inboundOffset = 0;
  }

  flush(): void {
    this.flushCalls++;
  }

  private match(): void {
    for (;;) {
      const head = this.steps[0];
      if (head?.kind !== "expect") break;
      if (this.unmatched.length < head.bytes.length) {
        // A prefix that already differs fails now, not when the rest arrives.
        if (this.unmatched.every((byte, index) => byte === head.bytes[index])) return;
      }
      const got = Uint8Array.from(this.unmatched.slice(0, head.bytes.length));
      if (toHex(got) !== toHex(head.bytes)) {
        this.fail(`expected ${toHex(head.bytes)} ${head.label}, got ${toHex(got)}`);
      }
      this.unmatched = this.unmatched.slice(head.bytes.length);
      this.steps.shift();
      this.runSteps();
    }
    if (this.strict && this.unmatched.length > 0 && this.steps.length === 0) {
      this.fail(`unexpected bytes written: ${toHex(Uint8Array.from(this.unmatched))}`);
    }
  }

  private runSteps(): void {
    if (this.state !== "open") return;
    for (;;) {
      const head = this.steps[0];
      if (head === undefined || head.kind === "expect") return;
      this.steps.shift();
      if (head.kind === "respond") this.inject(head.bytes);
      else this.peerClose();
    }
  }

  private fail(message: string): never {
    this.failures.push(message);
    this.unmatched = [];
    throw new Error(`ScriptedTransport: ${message}`);
  }
}
