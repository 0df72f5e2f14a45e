export {
  certificateCommonName,
  createTlsServer,
  type Pem,
  reloadCertificates,
  type SecureListener,
  type TlsCertificates,
  type TlsOptions,
  tlsServerOptions,
} from "./tls.js";
export { attachWebSocket, DEFAULT_WEBSOCKET_PATH, WebSocketDuplex } from "./websocket.js";
