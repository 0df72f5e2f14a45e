/**
 * TLS listener options and server construction (node:tls).
 *
 * Design: the secure-context options (key, cert, ca, minVersion) are kept so that
 * `reload()` can hand a complete context to `server.setSecureContext`: connections that are
 * already open keep their old certificate, new handshakes get the new one.
 */
import { createServer, type SecureContextOptions, type Server, type TLSSocket } from "node:tls";
import type { Listener } from "../types.js";

/** PEM material: strings or Buffers, as node:tls takes them. */
export type Pem = string | Buffer;

/** Certificates of a TLS or WSS listener; the part that `reload()` replaces. */
export interface TlsCertificates {
  key: Pem;
  cert: Pem;
  /** CA certificates that client certificates are checked against. */
  ca?: Pem | Pem[];
}

export interface TlsOptions extends TlsCertificates {
  /** Ask clients for a certificate. Default false. */
  requestCert?: boolean;
  /** Refuse clients whose certificate does not verify. Default true (only with requestCert). */
  rejectUnauthorized?: boolean;
  /** Lowest TLS version accepted. Default "TLSv1.2". */
  minVersion?: "TLSv1.2" | "TLSv1.3";
  /**
   * Use the verified client certificate's subject CN as the username that the authenticate
   * hook sees (it replaces the CONNECT username).
   */
  usernameFromCertificateCN?: boolean;
}

/** A TLS or WSS listener: certificates can be replaced without a restart. */
export interface SecureListener extends Listener {
  /** New handshakes use these certificates; open connections are not affected. */
  reload(certificates: TlsCertificates): void;
}

function secureContextOptions(options: TlsOptions, certificates: TlsCertificates) {
  const context: SecureContextOptions = {
    key: certificates.key,
    cert: certificates.cert,
    minVersion: options.minVersion ?? "TLSv1.2",
  };
  if (certificates.ca !== undefined) context.ca = certificates.ca;
  return context;
}

/** The node:tls server options for `options`. */
export function tlsServerOptions(options: TlsOptions) {
  const requestCert = options.requestCert ?? false;
  return {
    ...secureContextOptions(options, options),
    requestCert,
    rejectUnauthorized: requestCert ? (options.rejectUnauthorized ?? true) : false,
  };
}

/** Replaces the certificates of `server` (see SecureListener.reload). */
export function reloadCertificates(
  server: Server,
  options: TlsOptions,
  certificates: TlsCertificates,
): void {
  server.setSecureContext(secureContextOptions(options, certificates));
}

/** The CN of a verified client certificate, or undefined. */
export function certificateCommonName(socket: TLSSocket): string | undefined {
  if (!socket.authorized) return undefined;
  const commonName: unknown = socket.getPeerCertificate().subject?.CN;
  // A subject may carry several CNs; only a single one is an unambiguous user name.
  return typeof commonName === "string" && commonName !== "" ? commonName : undefined;
}

/**
 * A TLS server that calls `onSocket` for each completed handshake. Not half-open (unlike
 * the TCP listener): a half-open socket whose handshake the client abandoned would never
 * be ended, and would keep `server.close()` waiting.
 */
export function createTlsServer(options: TlsOptions, onSocket: (socket: TLSSocket) => void) {
  return createServer(tlsServerOptions(options), onSocket);
}
