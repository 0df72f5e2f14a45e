/**
 * Runs an Arduino sketch: `setup()` once, then `loop()` again and again.
 *
 * Design: Node cannot spin in `loop()` like a board, so each call is followed by a
 * `setImmediate` turn (sockets, timers and other sketches run in between); a loop that
 * returns a Promise (e.g. `await delay(1000)` inside it) is awaited before the next call.
 * State: "running" until `stop()` is called or setup/loop throws, then "stopped".
 */

/** An Arduino sketch. Either function may be async. */
export interface Sketch {
  setup(): void | Promise<void>;
  loop(): void | Promise<void>;
}

/** The handle `runSketch` returns. */
export interface SketchHandle {
  /** No further `loop()` call starts (a running async one finishes). */
  stop(): void;
  /** Settles once the sketch has stopped: resolves after `stop()`, rejects if setup/loop threw. */
  readonly done: Promise<void>;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Starts `sketch`: setup once (awaited if async), then loop repeatedly without starving I/O. */
export function runSketch(sketch: Sketch): SketchHandle {
  let state: "running" | "stopped" = "running";
  const run = async (): Promise<void> => {
    await sketch.setup();
    while (state === "running") {
      await sketch.loop();
      await nextTurn();
    }
  };
  const done = run().finally(() => {
    state = "stopped";
  });
  return {
    stop: () => {
      state = "stopped";
    },
    done,
  };
}
