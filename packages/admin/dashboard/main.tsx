/** The TernMQ dashboard: overview, clients, topic tree and a "try it" MQTT client. */
import "uplot/dist/uPlot.min.css";
import "./style.css";
import { render } from "preact";
import { useState } from "preact/hooks";
import { type BrokerInfo, setToken } from "./api.js";
import { Clients } from "./clients.js";
import { Overview } from "./overview.js";
import { TopicTree } from "./topic-tree.js";
import { TryIt } from "./try-it.js";
import { usePoll } from "./use-poll.js";

function App() {
  const { data: info, error } = usePoll<BrokerInfo>("/api/info", 5000);
  const [signedIn, setSignedIn] = useState(0);
  if (error === "unauthorized" && info === undefined) {
    return <SignIn onToken={() => setSignedIn(signedIn + 1)} />;
  }
  return (
    <div key={signedIn}>
      <header>
        <h1>TernMQ</h1>
        {info !== undefined && (
          <span class="note">
            version {info.version} · {info.state} · store {info.store} · up{" "}
            {formatUptime(info.uptimeSeconds)} · listeners{" "}
            {info.listeners.map((listener) => `${listener.type}:${listener.port}`).join(", ")}
          </span>
        )}
        {error !== undefined && <span class="error">{error}</span>}
      </header>
      <main>
        <Overview />
        <div class="columns">
          <TopicTree />
          <TryIt websocketUrl={info?.websocketUrl} />
        </div>
        <Clients />
      </main>
    </div>
  );
}

function SignIn({ onToken }: { onToken: () => void }) {
  const [value, setValue] = useState("");
  return (
    <form
      class="panel sign-in"
      onSubmit={(event) => {
        event.preventDefault();
        setToken(value);
        onToken();
      }}
    >
      <h1>TernMQ</h1>
      <p>This admin server needs its token (ternmq-broker --admin-token).</p>
      <input
        type="password"
        value={value}
        onInput={(event) => setValue(event.currentTarget.value)}
        aria-label="Token"
      />
      <button type="submit">Sign in</button>
    </form>
  );
}

function formatUptime(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

const root = document.getElementById("app");
if (root !== null) render(<App />, root);
