/**
 * Runs PubSubClient sketches in the test process with the library's own `runSketch`, and
 * stops every one of them in `afterEach`: the loop is stopped (bounded wait for an iteration
 * in progress) and each client is disconnected, so no socket outlives its test.
 */
import { type PubSubClient, runSketch, type Sketch, type SketchHandle } from "@ternmq/pubsubclient";
import { waitUntil, withTimeout } from "../helpers/with-timeout.js";

/** Longest a stopping sketch may take to finish the loop iteration it is in. */
const stopTimeoutMs = 3000;

export class RunningSketches {
  readonly #handles = new Set<SketchHandle>();
  readonly #clients = new Set<PubSubClient>();

  /** Starts `sketch`; `clients` are disconnected when the sketch is stopped. */
  start(sketch: Sketch, clients: readonly PubSubClient[]): SketchHandle {
    const handle = runSketch(sketch);
    // A loop that throws ends `done` with the error; the test sees it through stopAll().
    this.#handles.add(handle);
    for (const client of clients) this.#clients.add(client);
    return handle;
  }

  /** Tracks a client that a test drives by hand, so that it is disconnected afterwards. */
  track(client: PubSubClient): PubSubClient {
    this.#clients.add(client);
    return client;
  }

  /** Stops every sketch and disconnects every client; rethrows the first loop error. */
  async stopAll(): Promise<void> {
    const handles = [...this.#handles];
    const clients = [...this.#clients];
    this.#handles.clear();
    this.#clients.clear();
    for (const handle of handles) handle.stop();
    const results = await Promise.allSettled(
      handles.map((handle) => withTimeout(handle.done, stopTimeoutMs, () => "a sketch to stop")),
    );
    for (const client of clients) client.disconnect();
    const failure = results.find((result) => result.status === "rejected");
    if (failure !== undefined) throw failure.reason;
  }
}

/** Collects a sketch's Serial lines and waits for one that matches. */
export class SerialLines {
  readonly lines: string[] = [];
  readonly writeLine = (line: string): void => {
    this.lines.push(line);
  };

  async waitFor(pattern: RegExp, timeoutMs: number): Promise<string> {
    await waitUntil(
      () => this.lines.some((line) => pattern.test(line)),
      timeoutMs,
      () => `a Serial line matching ${pattern}; got ${JSON.stringify(this.lines.slice(-20))}`,
    );
    return this.lines.find((line) => pattern.test(line)) ?? "";
  }

  matching(pattern: RegExp): string[] {
    return this.lines.filter((line) => pattern.test(line));
  }
}
