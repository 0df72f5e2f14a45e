/**
 * The JSON messages of the `P ev` channel (route and membership events, published by the data
 * layer's Lua ops) and of the `P c:{node}` control channels, parsed and checked.
 *
 * Design: Redis is shared, so a message that does not have the documented shape (another
 * version of TernMQ, a hand-typed PUBLISH) is reported as undefined and ignored by the bus,
 * never thrown from a subscriber callback.
 */
import type { QoS } from "@ternmq/codec";

/** A change of the route tables or of the membership (channel `P ev`). */
export type RouteEvent =
  /** The complete persistent subscription list of a client after a write (`[]`: none). */
  | { t: "p"; c: string; s: Array<[string, QoS]> }
  /** A node route added (`a: 1`) or removed (`a: 0`). */
  | { t: "n"; n: string; f: string; a: 0 | 1 }
  /** A node was forgotten: its node routes, owner entries and wills are gone. */
  | { t: "gone"; n: string }
  /**
   * A barrier of node `n` (`syncRoutes`): published after its route changes, so a node that
   * applies it has applied them; it answers `synced` with the same `id`.
   */
  | { t: "sync"; n: string; id: number };

/** A message for one node (channel `P c:{node}`). */
export type ControlMessage =
  /** Messages were appended to the inbox of `c`, whose owner this node is. */
  | { t: "inbox"; c: string }
  /** Node `from` claims `c`: release it, then answer `released` with the same `id`. */
  | { t: "takeover"; c: string; from: string; id: number }
  /** The answer to `takeover` number `id`. */
  | { t: "released"; c: string; id: number }
  /** Node `c` applied barrier `id` of this node (and every route change before it). */
  | { t: "synced"; c: string; id: number };

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function isQoS(value: unknown): value is QoS {
  return value === 0 || value === 1 || value === 2;
}

function isSubscriptionList(value: unknown): value is Array<[string, QoS]> {
  return (
    Array.isArray(value) &&
    value.every(
      (entry) =>
        Array.isArray(entry) &&
        entry.length === 2 &&
        typeof entry[0] === "string" &&
        isQoS(entry[1]),
    )
  );
}

/** The route event in `text`, or undefined when it is not one. */
export function parseRouteEvent(text: string): RouteEvent | undefined {
  const value = parseObject(text);
  if (value === undefined) return undefined;
  switch (value.t) {
    case "p":
      return typeof value.c === "string" && isSubscriptionList(value.s)
        ? { t: "p", c: value.c, s: value.s }
        : undefined;
    case "n":
      return typeof value.n === "string" &&
        typeof value.f === "string" &&
        (value.a === 0 || value.a === 1)
        ? { t: "n", n: value.n, f: value.f, a: value.a }
        : undefined;
    case "gone":
      return typeof value.n === "string" ? { t: "gone", n: value.n } : undefined;
    case "sync":
      return typeof value.n === "string" && typeof value.id === "number"
        ? { t: "sync", n: value.n, id: value.id }
        : undefined;
    default:
      return undefined;
  }
}

/** The control message in `text`, or undefined when it is not one. */
export function parseControlMessage(text: string): ControlMessage | undefined {
  const value = parseObject(text);
  if (value === undefined || typeof value.c !== "string") return undefined;
  switch (value.t) {
    case "inbox":
      return { t: "inbox", c: value.c };
    case "takeover":
      return typeof value.from === "string" && typeof value.id === "number"
        ? { t: "takeover", c: value.c, from: value.from, id: value.id }
        : undefined;
    case "released":
      return typeof value.id === "number" ? { t: "released", c: value.c, id: value.id } : undefined;
    case "synced":
      return typeof value.id === "number" ? { t: "synced", c: value.c, id: value.id } : undefined;
    default:
      return undefined;
  }
}

/** The text of a control message, as `parseControlMessage` reads it. */
export function formatControlMessage(message: ControlMessage): string {
  return JSON.stringify(message);
}
