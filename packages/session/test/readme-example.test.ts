// The README example, run as written (console output captured in `log`).
import { expect, it } from "vitest";
import { ClientSession, ServerSession, type Session, type Step } from "../src/index.js";

it("README: a client and a server engine exchange a QoS 2 flow, then keepalive", () => {
  const client = new ClientSession({ keepaliveSeconds: 30 });
  const server = new ServerSession({ autoAcknowledge: true });
  const now = 0;
  const log: string[] = [];

  server.connected(now, { sessionPresent: false, keepaliveSeconds: 30 });
  client.connected(now, { sessionPresent: false });

  function exchange(step: Step, from: Session, to: Session): void {
    const name = from === client ? "client" : "server";
    for (const event of step.events) log.push(`${name} event ${event.type}`);
    for (const packet of step.send) {
      log.push(`${name} sends ${packet.type} ${"packetId" in packet ? packet.packetId : ""}`);
      exchange(to.handlePacket(packet, now), to, from);
    }
  }

  const payload = new TextEncoder().encode("21.5");
  exchange(
    client.publish({ topic: "home/temp", payload, qos: 2, retain: false }, now),
    client,
    server,
  );
  expect(log).toEqual([
    "client sends publish 1",
    "server event message",
    "server sends pubrec 1",
    "client sends pubrel 1",
    "server sends pubcomp 1",
    "client event publish-complete",
  ]);
  expect(client.nextDeadline()).toBe(30_000);
  expect(client.handleTimeout(30_000).send).toEqual([{ type: "pingreq" }]);
});
