import type { ClientInfo } from "@ternmq/broker";
import { describe, expect, it } from "vitest";
import { bytes, publish, subscribe, useConformanceBroker } from "../helpers/conformance-broker.js";
import {
  frame,
  lengthPrefixed,
  rawConnect,
  splitFrames,
  stringField,
} from "../helpers/mqtt-bytes.js";

// MQTT 3.1.1 sections 3.1 (CONNECT) and 3.2 (CONNACK), observed on the wire.

const { start } = useConformanceBroker();

describe("3.1 CONNECT: first packet", () => {
  it("[MQTT-3.1.0-1] a first packet other than CONNECT closes the connection unanswered", async () => {
    const { socket } = await start();
    const client = await socket();
    client.send({ type: "pingreq" });
    await client.expectClosed();
  });

  it("[MQTT-3.1.0-1] a connection that sends no CONNECT within the connect timeout is closed", async () => {
    const { socket } = await start({ limits: { connectTimeoutMs: 300 } });
    const client = await socket();
    await client.expectClosed(1500);
  });

  it("[MQTT-3.1.0-2] a second CONNECT closes the connection without a second CONNACK", async () => {
    const { session } = await start();
    const { client } = await session({ clientId: "twice" });
    client.send({
      type: "connect",
      protocolVersion: 4,
      clientId: "twice",
      clean: true,
      keepalive: 60,
    });
    await client.expectClosed();
  });
});

describe("3.1.2 CONNECT variable header", () => {
  it("[MQTT-3.1.2-1] an unknown protocol name closes the connection without CONNACK", async () => {
    const { socket } = await start();
    const client = await socket();
    client.sendBytes(rawConnect({ protocolName: "MQTX" }));
    await client.expectClosed();
  });

  it("[MQTT-3.1.2-2] an unsupported protocol level gets CONNACK 1, then the connection closes", async () => {
    const { socket } = await start();
    const client = await socket();
    client.sendBytes(rawConnect({ level: 6 }));
    const connack = await client.expectPacket("connack");
    expect(connack.reasonCode).toBe(1);
    expect(connack.sessionPresent).toBe(false);
    await client.expectClosed();
  });

  it("[MQTT-3.1.2-3] the reserved Connect Flags bit set closes the connection", async () => {
    const { socket } = await start();
    const client = await socket();
    client.sendBytes(rawConnect({ flags: 0x03 }));
    await client.expectClosed();
  });

  it("[MQTT-3.1.2-18] a user name in the payload with the User Name Flag 0 closes the connection", async () => {
    const { socket } = await start();
    const client = await socket();
    client.sendBytes(
      rawConnect({ flags: 0x02, payload: [...stringField("id"), ...stringField("user")] }),
    );
    await client.expectClosed();
  });

  it("[MQTT-3.1.2-19] the User Name Flag 1 without a user name closes the connection", async () => {
    const { socket } = await start();
    const client = await socket();
    client.sendBytes(rawConnect({ flags: 0x82, payload: stringField("id") }));
    await client.expectClosed();
  });

  it("[MQTT-3.1.2-20] a password in the payload with the Password Flag 0 closes the connection", async () => {
    const { socket } = await start();
    const client = await socket();
    client.sendBytes(
      rawConnect({
        flags: 0x82,
        payload: [...stringField("id"), ...stringField("user"), ...lengthPrefixed([1, 2])],
      }),
    );
    await client.expectClosed();
  });

  it("[MQTT-3.1.2-21] the Password Flag 1 without a password closes the connection", async () => {
    const { socket } = await start();
    const client = await socket();
    client.sendBytes(
      rawConnect({ flags: 0xc2, payload: [...stringField("id"), ...stringField("user")] }),
    );
    await client.expectClosed();
  });

  it("[MQTT-3.1.2-22] the Password Flag without the User Name Flag closes the connection", async () => {
    const { socket } = await start();
    const client = await socket();
    client.sendBytes(
      rawConnect({ flags: 0x42, payload: [...stringField("id"), ...lengthPrefixed([1])] }),
    );
    await client.expectClosed();
  });
});

describe("3.1.3 CONNECT payload", () => {
  it("[MQTT-3.1.3-1] reads client id, will topic, will message, user name and password in that order", async () => {
    const seen: { clientId: string; username?: string; password?: string }[] = [];
    const { session, client: connected } = await start({
      hooks: {
        authenticate: (client: ClientInfo, username, password) => {
          seen.push({
            clientId: client.clientId,
            ...(username === undefined ? {} : { username }),
            ...(password === undefined ? {} : { password: new TextDecoder().decode(password) }),
          });
          return 0;
        },
      },
    });
    const watcher = await connected("order-watcher");
    await subscribe(watcher, [["order/will", 0]]);
    const { client } = await session({
      clientId: "order-client",
      username: "alice",
      password: bytes("secret"),
      will: { topic: "order/will", payload: bytes("gone"), qos: 0, retain: false },
    });
    expect(seen).toContainEqual({
      clientId: "order-client",
      username: "alice",
      password: "secret",
    });
    client.destroy();
    const will = await watcher.expectPacket("publish");
    expect(will.topic).toBe("order/will");
    expect(new TextDecoder().decode(will.payload)).toBe("gone");
  });

  it("[MQTT-3.1.3-3] a CONNECT without a client id field closes the connection", async () => {
    const { socket } = await start();
    const client = await socket();
    client.sendBytes(rawConnect({ payload: [] }));
    await client.expectClosed();
  });

  it("[MQTT-3.1.3-4] a client id that is not well-formed UTF-8 closes the connection", async () => {
    const { socket } = await start();
    const client = await socket();
    client.sendBytes(rawConnect({ payload: lengthPrefixed([0x61, 0xff, 0xfe]) }));
    await client.expectClosed();
  });

  it("[MQTT-3.1.3-5] client ids of 1 to 23 letters and digits are accepted", async () => {
    const { session } = await start();
    for (const clientId of ["a", "0123456789abcdefghijKLM", "Z9"]) {
      const { connack } = await session({ clientId });
      expect(connack.reasonCode).toBe(0);
    }
  });

  it("[MQTT-3.1.3-6] an empty client id with CleanSession 1 is given a unique id", async () => {
    const { broker, session } = await start();
    const connected: string[] = [];
    broker.on("client-connected", (client) => connected.push(client.clientId));
    const first = await session({ clientId: "", clean: true });
    const second = await session({ clientId: "", clean: true });
    // Both stay connected: the second was not treated as a takeover of the first.
    first.client.send({ type: "pingreq" });
    await first.client.expectPacket("pingresp");
    second.client.send({ type: "pingreq" });
    await second.client.expectPacket("pingresp");
    expect(connected).toHaveLength(2);
    expect(connected.every((id) => id.length > 0)).toBe(true);
    expect(new Set(connected).size).toBe(2);
  });

  it("[MQTT-3.1.3-8] an empty client id with CleanSession 0 gets CONNACK 2, then the connection closes", async () => {
    const { socket } = await start();
    const client = await socket();
    client.send({ type: "connect", protocolVersion: 4, clientId: "", clean: false, keepalive: 60 });
    const connack = await client.expectPacket("connack");
    expect(connack.reasonCode).toBe(2);
    expect(connack.sessionPresent).toBe(false);
    await client.expectClosed();
  });

  it("[MQTT-3.1.3-9] a client id the server rejects (over the length limit) gets CONNACK 2, then close", async () => {
    const { socket } = await start({ limits: { maxClientIdLength: 23 } });
    const client = await socket();
    client.send({
      type: "connect",
      protocolVersion: 4,
      clientId: "abcdefghijklmnopqrstuvwxy",
      clean: true,
      keepalive: 60,
    });
    const connack = await client.expectPacket("connack");
    expect(connack.reasonCode).toBe(2);
    await client.expectClosed();
  });

  it("[MQTT-3.1.3-10] a will topic that is not well-formed UTF-8 closes the connection", async () => {
    const { socket } = await start();
    const client = await socket();
    client.sendBytes(
      rawConnect({
        flags: 0x06,
        payload: [...stringField("id"), ...lengthPrefixed([0xc3, 0x28]), ...lengthPrefixed([1])],
      }),
    );
    await client.expectClosed();
  });

  it("[MQTT-3.1.3-11] a user name that is not well-formed UTF-8 closes the connection", async () => {
    const { socket } = await start();
    const client = await socket();
    client.sendBytes(
      rawConnect({
        flags: 0x82,
        payload: [...stringField("id"), ...lengthPrefixed([0xed, 0xa0, 0x80])],
      }),
    );
    await client.expectClosed();
  });
});

describe("3.1.4 CONNECT response", () => {
  it("[MQTT-3.1.4-1] a CONNECT whose client id runs past the packet closes without CONNACK", async () => {
    const { socket } = await start();
    const client = await socket();
    client.sendBytes(rawConnect({ payload: [0x00, 0x20, 0x61, 0x62] }));
    await client.expectClosed();
  });

  it("[MQTT-3.1.4-4] a valid CONNECT is answered with CONNACK return code 0 (bytes 20 02 00 00)", async () => {
    const { session } = await start();
    const { client, connack } = await session({ clientId: "accepted" });
    expect(connack.reasonCode).toBe(0);
    expect([...(splitFrames(client.receivedChunks)[0]?.body ?? [])]).toEqual([0, 0]);
    expect(splitFrames(client.receivedChunks)[0]?.firstByte).toBe(0x20);
  });

  it("[MQTT-3.1.4-5] nothing sent after a rejected CONNECT is processed", async () => {
    const published: string[] = [];
    const {
      broker,
      socket,
      client: connected,
    } = await start({
      hooks: { authenticate: (_client, username) => (username === "mallory" ? 5 : 0) },
    });
    broker.on("published", (_client, message) => published.push(message.topic));
    const rejected = await socket();
    rejected.sendBytes(
      Uint8Array.from([
        ...rawConnect({
          flags: 0x82,
          payload: [...stringField("rejected"), ...stringField("mallory")],
        }),
        ...frame(0x31, [...stringField("after"), 0x68, 0x69]), // PUBLISH, retained, "hi"
        ...frame(0xc0, []), // PINGREQ
      ]),
    );
    const connack = await rejected.expectPacket("connack");
    expect(connack.reasonCode).toBe(5);
    await rejected.expectClosed();
    const observer = await connected("observer");
    await subscribe(observer, [["after", 0]]);
    await observer.expectNothing(200);
    expect(published).not.toContain("after");
  });
});

describe("3.2 CONNACK", () => {
  it("[MQTT-3.2.0-1] CONNACK is the first packet the server sends, before queued messages", async () => {
    const { session, client: connected } = await start();
    const first = await session({ clientId: "queued", clean: false });
    await subscribe(first.client, [["queued/t", 1]]);
    first.client.send({ type: "disconnect" });
    await first.client.expectClosed();
    const publisher = await connected("queued-pub");
    await publish(publisher, "queued/t", "m", { qos: 1 });
    const again = await session({ clientId: "queued", clean: false });
    await again.client.expectPacket("publish");
    expect((splitFrames(again.client.receivedChunks)[0]?.firstByte ?? 0) >> 4).toBe(2);
  });

  it("[MQTT-3.2.2-1] CleanSession 1 gets Session Present 0 even when a session was stored", async () => {
    const { session } = await start();
    const first = await session({ clientId: "sp-clean", clean: false });
    await subscribe(first.client, [["sp/t", 1]]);
    first.client.send({ type: "disconnect" });
    await first.client.expectClosed();
    const { connack } = await session({ clientId: "sp-clean", clean: true });
    expect(connack.sessionPresent).toBe(false);
    expect(connack.reasonCode).toBe(0);
  });

  it("[MQTT-3.2.2-2] CleanSession 0 with a stored session gets Session Present 1", async () => {
    const { session } = await start();
    const first = await session({ clientId: "sp-stored", clean: false });
    await subscribe(first.client, [["sp/t", 1]]);
    first.client.send({ type: "disconnect" });
    await first.client.expectClosed();
    const { connack } = await session({ clientId: "sp-stored", clean: false });
    expect(connack.sessionPresent).toBe(true);
  });

  it("[MQTT-3.2.2-3] CleanSession 0 without a stored session gets Session Present 0", async () => {
    const { session } = await start();
    const { connack } = await session({ clientId: "sp-new", clean: false });
    expect(connack.sessionPresent).toBe(false);
    expect(connack.reasonCode).toBe(0);
  });

  it("[MQTT-3.2.2-4] a refusing CONNACK has Session Present 0 even when a session is stored", async () => {
    const { session, socket } = await start({
      hooks: { authenticate: (_client, _username, password) => (password?.[0] === 0x21 ? 4 : 0) },
    });
    const first = await session({
      clientId: "sp-refused",
      clean: false,
      username: "u",
      password: bytes("ok"),
    });
    await subscribe(first.client, [["sp/t", 1]]);
    first.client.send({ type: "disconnect" });
    await first.client.expectClosed();
    const client = await socket();
    client.send({
      type: "connect",
      protocolVersion: 4,
      clientId: "sp-refused",
      clean: false,
      keepalive: 60,
      username: "u",
      password: bytes("!bad"),
    });
    const connack = await client.expectPacket("connack");
    expect(connack.reasonCode).toBe(4);
    expect(connack.sessionPresent).toBe(false);
  });

  it("[MQTT-3.2.2-5] after CONNACK 5 (not authorized) the server closes the connection", async () => {
    const { socket } = await start({ hooks: { authenticate: () => 5 } });
    const client = await socket();
    client.send({
      type: "connect",
      protocolVersion: 4,
      clientId: "nope",
      clean: true,
      keepalive: 60,
    });
    expect((await client.expectPacket("connack")).reasonCode).toBe(5);
    await client.expectClosed();
  });

  it("[MQTT-3.2.2-5] after CONNACK 3 (server unavailable: connection limit) the server closes the connection", async () => {
    const { session, socket } = await start({ limits: { maxConnections: 1 } });
    await session({ clientId: "only-one" });
    const client = await socket();
    client.send({
      type: "connect",
      protocolVersion: 4,
      clientId: "second",
      clean: true,
      keepalive: 60,
    });
    const connack = await client.expectPacket("connack");
    expect(connack.reasonCode).toBe(3);
    expect(connack.sessionPresent).toBe(false);
    await client.expectClosed();
  });

  it("[MQTT-3.2.2-6] a CONNECT no return code fits (U+0000 in the client id) closes without CONNACK", async () => {
    const { socket } = await start();
    const client = await socket();
    client.sendBytes(rawConnect({ payload: lengthPrefixed([0x61, 0x00, 0x62]) }));
    await client.expectClosed();
  });
});
