/**
 * The examples' stand-in for Arduino's `Serial`: `print` appends to the current line and
 * `println` ends it, so that a sketch's `Serial.print(...)` calls port one for one. Each
 * finished line goes to `writeLine` (the console when run from the command line, a list that
 * a test inspects when run in-process).
 */
export interface Serial {
  print(value: string | number): void;
  println(value?: string | number): void;
}

/** A line sink: `console.log` for the CLI, an array push for tests. */
export type LineWriter = (line: string) => void;

export function createSerial(writeLine: LineWriter): Serial {
  let pending = "";
  return {
    print(value) {
      pending += String(value);
    },
    println(value = "") {
      writeLine(pending + String(value));
      pending = "";
    },
  };
}
