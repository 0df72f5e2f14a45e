/**
 * A raw-socket MQTT 3.1.1 client of the load generator: TCP, one CONNECT, then frames handed to
 * a handler. Replies written while one chunk is handled leave in one system call (the socket
 * is corked for the duration of the chunk).
 */
import { connect as netConnect, type Socket } from "node:net";
import { CONNACK, encodeConnect, FrameCutter, type FrameHandler } from "./wire.js";

/** Where the broker listens. */
export interface Target {
  readonly host: string;
  readonly port: number;
}

export interface RawClient {
  readonly socket: Socket;
  /** Replaces the handler of the frames that follow the CONNACK. */
  onFrame: FrameHandler;
  /** Called after each chunk's frames are handled (outside the cork). */
  afterChunk: () => void;
}

const ignoreFrame: FrameHandler = () => undefined;
const nothing = (): void => undefined;

/** Connects and sends CONNECT (keepalive 0); resolves after a CONNACK that accepts it. */
export function connectClient(target: Target, clientId: string, clean = true): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ port: target.port, host: target.host, noDelay: true });
    const client: RawClient = { socket, onFrame: ignoreFrame, afterChunk: nothing };
    let connected = false;
    const cutter = new FrameCutter((firstByte, data, start, end) => {
      if (connected) {
        client.onFrame(firstByte, data, start, end);
      } else if (firstByte >> 4 === CONNACK) {
        const returnCode = data[start + 1];
        if (returnCode !== 0) {
          socket.destroy();
          reject(new Error(`${clientId}: CONNACK return code ${returnCode}`));
          return;
        }
        connected = true;
        socket.off("error", reject);
        socket.on("error", () => undefined);
        resolve(client);
      }
    });
    socket.on("data", (chunk: Buffer) => {
      socket.cork();
      cutter.push(chunk);
      socket.uncork();
      client.afterChunk();
    });
    socket.once("error", reject);
    socket.once("close", () => {
      if (!connected) reject(new Error(`${clientId}: closed before CONNACK`));
    });
    socket.write(encodeConnect(clientId, clean));
  });
}

/** Connects `count` clients, at most `concurrency` handshakes at a time, in index order. */
export async function connectMany(
  target: Target,
  count: number,
  clientId: (index: number) => string,
  concurrency = 200,
  clean = true,
): Promise<RawClient[]> {
  const clients: RawClient[] = new Array(count);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      clients[index] = await connectClient(target, clientId(index), clean);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return clients;
}

/** Closes every client's socket at once. */
export function closeAll(clients: readonly RawClient[]): void {
  for (const client of clients) client.socket.destroy();
}
