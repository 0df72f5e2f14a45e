/**
 * "Try it": an MQTT client in the page, over the broker's WebSocket listener (its URL comes
 * from `/api/info`): subscribe to a filter, see the messages arrive, publish one.
 */
import { connectAsync, type MqttClient } from "@ternmq/client/browser";
import { useEffect, useRef, useState } from "preact/hooks";

const MAX_MESSAGES = 200;

interface Received {
  id: number;
  topic: string;
  payload: string;
  qos: number;
  retain: boolean;
  at: number;
}

type PanelState = "idle" | "connecting" | "connected" | "failed";

const decoder = new TextDecoder();

export function TryIt({ websocketUrl }: { websocketUrl: string | undefined }) {
  const [state, setState] = useState<PanelState>("idle");
  const [status, setStatus] = useState("");
  const [filter, setFilter] = useState("#");
  const [topic, setTopic] = useState("dashboard/hello");
  const [payload, setPayload] = useState("hello from the dashboard");
  const [messages, setMessages] = useState<Received[]>([]);
  const client = useRef<MqttClient | undefined>(undefined);
  const nextId = useRef(0);

  useEffect(() => () => void client.current?.end({ force: true }), []);

  if (websocketUrl === undefined) {
    return (
      <section class="panel">
        <h2>Try it</h2>
        <p class="note">The broker has no WebSocket listener (start it with --ws-port).</p>
      </section>
    );
  }

  const connect = async (): Promise<void> => {
    setState("connecting");
    setStatus(`connecting to ${websocketUrl}`);
    try {
      const connected = await connectAsync(websocketUrl, {
        clientId: `dashboard-${Math.random().toString(36).slice(2, 10)}`,
        clean: true,
        reconnect: false,
      });
      client.current = connected;
      connected.on("message", (receivedTopic, bytes, message) => {
        const entry: Received = {
          id: nextId.current++,
          topic: receivedTopic,
          payload: decoder.decode(bytes),
          qos: message.qos,
          retain: message.retain,
          at: Date.now(),
        };
        setMessages((list) => [entry, ...list].slice(0, MAX_MESSAGES));
      });
      connected.on("close", () => {
        setState("idle");
        setStatus("disconnected");
      });
      await connected.subscribe(filter, { qos: 1 });
      setState("connected");
      setStatus(`subscribed to ${filter} over ${websocketUrl}`);
    } catch (error) {
      setState("failed");
      setStatus(`failed: ${(error as Error).message}`);
    }
  };

  const disconnect = async (): Promise<void> => {
    const current = client.current;
    client.current = undefined;
    await current?.end();
    setState("idle");
    setStatus("disconnected");
  };

  const publish = async (): Promise<void> => {
    try {
      await client.current?.publish(topic, payload, { qos: 1 });
    } catch (error) {
      setStatus(`publish failed: ${(error as Error).message}`);
    }
  };

  return (
    <section class="panel">
      <h2>Try it</h2>
      <p class="note">
        An MQTT client in this page, over <span class="mono">{websocketUrl}</span>.
      </p>
      <div class="form-row">
        <label>
          Filter{" "}
          <input
            value={filter}
            onInput={(event) => setFilter(event.currentTarget.value)}
            disabled={state === "connected"}
          />
        </label>
        {state === "connected" ? (
          <button type="button" onClick={() => void disconnect()}>
            Disconnect
          </button>
        ) : (
          <button
            type="button"
            onClick={() => void connect()}
            disabled={state === "connecting"}
            data-testid="try-connect"
          >
            Connect and subscribe
          </button>
        )}
        <span class="note" data-testid="try-status">
          {status}
        </span>
      </div>
      {state === "connected" && (
        <div class="form-row">
          <label>
            Topic <input value={topic} onInput={(event) => setTopic(event.currentTarget.value)} />
          </label>
          <label>
            Payload{" "}
            <input value={payload} onInput={(event) => setPayload(event.currentTarget.value)} />
          </label>
          <button type="button" onClick={() => void publish()}>
            Publish (QoS 1)
          </button>
        </div>
      )}
      <ul class="messages" data-testid="try-messages">
        {messages.map((message) => (
          <li key={message.id}>
            <span class="time">{new Date(message.at).toLocaleTimeString()}</span>{" "}
            <span class="mono">{message.topic}</span> <span class="qos">QoS {message.qos}</span>
            {message.retain && <span class="qos">retained</span>}{" "}
            <span class="payload-inline">{message.payload}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
