import { afterEach, describe, expect, it } from "vitest";
import { collect, disconnected, getJson, TestBed } from "./helpers.js";

const bed = new TestBed();
afterEach(() => bed.cleanup());

describe("probes", () => {
  it("/healthz answers 200 while the process runs", async () => {
    const { admin } = await bed.start();
    expect(await getJson(`${admin.url}healthz`)).toMatchObject({
      status: 200,
      body: { status: "ok" },
    });
  });

  it("/readyz is 200 with a listener bound and the store open, 503 without a listener", async () => {
    const { admin } = await bed.start();
    expect(await getJson(`${admin.url}readyz`)).toMatchObject({
      status: 200,
      body: { status: "ready", checks: { running: true, store: true, listening: true } },
    });
    const idle = bed.broker();
    const idleAdmin = await bed.admin(idle);
    expect(await getJson(`${idleAdmin.url}readyz`)).toMatchObject({
      status: 503,
      body: { checks: { listening: false } },
    });
  });

  it("/readyz is 503 once the broker closed", async () => {
    const { broker, admin } = await bed.start();
    await broker.close();
    expect(await getJson(`${admin.url}readyz`)).toMatchObject({
      status: 503,
      body: { store: "closed", checks: { running: false, store: false } },
    });
  });
});

describe("JSON API", () => {
  it("/api/info names the listeners and the WebSocket URL for the dashboard", async () => {
    const { admin, mqttPort, wsPort } = await bed.start();
    const { status, body } = await getJson(`${admin.url}api/info`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      name: "ternmq",
      state: "running",
      store: "open",
      websocketUrl: `ws://127.0.0.1:${wsPort}/mqtt`,
      listeners: [
        { type: "tcp", host: "127.0.0.1", port: mqttPort },
        { type: "ws", host: "127.0.0.1", port: wsPort, path: "/mqtt" },
      ],
    });
  });

  it("/api/clients lists each client's connection and session, with search", async () => {
    const { admin, mqttPort } = await bed.start();
    const sensor = await bed.client(mqttPort, {
      clientId: "sensor-7",
      keepalive: 42,
      clean: false,
    });
    await sensor.subscribeAsync({ "s/+/t": { qos: 1 }, "s/#": { qos: 0 } });
    await bed.client(mqttPort, { clientId: "other", protocolVersion: 3, protocolId: "MQIsdp" });
    const { body } = await getJson(`${admin.url}api/clients`);
    expect(body).toHaveLength(2);
    const [other, found] = body as Record<string, unknown>[];
    expect(other).toMatchObject({ clientId: "other", protocolVersion: 3 });
    expect(found).toMatchObject({
      clientId: "sensor-7",
      connected: true,
      persistent: true,
      remoteAddress: "127.0.0.1",
      protocolVersion: 4,
      keepaliveSeconds: 42,
      subscriptions: [
        { topicFilter: "s/+/t", qos: 1 },
        { topicFilter: "s/#", qos: 0 },
      ],
      inflight: 0,
      queued: 0,
    });
    expect(found?.connectedAt).toBeTypeOf("number");
    const searched = await getJson(`${admin.url}api/clients?search=SENSOR`);
    expect((searched.body as { clientId: string }[]).map((client) => client.clientId)).toEqual([
      "sensor-7",
    ]);
    expect((await getJson(`${admin.url}api/clients/sensor-7`)).body).toMatchObject({
      keepaliveSeconds: 42,
    });
    expect((await getJson(`${admin.url}api/clients/nobody`)).status).toBe(404);
    expect((await getJson(`${admin.url}api/subscriptions`)).body).toEqual([
      { clientId: "sensor-7", topicFilter: "s/+/t", qos: 1 },
      { clientId: "sensor-7", topicFilter: "s/#", qos: 0 },
    ]);
  });

  it("/api/retained and /api/topics show the retained messages and the traffic's last payloads", async () => {
    const { admin, mqttPort } = await bed.start();
    const publisher = await bed.client(mqttPort, { clientId: "pub" });
    await publisher.publishAsync("home/kitchen/temp", "21.5", { qos: 1, retain: true });
    await publisher.publishAsync("home/kitchen/temp", "22.0", { qos: 1 });
    await publisher.publishAsync("bin/data", Buffer.from([0xff, 0x00, 0xfe]), { qos: 1 });
    const retained = await getJson(`${admin.url}api/retained`);
    expect(retained.body).toMatchObject([
      { topic: "home/kitchen/temp", qos: 1, payload: "21.5", encoding: "utf8", bytes: 4 },
    ]);
    const topics = await getJson(`${admin.url}api/topics`);
    expect(topics.body).toMatchObject([
      { topic: "bin/data", payload: "/wD+", encoding: "base64", bytes: 3 },
      { topic: "home/kitchen/temp", payload: "22.0", retain: false, messages: 2 },
    ]);
    expect((await getJson(`${admin.url}api/retained?limit=0`)).status).toBe(400);
  });

  it("the topic tree starts with the retained messages stored before the admin server", async () => {
    const broker = bed.broker();
    await broker.publish({
      topic: "boot/state",
      payload: new TextEncoder().encode("up"),
      qos: 0,
      retain: true,
    });
    const admin = await bed.admin(broker);
    await expect
      .poll(async () => (await getJson(`${admin.url}api/topics`)).body, { timeout: 10_000 })
      .toMatchObject([{ topic: "boot/state", payload: "up", retain: true }]);
  });

  it("the topic tree keeps at most maxTopics topics, dropping the least recently published", async () => {
    const { admin, mqttPort } = await bed.start({ maxTopics: 2 });
    const publisher = await bed.client(mqttPort, { clientId: "pub" });
    for (const topic of ["t/1", "t/2", "t/1", "t/3"])
      await publisher.publishAsync(topic, "x", { qos: 1 });
    const topics = (await getJson(`${admin.url}api/topics`)).body as { topic: string }[];
    expect(topics.map((entry) => entry.topic)).toEqual(["t/1", "t/3"]);
  });
});

describe("POST /api/clients/:id/disconnect", () => {
  it("closes the client's connection (reason admin-disconnect) and publishes its will", async () => {
    const { broker, admin, mqttPort } = await bed.start();
    const watcher = await bed.client(mqttPort, { clientId: "watcher" });
    await watcher.subscribeAsync("wills/#", { qos: 1 });
    const will = collect(watcher, 1);
    const victim = await bed.client(mqttPort, {
      clientId: "victim/1",
      will: { topic: "wills/victim", payload: Buffer.from("gone"), qos: 1, retain: false },
    });
    const closed = new Promise<void>((resolve) => victim.once("close", () => resolve()));
    const reason = disconnected(broker, "victim/1");
    const answer = await getJson(`${admin.url}api/clients/victim%2F1/disconnect`, {
      method: "POST",
    });
    expect(answer).toMatchObject({
      status: 200,
      body: { clientId: "victim/1", disconnected: true },
    });
    expect(await reason).toBe("admin-disconnect");
    await closed;
    expect(await will).toEqual([{ topic: "wills/victim", payload: "gone", qos: 1 }]);
    expect(
      (await getJson(`${admin.url}api/clients/victim%2F1/disconnect`, { method: "POST" })).status,
    ).toBe(404);
  });

  it("refuses GET (405) and a POST from another origin (403)", async () => {
    const { admin, mqttPort } = await bed.start();
    await bed.client(mqttPort, { clientId: "stays" });
    const get = await getJson(`${admin.url}api/clients/stays/disconnect`);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    const crossSite = await getJson(`${admin.url}api/clients/stays/disconnect`, {
      method: "POST",
      headers: { Origin: "http://evil.example" },
    });
    expect(crossSite.status).toBe(403);
    expect((await getJson(`${admin.url}api/clients/stays`)).body).toMatchObject({
      connected: true,
    });
  });
});

describe("dashboard files", () => {
  it("serves the bundled dashboard: index.html, its script and its styles", async () => {
    const { admin } = await bed.start();
    const page = await fetch(admin.url);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await page.text()).toContain('<script type="module" src="dashboard.js">');
    const script = await fetch(`${admin.url}dashboard.js`);
    expect(script.headers.get("content-type")).toMatch(/^text\/javascript/);
    const code = await script.text();
    expect(code.length).toBeGreaterThan(10_000);
    expect(code).not.toMatch(/from\s*["'](node:|ws["'])/); // bundled for browsers, no imports left
    const styles = await fetch(`${admin.url}dashboard.css`);
    expect(await styles.text()).toContain(".uplot");
    expect((await fetch(`${admin.url}nothing-here`)).status).toBe(404);
  });
});
