/**
 * The admin JSON API as the dashboard calls it. With a token-protected server the token comes
 * from the page's `#token=...` fragment or the sign-in form and is kept for the tab's session;
 * with a password-protected one the browser asks for the user name and password itself (the
 * server answers 401 with a Basic challenge) and sends them on every request.
 */

const TOKEN_KEY = "ternmq-admin-token";

let token: string | undefined = readInitialToken();

function readInitialToken(): string | undefined {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get("token");
  if (fromHash !== null && fromHash !== "") {
    sessionStorage.setItem(TOKEN_KEY, fromHash);
    history.replaceState(null, "", location.pathname + location.search); // off the address bar
    return fromHash;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

export function setToken(value: string): void {
  token = value;
  sessionStorage.setItem(TOKEN_KEY, value);
}

/** The server refused the request's credentials (or their absence). */
export class UnauthorizedError extends Error {
  constructor() {
    super("unauthorized");
  }
}

function headers(): HeadersInit {
  return token === undefined ? {} : { Authorization: `Bearer ${token}` };
}

async function check(response: Response): Promise<Response> {
  if (response.status === 401) throw new UnauthorizedError();
  if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
  return response;
}

export async function getJson<T>(path: string): Promise<T> {
  const response = await check(await fetch(path, { headers: headers() }));
  return (await response.json()) as T;
}

export async function post(path: string): Promise<void> {
  await check(await fetch(path, { method: "POST", headers: headers() }));
}

export interface Listener {
  type: string;
  host: string;
  port: number;
  path?: string;
}

export interface BrokerInfo {
  version: string;
  state: string;
  store: string;
  startedAt: number;
  uptimeSeconds: number;
  listeners: Listener[];
  websocketUrl?: string;
  maxTopics: number;
}

export interface Overview {
  time: number;
  clientsConnected: number;
  sessionsOffline: number;
  clientsMaximum: number;
  connects: number;
  messagesReceivedTotal: number;
  messagesSentTotal: number;
  bytesReceived: number;
  bytesSent: number;
  dropped: Record<string, number>;
  droppedTotal: number;
  inflight: number;
  queued: number;
  retained: number;
  subscriptions: number;
}

export interface Client {
  clientId: string;
  connected: boolean;
  persistent: boolean;
  username?: string;
  remoteAddress?: string;
  protocolVersion?: number;
  keepaliveSeconds?: number;
  connectedAt?: number;
  disconnectedAt?: number;
  subscriptions: { topicFilter: string; qos: number }[];
  inflight: number;
  queued: number;
}

export interface Topic {
  topic: string;
  qos: number;
  retain: boolean;
  messages: number;
  updatedAt: number;
  payload: string;
  encoding: "utf8" | "base64";
  bytes: number;
  truncated: boolean;
}
