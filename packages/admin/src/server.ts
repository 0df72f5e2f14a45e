/**
 * `startAdminServer`: the operations HTTP listener of a broker: Prometheus metrics, health
 * and readiness probes, a JSON API, the disconnect action and the web dashboard.
 *
 * Design: one node:http server and one routing function. Probes (`/healthz`, `/readyz`)
 * and the dashboard's static files (which hold no data) need no credentials; `/metrics` and
 * `/api/*` do whenever a `token` or `authenticate` is set, and one of them must be set to
 * listen anywhere but a loopback address. The server keeps two things of its own: the
 * metrics Registry (metrics.ts) and the bounded topic tree, fed by the broker's `published`
 * event and seeded with the retained messages. `close()` detaches both from the broker.
 *
 * state: "listening" -> "closed" (close(); idempotent).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Broker, BrokerMessage, ClientInfo } from "@ternmq/broker";
import * as api from "./api.js";
import { AdminAuth, type AdminAuthenticate } from "./auth.js";
import { CONTENT_TYPES, dashboardFiles } from "./dashboard-assets.js";
import { AdminError } from "./errors.js";
import { createBrokerMetrics } from "./metrics.js";
import { DEFAULT_MAX_TOPICS, TopicTree } from "./topic-tree.js";

export interface AdminServerOptions {
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Address to bind; default "127.0.0.1". Elsewhere, `token` or `authenticate` is required. */
  host?: string;
  /** Bearer token for `/metrics` and `/api/*` (`Authorization: Bearer <token>`). */
  token?: string;
  /** Checks HTTP Basic credentials (e.g. against the broker's password file). */
  authenticate?: AdminAuthenticate;
  /** Most topics the topic tree keeps (the least recently published go first). Default 1000. */
  maxTopics?: number;
}

export interface AdminServer {
  readonly port: number;
  readonly host: string;
  /** `http://host:port/`, the dashboard. */
  readonly url: string;
  state: "listening" | "closed";
  /** Stops listening, ends open HTTP connections, detaches from the broker. Idempotent. */
  close(): Promise<void>;
}

/** Most retained messages `/api/retained` returns without a `limit`, and its maximum. */
const DEFAULT_RETAINED_LIMIT = 1000;
const MAX_RETAINED_LIMIT = 10_000;

const DASHBOARD_PATHS: Readonly<Record<string, string>> = {
  "/": "index.html",
  "/index.html": "index.html",
  "/dashboard.js": "dashboard.js",
  "/dashboard.css": "dashboard.css",
};

const DISCONNECT_PATH = /^\/api\/clients\/([^/]+)\/disconnect$/;
const CLIENT_PATH = /^\/api\/clients\/([^/]+)$/;

/**
 * Starts the admin HTTP server of `broker`.
 *
 * Returns: the bound address and `close()`.
 * Throws (rejects): AdminError MQTT_ERR_ADMIN_UNPROTECTED when `host` is not a loopback
 * address and neither `token` nor `authenticate` is set; MQTT_ERR_ADMIN_INVALID_OPTION for an
 * empty token or a `maxTopics` below 1; the listen error (EADDRINUSE, ...).
 */
export async function startAdminServer(
  broker: Broker,
  options: AdminServerOptions,
): Promise<AdminServer> {
  const host = options.host ?? "127.0.0.1";
  const auth = new AdminAuth({ host, token: options.token, authenticate: options.authenticate });
  const maxTopics = options.maxTopics ?? DEFAULT_MAX_TOPICS;
  if (!Number.isInteger(maxTopics) || maxTopics < 1) {
    throw new AdminError("MQTT_ERR_ADMIN_INVALID_OPTION", "maxTopics must be an integer >= 1");
  }
  const tree = new TopicTree(maxTopics);
  const onPublished = (_client: ClientInfo | undefined, message: BrokerMessage): void => {
    tree.record(message.topic, message.payload, message.qos, message.retain);
  };
  broker.on("published", onPublished);
  const metrics = createBrokerMetrics(broker, tree);
  void seedRetained(broker, tree);

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    route(request, response).catch(() => {
      if (!response.headersSent) sendJson(response, 500, { error: "internal error" });
      else response.destroy();
    });
  };

  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? "/", "http://admin.invalid");
    const path = url.pathname;
    const method = request.method ?? "GET";
    if (path === "/healthz") return sendJson(response, 200, { status: "ok" });
    if (path === "/readyz") return sendReadiness(broker, response);
    const file = DASHBOARD_PATHS[path];
    if (file !== undefined) {
      if (method !== "GET" && method !== "HEAD") return sendMethodNotAllowed(response, "GET");
      return sendDashboardFile(response, file);
    }
    if (path !== "/metrics" && !path.startsWith("/api/")) {
      return sendJson(response, 404, { error: "not found" });
    }
    if ((await auth.check(request)) === "denied") {
      response.setHeader("WWW-Authenticate", auth.challenge);
      return sendJson(response, 401, { error: "unauthorized" });
    }
    const disconnect = DISCONNECT_PATH.exec(path);
    if (disconnect !== null) {
      if (method !== "POST") return sendMethodNotAllowed(response, "POST");
      // A page of another site may POST here (no preflight for a bodyless POST): refused.
      if (!sameOrigin(request)) return sendJson(response, 403, { error: "cross-origin request" });
      const clientId = decodeURIComponent(disconnect[1] ?? "");
      return broker.inspector.disconnect(clientId)
        ? sendJson(response, 200, { clientId, disconnected: true })
        : sendJson(response, 404, { error: "client not connected", clientId });
    }
    if (method !== "GET" && method !== "HEAD") return sendMethodNotAllowed(response, "GET");
    if (path === "/metrics") {
      const text = await metrics.registry.metrics();
      response.writeHead(200, { "Content-Type": metrics.registry.contentType });
      response.end(text);
      return;
    }
    const client = CLIENT_PATH.exec(path);
    if (client !== null) {
      const details = broker.inspector.client(decodeURIComponent(client[1] ?? ""));
      return details === undefined
        ? sendJson(response, 404, { error: "no such client" })
        : sendJson(response, 200, details);
    }
    switch (path) {
      case "/api/info":
        return sendJson(response, 200, api.brokerInfo(broker, tree, requestHostname(request)));
      case "/api/overview":
        return sendJson(response, 200, api.overview(broker));
      case "/api/clients":
        return sendJson(response, 200, api.clients(broker, url.searchParams.get("search")));
      case "/api/subscriptions":
        return sendJson(response, 200, api.subscriptions(broker));
      case "/api/retained": {
        const limit = Number(url.searchParams.get("limit") ?? DEFAULT_RETAINED_LIMIT);
        if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RETAINED_LIMIT) {
          return sendJson(response, 400, {
            error: `limit: an integer from 1 to ${MAX_RETAINED_LIMIT}`,
          });
        }
        return sendJson(response, 200, await api.retained(broker, limit));
      }
      case "/api/topics":
        return sendJson(response, 200, api.topics(tree));
      default:
        return sendJson(response, 404, { error: "not found" });
    }
  };

  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  }).catch((error: unknown) => {
    broker.off("published", onPublished);
    metrics.stop();
    throw error;
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port;
  const urlHost = host.includes(":") ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  const admin: AdminServer = {
    port,
    host,
    url: `http://${urlHost}:${port}/`,
    state: "listening",
    close() {
      closing ??= new Promise<void>((resolve) => {
        admin.state = "closed";
        broker.off("published", onPublished);
        metrics.stop();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
  return admin;
}

/** The tree starts with the retained messages (traffic already seen is newer: kept). */
async function seedRetained(broker: Broker, tree: TopicTree): Promise<void> {
  try {
    await broker.ready;
    for (const message of await broker.inspector.retained(tree.maxTopics)) {
      if (tree.get(message.topic) === undefined) {
        tree.record(message.topic, message.payload, message.qos, true);
      }
    }
  } catch {
    // A broker that failed to start has no retained messages to show; /readyz tells why.
  }
}

function sendReadiness(broker: Broker, response: ServerResponse): void {
  const checks = {
    running: broker.state === "running",
    store: broker.inspector.storeState === "open",
    listening: broker.inspector.listeners().length > 0,
  };
  const ready = checks.running && checks.store && checks.listening;
  sendJson(response, ready ? 200 : 503, {
    status: ready ? "ready" : "not ready",
    checks,
    store: broker.inspector.storeState,
  });
}

async function sendDashboardFile(response: ServerResponse, name: string): Promise<void> {
  const files = await dashboardFiles();
  const body = files.get(name);
  if (body === undefined) return sendJson(response, 404, { error: "not found" });
  response.writeHead(200, {
    "Content-Type": CONTENT_TYPES[name] ?? "application/octet-stream",
    "Content-Length": body.length,
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
  });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Control": "no-store",
  });
  response.end(text);
}

function sendMethodNotAllowed(response: ServerResponse, allowed: string): void {
  response.setHeader("Allow", allowed);
  sendJson(response, 405, { error: "method not allowed" });
}

/** No `Origin` (curl, scripts) or the admin server's own origin. */
function sameOrigin(request: IncomingMessage): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

/** The host name the client used to reach us (for URLs of other listeners). */
function requestHostname(request: IncomingMessage): string {
  try {
    return new URL(`http://${request.headers.host ?? "localhost"}`).hostname.replace(
      /^\[|\]$/g,
      "",
    );
  } catch {
    return "localhost";
  }
}
