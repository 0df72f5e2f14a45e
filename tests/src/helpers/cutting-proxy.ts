/**
 * A TCP proxy between a client and the broker that cuts the connection at a chosen packet, to
 * test what survives a network failure mid-flow (e.g. after the broker's PUBREC, before the
 * client sees it). Only the broker-to-client direction is inspected; after the cut the proxy
 * forwards everything unchanged.
 */
import { createServer, type Server, type Socket } from "node:net";
import { connectToBroker } from "./proxied-pair.js";

export interface CuttingProxy {
  readonly port: number;
  /** Number of connections cut so far. */
  readonly cuts: number;
  close(): Promise<void>;
}

/**
 * Proxies 127.0.0.1:`port` -> 127.0.0.1:`brokerPort`. The first time the broker sends a packet
 * whose fixed-header type (high nibble of byte 0) is `cutBeforeType`, both sockets are
 * destroyed before that packet (or anything after it) reaches the client.
 */
export async function startCuttingProxy(
  brokerPort: number,
  cutBeforeType: number,
): Promise<CuttingProxy> {
  const sockets = new Set<Socket>();
  let cuts = 0;
  const server: Server = createServer((client) => {
    const broker = connectToBroker(client, brokerPort, sockets);
    client.on("data", (chunk: Buffer) => broker.write(chunk));
    const frames = new FrameScanner();
    broker.on("data", (chunk: Buffer) => {
      if (cuts > 0) {
        client.write(chunk);
        return;
      }
      const cutAt = frames.findType(chunk, cutBeforeType);
      if (cutAt === undefined) {
        client.write(chunk);
        return;
      }
      cuts += 1;
      client.write(chunk.subarray(0, cutAt), () => {
        client.destroy();
        broker.destroy();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("proxy has no TCP port");
  return {
    port: address.port,
    get cuts() {
      return cuts;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Follows MQTT framing (type byte, Remaining Length varint, body) across chunks. */
class FrameScanner {
  /** Bytes of the current frame still to skip before the next fixed header. */
  #skip = 0;
  /** Header bytes of a frame whose Remaining Length is split across chunks. */
  #header: number[] = [];

  /** Offset in `chunk` where a frame of `type` starts, or undefined if none starts in it. */
  findType(chunk: Uint8Array, type: number): number | undefined {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#skip > 0) {
        const skipped = Math.min(this.#skip, chunk.length - offset);
        this.#skip -= skipped;
        offset += skipped;
        continue;
      }
      const byte = chunk[offset] ?? 0;
      if (this.#header.length === 0 && byte >> 4 === type) return offset;
      this.#header.push(byte);
      offset += 1;
      if (this.#header.length === 1 || (byte & 0x80) !== 0) continue;
      let remaining = 0;
      for (const [index, lengthByte] of this.#header.slice(1).entries()) {
        remaining += (lengthByte & 0x7f) * 128 ** index;
      }
      this.#header = [];
      this.#skip = remaining;
    }
    return undefined;
  }
}
