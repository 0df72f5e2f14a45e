/** The clients (connected and offline persistent sessions) with a search box and a disconnect button. */
import { useState } from "preact/hooks";
import { type Client, post } from "./api.js";
import { usePoll } from "./use-poll.js";

const POLL_MS = 2000;

export function Clients() {
  const [search, setSearch] = useState("");
  const [message, setMessage] = useState<string | undefined>(undefined);
  const path = `/api/clients?search=${encodeURIComponent(search)}`;
  const { data, error } = usePoll<Client[]>(path, POLL_MS);
  const disconnect = async (clientId: string): Promise<void> => {
    try {
      await post(`/api/clients/${encodeURIComponent(clientId)}/disconnect`);
      setMessage(`${clientId} disconnected`);
    } catch (failure) {
      setMessage(`${clientId}: ${(failure as Error).message}`);
    }
  };
  return (
    <section class="panel">
      <h2>Clients</h2>
      <input
        type="search"
        placeholder="Search client id, user, address"
        value={search}
        onInput={(event) => setSearch(event.currentTarget.value)}
        aria-label="Search clients"
      />
      {error !== undefined && <p class="error">Clients: {error}</p>}
      {message !== undefined && <p class="note">{message}</p>}
      <table class="clients">
        <thead>
          <tr>
            <th>Client id</th>
            <th>Address</th>
            <th>User</th>
            <th>MQTT</th>
            <th>Keepalive</th>
            <th>Subscriptions</th>
            <th>Inflight</th>
            <th>Queued</th>
            <th>Connected since</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(data ?? []).map((client) => (
            <tr
              key={client.clientId}
              class={client.connected ? "" : "offline"}
              data-client-id={client.clientId}
            >
              <td class="mono">{client.clientId}</td>
              <td class="mono">{client.remoteAddress ?? "offline"}</td>
              <td>{client.username ?? ""}</td>
              <td>{protocolName(client.protocolVersion)}</td>
              <td>{client.keepaliveSeconds === undefined ? "" : `${client.keepaliveSeconds} s`}</td>
              <td
                title={client.subscriptions
                  .map((entry) => `${entry.topicFilter} (QoS ${entry.qos})`)
                  .join("\n")}
              >
                {client.subscriptions.length}
              </td>
              <td>{client.inflight}</td>
              <td>{client.queued}</td>
              <td>
                {client.connectedAt === undefined
                  ? ""
                  : new Date(client.connectedAt).toLocaleTimeString()}
              </td>
              <td>
                {client.connected && (
                  <button type="button" onClick={() => void disconnect(client.clientId)}>
                    Disconnect
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {data !== undefined && data.length === 0 && <p class="note">No clients.</p>}
    </section>
  );
}

function protocolName(version: number | undefined): string {
  if (version === 3) return "3.1";
  if (version === 4) return "3.1.1";
  if (version === 5) return "5.0";
  return "";
}
