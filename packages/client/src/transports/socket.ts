/**
 * TCP (`mqtt://`) and TLS (`mqtts://`) transports over node:net and node:tls. Node only:
 * imported by index.ts, never by browser.ts.
 *
 * Design: writes made in one event-loop turn leave in one batch (the socket is corked on
 * the first write of a turn and uncorked from a microtask), so a burst of publishes becomes
 * few syscalls. Nagle is off: MQTT acknowledgements are small and latency-bound.
 */
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import type { ClientTlsOptions } from "../options.js";
import type { ServerAddress, Transport, TransportCallbacks } from "../transport.js";

class SocketTransport implements Transport {
  private corked = false;
  private readonly uncork = () => {
    this.corked = false;
    this.socket.uncork();
  };

  constructor(private readonly socket: Socket) {}

  write(bytes: Uint8Array): boolean {
    if (this.socket.destroyed) return true;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      queueMicrotask(this.uncork);
    }
    return this.socket.write(bytes);
  }

  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

function listen(socket: Socket, openEvent: string, callbacks: TransportCallbacks): Transport {
  let failure: Error | undefined;
  socket.setNoDelay(true);
  socket.once(openEvent, () => callbacks.open());
  socket.on("data", (chunk: Buffer) => callbacks.data(chunk));
  socket.on("drain", () => callbacks.drain());
  socket.on("error", (error) => {
    failure ??= error;
  });
  socket.once("close", () => callbacks.close(failure));
  return new SocketTransport(socket);
}

/** Opens `address` over TCP, or TLS for `mqtts` (`tls` are node:tls settings). */
export function openSocket(
  address: ServerAddress,
  callbacks: TransportCallbacks,
  tls: ClientTlsOptions | undefined,
): Transport {
  if (address.protocol === "mqtts") {
    const socket = tlsConnect({
      host: address.host,
      port: address.port,
      servername: isIpAddress(address.host) ? undefined : address.host,
      ...(tls as object),
    });
    return listen(socket, "secureConnect", callbacks);
  }
  return listen(netConnect({ host: address.host, port: address.port }), "connect", callbacks);
}

function isIpAddress(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(":");
}
