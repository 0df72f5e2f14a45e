/**
 * What every example module exports: a factory that takes where the broker is and where the
 * sketch's Serial output goes, and returns the sketch (setup/loop) plus the objects a test
 * wants to look at. `run.ts` calls the factory with the command-line flags and `console.log`.
 */
import type { Sketch } from "@ternmq/pubsubclient";
import type { LineWriter } from "./serial.js";

export interface ExampleOptions {
  /** Broker host name or IP (the sketch's `server`). */
  readonly host: string;
  /** Broker TCP port (1883 on the command line unless `--port` says otherwise). */
  readonly port: number;
  /** Receives each line the sketch prints with Serial.println. */
  readonly writeLine: LineWriter;
}

/** An Arduino-style sketch as `runSketch` runs it. */
export interface ExampleSketch extends Sketch {
  /** Called by run.ts on SIGINT/SIGTERM before exiting (a clean goodbye, where one exists). */
  shutdown?(): void;
}
