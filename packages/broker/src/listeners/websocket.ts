/**
 * MQTT over WebSocket: upgrade handling on an HTTP(S) server and a Duplex over one socket.
 *
 * Design: each binary message is pushed into the Duplex as it comes, so an MQTT packet may
 * span messages and a message may hold several packets (the connection's decoder frames
 * them). When the reader is full the WebSocket is paused (no more socket reads) until
 * `_read` asks for more; writes complete when ws has written the frame, so the
 * connection's writer sees the socket's backpressure. A text message is a protocol error
 * for MQTT over WebSocket and closes the connection with 1003.
 */
import type { IncomingMessage, Server } from "node:http";
import type { Socket } from "node:net";
import { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";

export const DEFAULT_WEBSOCKET_PATH = "/mqtt";

/** Subprotocols accepted, in order of preference (MQTT 3.1.1 section 6 names "mqtt"). */
const SUBPROTOCOLS = ["mqtt", "mqttv3.1"] as const;

const CLOSE_UNSUPPORTED_DATA = 1003;

/** A Duplex whose bytes travel as binary WebSocket messages. */
export class WebSocketDuplex extends Duplex {
  constructor(private readonly socket: WebSocket) {
    super({ allowHalfOpen: false });
    socket.binaryType = "nodebuffer";
    socket.on("message", (data, isBinary) => {
      if (!isBinary) {
        socket.close(CLOSE_UNSUPPORTED_DATA, "MQTT needs binary frames");
        this.destroy();
        return;
      }
      if (!this.push(data as Buffer)) socket.pause();
    });
    socket.once("close", () => {
      this.push(null);
      this.destroy();
    });
    socket.once("error", (error) => this.destroy(error));
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error) => void) {
    this.socket.send(chunk, { binary: true }, callback);
  }

  override _final(callback: (error?: Error) => void): void {
    this.socket.close();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.socket.readyState !== this.socket.CLOSED) this.socket.terminate();
    callback(error);
  }
}

function rejectUpgradeNotFound(socket: Socket): void {
  socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
}

/**
 * Serves MQTT over WebSocket on `server` at `path`: other paths and plain HTTP requests get
 * 404. Calls `onStream` with a Duplex per accepted WebSocket.
 */
export function attachWebSocket(
  server: Server,
  path: string,
  onStream: (stream: Duplex, request: IncomingMessage) => void,
): void {
  const sockets = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => SUBPROTOCOLS.find((name) => offered.has(name)) ?? false,
  });
  server.on("request", (_request, response) => {
    response.writeHead(404).end();
  });
  server.on("upgrade", (request: IncomingMessage, socket: Socket, head: Buffer) => {
    const pathname = new URL(request.url ?? "/", "http://localhost").pathname;
    if (pathname !== path) {
      rejectUpgradeNotFound(socket);
      return;
    }
    sockets.handleUpgrade(request, socket, head, (webSocket) => {
      onStream(new WebSocketDuplex(webSocket), request);
    });
  });
}
