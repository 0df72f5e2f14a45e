import { afterEach, describe, expect, it } from "vitest";
import { Harness, text } from "./helpers/harness.js";
import { publishAcked, publishPacket, subscribe } from "./helpers/packets.js";

const t = new Harness();
afterEach(() => t.cleanup());

describe("SUBSCRIBE, UNSUBSCRIBE, PINGREQ", () => {
  it("[MQTT-3.8.4-5] SUBACK has one return code per filter, in order; invalid filters get 0x80", async () => {
    const { port, broker } = await t.broker();
    const client = await t.client(port, { clientId: "c" });
    const codes = await subscribe(client, [
      ["a/b", 1],
      ["a/#/b", 2],
      ["c/+", 2],
      ["d+", 0],
      ["$share/g/e", 1],
      ["$share//e", 1],
    ]);
    expect(codes).toEqual([1, 0x80, 2, 0x80, 1, 0x80]);
    expect(broker.stats.subscriptionsCount).toBe(3);
  });

  it("caps granted QoS at maxQoS", async () => {
    const { port } = await t.broker({ maxQoS: 1 });
    const client = await t.client(port, { clientId: "c" });
    expect(await subscribe(client, [["x", 2]])).toEqual([1]);
  });

  it("authorizeSubscribe may downgrade QoS or refuse with 0x80", async () => {
    const { port } = await t.broker({
      hooks: {
        authorizeSubscribe: async (_client, filter, qos) =>
          filter.startsWith("private/") ? 0x80 : filter === "slow" ? 0 : qos,
      },
    });
    const client = await t.client(port, { clientId: "c" });
    expect(
      await subscribe(client, [
        ["private/x", 1],
        ["slow", 2],
        ["open", 2],
      ]),
    ).toEqual([0x80, 0, 2]);
    const publisher = await t.client(port, { clientId: "p" });
    publisher.send(publishPacket("private/x", "no"));
    publisher.send(publishPacket("open", "yes"));
    expect(text((await client.expect("publish")).payload)).toBe("yes");
  });

  it("[MQTT-3.8.4-3] a repeated filter replaces the subscription (its QoS) instead of adding one", async () => {
    const { port, broker } = await t.broker();
    const client = await t.client(port, { clientId: "c" });
    await subscribe(client, [["r", 0]], 1);
    await subscribe(client, [["r", 2]], 2);
    expect(broker.stats.subscriptionsCount).toBe(1);
    const publisher = await t.client(port, { clientId: "p" });
    publisher.send(publishPacket("r", "x", 2, { packetId: 1 }));
    expect((await client.expect("publish")).qos).toBe(2);
    await client.expectNothing(100);
  });

  it("[MQTT-3.10.4-4] UNSUBACK with the packet id, also when nothing matched; delivery stops", async () => {
    const { port, broker } = await t.broker();
    const client = await t.client(port, { clientId: "c" });
    await subscribe(client, [["u/1", 0]]);
    client.send({ type: "unsubscribe", packetId: 5, topicFilters: ["u/1", "never/subscribed"] });
    expect((await client.expect("unsuback")).packetId).toBe(5);
    expect(broker.stats.subscriptionsCount).toBe(0);
    const publisher = await t.client(port, { clientId: "p" });
    await publishAcked(publisher, "u/1", "x");
    await client.expectNothing(100);
  });

  it("emits subscribed and unsubscribed", async () => {
    const { port, broker } = await t.broker();
    const log: string[] = [];
    broker.on("subscribed", (client, subscriptions) =>
      log.push(
        `${client.clientId} +${subscriptions.map((s) => `${s.topicFilter}@${s.qos}`).join(",")}`,
      ),
    );
    broker.on("unsubscribed", (client, filters) =>
      log.push(`${client.clientId} -${filters.join(",")}`),
    );
    const client = await t.client(port, { clientId: "c" });
    await subscribe(client, [
      ["a", 1],
      ["b#", 1],
    ]);
    client.send({ type: "unsubscribe", packetId: 2, topicFilters: ["a"] });
    await client.expect("unsuback");
    expect(log).toEqual(["c +a@1", "c -a"]);
  });

  it("[MQTT-3.12.4-1] answers PINGREQ with PINGRESP", async () => {
    const { port } = await t.broker();
    const client = await t.client(port, { clientId: "c" });
    client.send({ type: "pingreq" });
    await client.expect("pingresp");
  });

  it("[MQTT-4.7.2-1] # and + do not match $SYS topics; $SYS/# does", async () => {
    const { port, broker } = await t.broker();
    const all = await t.client(port, { clientId: "all" });
    await subscribe(all, [
      ["#", 0],
      ["+/broker/uptime", 0],
    ]);
    const sys = await t.client(port, { clientId: "sys" });
    await subscribe(sys, [["$SYS/#", 0]]);
    await broker.publish({
      topic: "$SYS/broker/uptime",
      payload: new Uint8Array(1),
      qos: 0,
      retain: false,
    });
    expect((await sys.expect("publish")).topic).toBe("$SYS/broker/uptime");
    await all.expectNothing(100);
  });
});

describe("shared subscriptions $share/{group}/{filter}", () => {
  it("gives each message to one member of each group, round robin", async () => {
    const { port } = await t.broker();
    const members = [
      await t.client(port, { clientId: "w1" }),
      await t.client(port, { clientId: "w2" }),
    ];
    for (const member of members) await subscribe(member, [["$share/workers/jobs/+", 0]]);
    const audit = await t.client(port, { clientId: "audit" });
    await subscribe(audit, [["$share/audit/jobs/#", 0]]);
    const publisher = await t.client(port, { clientId: "p" });
    for (let index = 0; index < 4; index++)
      publisher.send(publishPacket("jobs/resize", String(index)));
    const got = await Promise.all(
      members.map(async (member) => [
        text((await member.expect("publish")).payload),
        text((await member.expect("publish")).payload),
      ]),
    );
    expect(got.flat().sort()).toEqual(["0", "1", "2", "3"]);
    expect(got[0]).toHaveLength(2);
    const audited: string[] = [];
    for (let index = 0; index < 4; index++)
      audited.push(text((await audit.expect("publish")).payload));
    expect(audited).toEqual(["0", "1", "2", "3"]);
    for (const member of members) await member.expectNothing(50);
  });

  it("prefers connected members over offline persistent ones", async () => {
    const { port } = await t.broker();
    const offline = await t.client(port, { clientId: "off", clean: false });
    await subscribe(offline, [["$share/g/t", 1]]);
    offline.send({ type: "disconnect" });
    await offline.waitClosed();
    const online = await t.client(port, { clientId: "on" });
    await subscribe(online, [["$share/g/t", 1]]);
    const publisher = await t.client(port, { clientId: "p" });
    for (let index = 1; index <= 3; index++)
      await publishAcked(publisher, "t", String(index), { packetId: index });
    for (let index = 1; index <= 3; index++) {
      const packet = await online.expect("publish");
      expect(text(packet.payload)).toBe(String(index));
      online.send({ type: "puback", packetId: packet.packetId ?? 0 });
    }
  });

  it("sends no retained messages to a shared subscription", async () => {
    const { port } = await t.broker();
    const publisher = await t.client(port, { clientId: "p" });
    await publishAcked(publisher, "kept", "r", { retain: true });
    const member = await t.client(port, { clientId: "m" });
    await subscribe(member, [["$share/g/kept", 1]]);
    await member.expectNothing(100);
  });
});
