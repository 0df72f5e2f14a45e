/**
 * The process facilities a command uses, passed in rather than taken from `process`, so that
 * main.ts is the only module that touches the real process.
 */
export interface CommandIo {
  readonly stdin: AsyncIterable<Uint8Array>;
  readonly stdout: { write(chunk: Uint8Array | string): unknown };
  readonly stderr: { write(chunk: string): unknown };
  /** Where SIGINT / SIGTERM handlers are registered (the process). */
  readonly signals: {
    once(signal: "SIGINT" | "SIGTERM", handler: () => void): unknown;
    off(signal: "SIGINT" | "SIGTERM", handler: () => void): unknown;
  };
}

/** `-d`: writes one debug line on stderr per connection step; a no-op without `-d`. */
export type DebugLog = (line: string) => void;

export function createDebugLog(enabled: boolean, io: CommandIo, clientId: string): DebugLog {
  if (!enabled) return () => {};
  const name = clientId === "" ? "(broker-assigned id)" : clientId;
  return (line) => {
    io.stderr.write(`Client ${name} ${line}\n`);
  };
}
