import { type ConnectionOptions, type TLSSocket, connect as tlsConnect } from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Broker, type BrokerOptions, type ClientInfo } from "../../src/index.js";
import { RawClient } from "../helpers/raw-client.js";
import { type Certificates, makeCertificates, removeCertificates } from "./certificates.js";

let certificates: Certificates;
const brokers: Broker[] = [];
const sockets: TLSSocket[] = [];

beforeAll(() => {
  certificates = makeCertificates();
}, 30_000);
afterAll(() => removeCertificates(certificates));
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(brokers.splice(0).map((broker) => broker.close()));
});

function newBroker(options: BrokerOptions = {}): Broker {
  const broker = new Broker({ logger: { level: "silent" }, sysInterval: 0, ...options });
  brokers.push(broker);
  return broker;
}

/** Completes a TLS handshake with 127.0.0.1:`port` (rejects on a handshake error, bounded). */
function handshake(port: number, options: ConnectionOptions): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: "127.0.0.1", port, ...options });
    sockets.push(socket);
    const timer = setTimeout(() => reject(new Error("no TLS handshake within 3 s")), 3000);
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      resolve(socket);
    });
  });
}

function serverOptions() {
  return {
    port: 0,
    host: "127.0.0.1",
    key: certificates.serverKey,
    cert: certificates.serverCert,
  };
}

describe("TLS listener", () => {
  it("round trip: CONNECT, SUBSCRIBE and PUBLISH over TLS verified against the test CA", async () => {
    const listener = await newBroker().listenTls(serverOptions());
    const client = new RawClient(await handshake(listener.port, { ca: certificates.ca }), 4);
    expect((await client.connect({ clientId: "tls-client" })).reasonCode).toBe(0);
    client.send({ type: "subscribe", packetId: 1, subscriptions: [{ topicFilter: "t", qos: 0 }] });
    await client.expect("suback");
    client.send({
      type: "publish",
      topic: "t",
      payload: new Uint8Array([1, 2]),
      qos: 0,
      dup: false,
      retain: false,
    });
    const publish = await client.expect("publish");
    expect([...publish.payload]).toEqual([1, 2]);
  });

  it("a client that trusts another CA refuses the server's certificate", async () => {
    const listener = await newBroker().listenTls(serverOptions());
    await expect(handshake(listener.port, { ca: certificates.otherCa })).rejects.toMatchObject({
      code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    });
  });

  it("with requestCert, a client without a certificate from the CA is refused", async () => {
    const listener = await newBroker().listenTls({
      ...serverOptions(),
      ca: certificates.ca,
      requestCert: true,
    });
    const socket = await handshake(listener.port, { ca: certificates.ca }).catch(() => undefined);
    // TLS 1.3: the handshake completes on the client before the server's alert arrives.
    if (socket !== undefined) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("still open after 3 s")), 3000);
        socket.once("close", () => {
          clearTimeout(timer);
          resolve();
        });
        socket.on("error", () => {});
      });
    }
    expect(socket === undefined || socket.destroyed).toBe(true);
  });

  it("usernameFromCertificateCN: the authenticate hook sees the client certificate's CN", async () => {
    const seen: (string | undefined)[] = [];
    const broker = newBroker({
      hooks: {
        authenticate(client: ClientInfo, username: string | undefined) {
          seen.push(username, client.username);
          return username === "alice" ? 0 : 5;
        },
      },
    });
    const listener = await broker.listenTls({
      ...serverOptions(),
      ca: certificates.ca,
      requestCert: true,
      usernameFromCertificateCN: true,
    });
    const socket = await handshake(listener.port, {
      ca: certificates.ca,
      key: certificates.clientKey,
      cert: certificates.clientCert,
    });
    const client = new RawClient(socket, 4);
    const connack = await client.connect({ clientId: "cn-client", username: "mallory" });
    expect(connack.reasonCode).toBe(0);
    expect(seen).toEqual(["alice", "alice"]);
  });

  it("reload: new handshakes get the new certificate, without a restart", async () => {
    const listener = await newBroker().listenTls(serverOptions());
    const before = await handshake(listener.port, { ca: certificates.ca });
    expect(before.getPeerCertificate().issuer.CN).toBe("test-ca");
    listener.reload({ key: certificates.otherServerKey, cert: certificates.otherServerCert });
    const after = await handshake(listener.port, { ca: certificates.otherCa });
    expect(after.getPeerCertificate().issuer.CN).toBe("other-ca");
    await expect(handshake(listener.port, { ca: certificates.ca })).rejects.toBeInstanceOf(Error);
  });

  it("minVersion TLSv1.3 refuses a TLS 1.2 client", async () => {
    const listener = await newBroker().listenTls({ ...serverOptions(), minVersion: "TLSv1.3" });
    await expect(
      handshake(listener.port, { ca: certificates.ca, maxVersion: "TLSv1.2" }),
    ).rejects.toBeInstanceOf(Error);
  });

  it("broker.close() closes the TLS listener", async () => {
    const broker = newBroker();
    const listener = await broker.listenTls(serverOptions());
    await broker.close();
    await expect(handshake(listener.port, { ca: certificates.ca })).rejects.toMatchObject({
      code: "ECONNREFUSED",
    });
  });
});
