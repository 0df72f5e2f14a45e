/**
 * A real `redis-server` (Debian's package, installed by .ci/run) on an OS-assigned port, for
 * the tests and benchmarks of the Redis store and the cluster.
 *
 * Usage:
 *   let redis: RunningRedis;
 *   beforeAll(async () => { redis = await startRedisServer(); });
 *   afterAll(() => redis.close());
 *
 * Design: redis-server runs in the foreground as our child (not `--daemonize`), so killing it
 * needs no pid file and a test runner that dies takes it along. Redis cannot report a port it
 * picked itself (`--port 0` turns TCP off), so a free port is found by binding a throwaway
 * server to port 0 and closing it; a collision fails the start readably and never hangs.
 * `kill()` and `start()` again on the same port and folder are the "Redis restart" of the
 * cluster tests; with `appendOnly` the data survives it, as in production. Every server
 * started here is also killed when the process exits.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const redisServerBinary = "redis-server";

export interface RedisServerOptions {
  /**
   * Keep an append-only file with `appendfsync always` in the server's folder, so that the
   * data survives `kill()` + `start()`. Default false: nothing is written to disk.
   */
  readonly appendOnly?: boolean;
  /** Bound of the wait for the server to accept connections; default 10 s. */
  readonly startTimeoutMs?: number;
}

export interface RunningRedis {
  readonly port: number;
  /** `redis://127.0.0.1:PORT`. */
  readonly url: string;
  /** Whether the server process is running now. */
  readonly running: boolean;
  /** What the server has logged so far (for failure messages). */
  log(): string;
  /** SIGKILLs the server (if running) and waits for it to exit; the folder stays. */
  kill(): Promise<void>;
  /**
   * SIGSTOPs the server: connections stay open but nothing is answered until `resume()`
   * (a Redis that hangs, or a request caught in flight).
   */
  pause(): void;
  /** SIGCONTs a paused server. */
  resume(): void;
  /** Starts the server again on the same port and folder (after `kill()`). */
  start(): Promise<void>;
  /** Kills the server and removes its folder. Idempotent. */
  close(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** Starts redis-server on 127.0.0.1 on a free port, in a new temporary folder. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RunningRedis> {
  const port = await findFreePort();
  const folder = await mkdtemp(join(tmpdir(), "ternmq-redis-"));
  const server = new RedisServerProcess(port, folder, options);
  try {
    await server.start();
  } catch (error) {
    await server.close();
    throw error;
  }
  return server;
}

class RedisServerProcess implements RunningRedis {
  readonly url: string;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #log = "";
  #closed = false;

  constructor(
    readonly port: number,
    private readonly folder: string,
    private readonly options: RedisServerOptions,
  ) {
    this.url = `redis://127.0.0.1:${port}`;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  log(): string {
    return this.#log;
  }

  async start(): Promise<void> {
    if (this.#closed) throw new Error("redis-server: start() after close()");
    if (this.#child !== undefined) return;
    const persistence = this.options.appendOnly
      ? ["--appendonly", "yes", "--appendfsync", "always"]
      : ["--appendonly", "no"];
    const args = [
      ...["--port", String(this.port), "--bind", "127.0.0.1", "--save", ""],
      ...persistence,
      ...["--dir", this.folder, "--daemonize", "no", "--loglevel", "warning"],
    ];
    const child = spawn(redisServerBinary, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.#child = child;
    running.add(child);
    const keep = (chunk: Buffer): void => {
      this.#log += chunk.toString("utf8");
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    this.#exited = new Promise((resolve) => {
      child.once("exit", () => {
        running.delete(child);
        if (this.#child === child) this.#child = undefined;
        resolve();
      });
    });
    child.once("error", (error) => {
      this.#log += `spawn failed: ${error.message}\n`;
    });
    await this.#waitForAccept(this.options.startTimeoutMs ?? 10_000);
  }

  async kill(): Promise<void> {
    this.resume(); // a stopped process would not exit before SIGCONT
    this.#child?.kill("SIGKILL");
    await this.#exited;
  }

  pause(): void {
    this.#child?.kill("SIGSTOP");
  }

  resume(): void {
    this.#child?.kill("SIGCONT");
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.kill();
    await rm(this.folder, { recursive: true, force: true });
  }

  /** Waits until a TCP connection succeeds and a PING gets its PONG. */
  async #waitForAccept(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.#child === undefined) {
        throw new Error(`redis-server exited during start on port ${this.port}:\n${this.#log}`);
      }
      if (await pings(this.port)) return;
      if (Date.now() > deadline) {
        throw new Error(
          `redis-server not ready on port ${this.port} in ${timeoutMs} ms:\n${this.#log}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/** Whether a server on `port` answers PING with PONG (a loading Redis answers -LOADING). */
function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: "127.0.0.1", port });
    let reply = "";
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      reply += chunk.toString("latin1");
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG"));
    });
  });
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
