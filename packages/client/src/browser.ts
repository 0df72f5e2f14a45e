/**
 * @ternmq/client for browsers: the Node entry's API over the global WebSocket (`ws://` and
 * `wss://` only). Imports nothing of Node, directly or indirectly.
 */
import { connectFunctions } from "./connect.js";
import { invalidArgument } from "./errors.js";
import { browserTransport } from "./transports/browser.js";

export const { connect, connectAsync } = connectFunctions(browserTransport, (address) => {
  if (address.protocol !== "ws" && address.protocol !== "wss") {
    throw invalidArgument(`${address.protocol}:// needs Node; browsers support ws:// and wss://`);
  }
});
export * from "./common.js";
