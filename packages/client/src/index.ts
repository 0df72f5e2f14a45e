/**
 * @ternmq/client for Node: MQTT 3.1/3.1.1 over TCP (`mqtt://`), TLS (`mqtts://`) and
 * WebSocket (`ws://`, `wss://`), with `FileSessionStore` for durable inflight messages.
 * Browsers get `@ternmq/client/browser` (the same API, WebSocket only).
 */
import { connectFunctions } from "./connect.js";
import { nodeTransport } from "./transports/node.js";

export const { connect, connectAsync } = connectFunctions(nodeTransport, () => {});
export * from "./common.js";
export { FileSessionStore, type FileSessionStoreOptions } from "./file-session-store.js";
