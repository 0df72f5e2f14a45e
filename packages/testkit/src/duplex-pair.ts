import { Duplex } from "node:stream";

/**
 * Two in-memory Duplex streams wired back to back: what one writes, the other reads.
 * Writes are delivered asynchronously (on the next tick), as a socket would, and
 * `end()` on one side ends the other's readable side. Used by broker and client
 * shell tests in place of a TCP socket.
 */
export function duplexPair(): [Duplex, Duplex] {
  let left: Duplex | undefined;
  let right: Duplex | undefined;
  const make = (peer: () => Duplex | undefined): Duplex =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        process.nextTick(() => {
          peer()?.push(chunk);
          callback();
        });
      },
      final(callback) {
        process.nextTick(() => {
          peer()?.push(null);
          callback();
        });
      },
      destroy(error, callback) {
        const other = peer();
        if (other && !other.destroyed) other.destroy();
        callback(error);
      },
    });
  left = make(() => right);
  right = make(() => left);
  return [left, right];
}
