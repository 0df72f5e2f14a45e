import { describe, expect, it } from "vitest";
import { bytes, subscribe, useConformanceBroker } from "../helpers/conformance-broker.js";
import { sleep } from "../helpers/with-timeout.js";

// MQTT 3.1.1 Keep Alive (3.1.2.10) and PINGREQ/PINGRESP (3.12, 3.13). Keep Alive is 1 s here,
// so the server must close a silent connection after 1.5 s: not before 1 s, and by 2.5 s.

const { start } = useConformanceBroker();

describe("3.1.2.10 Keep Alive", () => {
  it("[MQTT-3.1.2-24] a client silent for 1.5 x Keep Alive is disconnected, as if the network failed (will published)", async () => {
    const { session, client: connected } = await start();
    const watcher = await connected("ka-watcher");
    await subscribe(watcher, [["ka/will", 0]]);
    const { client } = await session({
      clientId: "ka-silent",
      keepalive: 1,
      will: { topic: "ka/will", payload: bytes("timed out"), qos: 0, retain: false },
    });
    await client.expectNothing(1000);
    await client.expectClosed(2500);
    expect((await watcher.expectPacket("publish")).topic).toBe("ka/will");
  });

  it("[MQTT-3.1.2-24] a client that sends a packet within each Keep Alive period stays connected", async () => {
    const { session } = await start();
    const { client } = await session({ clientId: "ka-pinger", keepalive: 1 });
    for (let round = 0; round < 4; round += 1) {
      await sleep(600);
      client.send({ type: "pingreq" });
      await client.expectPacket("pingresp");
    }
    expect(client.closed).toBe(false);
  });

  it("[MQTT-3.1.2-24] Keep Alive 0 turns the mechanism off: a silent client is not disconnected", async () => {
    const { session } = await start();
    const { client } = await session({ clientId: "ka-off", keepalive: 0 });
    await client.expectNothing(2000);
    client.send({ type: "pingreq" });
    await client.expectPacket("pingresp");
  });
});

describe("3.12 PINGREQ", () => {
  it("[MQTT-3.12.4-1] PINGREQ is answered with PINGRESP", async () => {
    const { session } = await start();
    const { client } = await session({ clientId: "pinger" });
    client.send({ type: "pingreq" });
    client.send({ type: "pingreq" });
    await client.expectPacket("pingresp");
    await client.expectPacket("pingresp");
  });
});
