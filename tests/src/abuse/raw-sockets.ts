/**
 * Raw TCP sockets of the attackers in the abuse tests: each one records whether the broker
 * closed it and what it sent back, and `destroyAll()` (call it in afterEach) ends every one.
 */
import { type Socket, connect as tcpConnect } from "node:net";
import { withTimeout } from "../helpers/with-timeout.js";

export interface RawSocket {
  readonly socket: Socket;
  /** Settles when the socket has closed (the broker closed it, or a reset). */
  readonly closed: Promise<void>;
  isClosed(): boolean;
  /** Bytes received from the broker so far. */
  received(): number;
}

export class RawSockets {
  readonly #sockets = new Set<Socket>();

  /**
   * Opens a connection to 127.0.0.1:`port`, from `localAddress` when given (any 127.x.y.z
   * works on Linux: a second "source address" for per-address limits). Resolves once
   * connected, or when the broker closed it before (a refused connection is a result too).
   */
  open(port: number, localAddress?: string): Promise<RawSocket> {
    const socket = tcpConnect({
      port,
      host: "127.0.0.1",
      ...(localAddress === undefined ? {} : { localAddress }),
    });
    this.#sockets.add(socket);
    let receivedBytes = 0;
    let isClosed = false;
    socket.on("data", (chunk: Buffer) => {
      receivedBytes += chunk.length;
    });
    socket.on("error", () => {}); // resets are expected: the broker closes attackers
    const closed = new Promise<void>((resolve) => {
      socket.once("close", () => {
        isClosed = true;
        this.#sockets.delete(socket);
        resolve();
      });
    });
    const raw: RawSocket = {
      socket,
      closed,
      isClosed: () => isClosed,
      received: () => receivedBytes,
    };
    return new Promise((resolve) => {
      socket.once("connect", () => resolve(raw));
      void closed.then(() => resolve(raw));
    });
  }

  /** Waits until every socket in `sockets` is closed; fails after `timeoutMs`, naming how many are open. */
  async allClosed(sockets: readonly RawSocket[], timeoutMs: number): Promise<void> {
    await withTimeout(
      Promise.all(sockets.map((raw) => raw.closed)),
      timeoutMs,
      () =>
        `${sockets.filter((raw) => !raw.isClosed()).length} of ${sockets.length} sockets still open`,
    );
  }

  destroyAll(): void {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }
}
