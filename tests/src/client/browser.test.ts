/**
 * @ternmq/client's browser bundle in headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core) against our broker's WebSocket listener: the page connects, subscribes,
 * publishes at QoS 0 and 1 and receives its own messages, receives a message published from
 * Node, and Node receives one published by the page. Chromium missing is a failure, not a skip.
 */
import { access, constants } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Broker } from "@ternmq/broker";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBrowserBundle } from "./browser-bundle.js";
import { TernmqClientPool, type TextMessage } from "./ternmq-clients.js";

const chromiumPath = "/usr/bin/chromium";
/** Flags that keep Debian's Chromium quiet and offline in a container (docs/toolchain.md). */
const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];
const waitMs = 15_000;

const pageHtml = `<!doctype html>
<meta charset="utf-8">
<title>ternmq browser test</title>
<script type="module">
  import * as ternmq from "/client.js";
  globalThis.ternmq = ternmq;
  globalThis.received = [];
  globalThis.ternmqReady = true;
</script>`;

/** What the page's global scope holds (the test runs its code there with `page.evaluate`). */
interface PageGlobals {
  ternmq: typeof import("@ternmq/client/browser");
  client: import("@ternmq/client").MqttClient;
  received: TextMessage[];
}

let broker: Broker;
let webSocketPort: number;
let pageServer: Server;
let browser: Browser | undefined;
let page: Page;
const nodeClients = new TernmqClientPool();

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  await access(chromiumPath, constants.X_OK).catch(() => {
    throw new Error(
      `Debian's Chromium is needed at ${chromiumPath} for the browser test: apt-get install -y chromium`,
    );
  });
  const bundle = await buildBrowserBundle();
  broker = new Broker({ logger: { level: "silent" }, sysInterval: 0 });
  webSocketPort = (await broker.listenWebSocket({ port: 0, host: "127.0.0.1" })).port;
  pageServer = createServer((request, response) => {
    const body = request.url === "/client.js" ? bundle : pageHtml;
    const type = request.url === "/client.js" ? "text/javascript" : "text/html";
    response.writeHead(200, { "content-type": `${type}; charset=utf-8` }).end(body);
  });
  const pagePort = await listen(pageServer);
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`http://127.0.0.1:${pagePort}/`);
  await page
    .waitForFunction(
      () => (globalThis as { ternmqReady?: boolean }).ternmqReady === true,
      undefined,
      { timeout: waitMs },
    )
    .catch((error: unknown) => {
      throw new Error(`the page did not load the bundle: ${errors.join("; ") || String(error)}`);
    });
}, 120_000);

afterAll(async () => {
  await nodeClients.endAll();
  await browser?.close();
  await new Promise<void>((resolve) =>
    pageServer ? pageServer.close(() => resolve()) : resolve(),
  );
  await broker?.close();
}, 30_000);

describe("@ternmq/client in headless Chromium over WebSocket", { timeout: 60_000 }, () => {
  it("connects, subscribes, publishes at QoS 0 and 1 and receives its own messages", async () => {
    const url = `ws://127.0.0.1:${webSocketPort}/mqtt`;
    const granted = await page.evaluate(async (url) => {
      const globals = globalThis as unknown as PageGlobals;
      const client = await globals.ternmq.connectAsync(url, { reconnect: false });
      globals.client = client;
      const decoder = new TextDecoder();
      client.on("message", (topic, payload, message) => {
        globals.received.push({
          topic,
          payload: decoder.decode(payload),
          qos: message.qos,
          retain: message.retain,
        });
      });
      const result = await client.subscribe("browser/#", { qos: 1 });
      await client.publish("browser/self", "qos 0 from the page", { qos: 0 });
      await client.publish("browser/self", "qos 1 from the page", { qos: 1 });
      return result;
    }, url);
    expect(granted).toEqual([{ topicFilter: "browser/#", returnCode: 1 }]);
    await page.waitForFunction(
      () => (globalThis as unknown as PageGlobals).received.length >= 2,
      undefined,
      { timeout: waitMs },
    );
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).received)).toEqual([
      { topic: "browser/self", payload: "qos 0 from the page", qos: 0, retain: false },
      { topic: "browser/self", payload: "qos 1 from the page", qos: 1, retain: false },
    ]);
  });

  it("receives what Node publishes, and Node receives what the page publishes", async () => {
    const node = await nodeClients.connect(`ws://127.0.0.1:${webSocketPort}/mqtt`);
    await node.client.subscribe("to-node", { qos: 1 });
    await node.client.publish("browser/from-node", "hello page", { qos: 1 });
    await page.waitForFunction(
      () => (globalThis as unknown as PageGlobals).received.length >= 3,
      undefined,
      { timeout: waitMs },
    );
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).received[2])).toEqual({
      topic: "browser/from-node",
      payload: "hello page",
      qos: 1,
      retain: false,
    });
    await page.evaluate(async () => {
      const { client } = globalThis as unknown as PageGlobals;
      await client.publish("to-node", "hello node", { qos: 1 });
      await client.end();
    });
    expect(await node.waitForMessages(1, waitMs)).toEqual([
      { topic: "to-node", payload: "hello node", qos: 1, retain: false },
    ]);
  });
});
