// The README example, run as written against an in-process broker (console output captured).
import { afterEach, expect, it } from "vitest";
import { connectAsync } from "../src/index.js";
import { Harness } from "./helpers/harness.js";

const t = new Harness();
afterEach(() => t.cleanup());

it("README: handle, subscribe, messages() and publish at QoS 1, then a graceful end", async () => {
  const log: string[] = [];
  const console = { log: (...parts: unknown[]) => log.push(parts.join(" ")) };
  const { url } = await t.broker();

  const client = await connectAsync(url, { clientId: "readme-example", clean: false });

  client.handle("home/+/temperature", (message) => {
    console.log(`${message.topic}: ${new TextDecoder().decode(message.payload)} °C`);
  });
  const [granted] = await client.subscribe("home/#", { qos: 1 });
  console.log("granted QoS", granted?.returnCode);

  const messages = client.messages("home/#");
  await client.publish("home/kitchen/temperature", "21.5", { qos: 1 });
  const { value } = await messages.next();
  console.log("iterator got", value?.topic, "at QoS", value?.qos);

  await client.end(); // waits for inflight messages, sends DISCONNECT

  expect(log).toStrictEqual([
    "granted QoS 1",
    "home/kitchen/temperature: 21.5 °C",
    "iterator got home/kitchen/temperature at QoS 1",
  ]);
  expect(client.state).toBe("ended");
});
