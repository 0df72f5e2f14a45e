/**
 * The ACL file and its decisions.
 *
 * Design: rules are grouped at parse time (anonymous, per user, per client id, patterns), and
 * the filters that apply to one connection are compiled once per ClientInfo object (a WeakMap,
 * so the cache is bounded by the live connections and freed with them). A publish check then
 * walks a short array of filters with `matchesFilter`, allocating nothing.
 *
 * Lines: `user NAME` and `client ID` open a section; `topic [read|write|readwrite] FILTER`
 * applies to the current section, or to clients without a user name when it comes before any
 * section (as Mosquitto does); `pattern [read|write|readwrite] FILTER` applies to every client,
 * with `%u` the user name and `%c` the client id. The access word defaults to readwrite.
 * Anything not granted is denied.
 */
import {
  isSharedSubscription,
  matchesFilter,
  parseSharedSubscription,
  validateTopicFilter,
} from "@ternmq/topics";
import type { ClientInfo } from "../types.js";
import { AuthFileError } from "./auth-error.js";
import { isIgnorableLine, splitLines } from "./password-file.js";

export type AclAccess = "read" | "write" | "readwrite";

export interface AclRule {
  access: AclAccess;
  filter: string;
  line: number;
}

interface CompiledRules {
  read: string[];
  write: string[];
}

const ACCESS_WORDS: ReadonlySet<string> = new Set(["read", "write", "readwrite"]);
/** Characters that would let a substituted %u / %c widen a pattern. */
const FILTER_SYNTAX = /[+#/]/;

function syntaxError(fileName: string, line: number, message: string): AuthFileError {
  return new AuthFileError("MQTT_ERR_AUTH_ACL_SYNTAX", message, { fileName, line });
}

/** Parses `[access] FILTER` (the words after `topic` or `pattern`). */
function parseRule(words: string[], fileName: string, line: number, isPattern: boolean): AclRule {
  let access: AclAccess = "readwrite";
  let filter: string | undefined;
  if (words.length === 1) {
    filter = words[0];
  } else if (words.length === 2) {
    const [word = "", rest] = words;
    if (!ACCESS_WORDS.has(word)) {
      throw new AuthFileError("MQTT_ERR_AUTH_ACL_ACCESS", `unknown access "${word}"`, {
        fileName,
        line,
      });
    }
    access = word as AclAccess;
    filter = rest;
  }
  if (filter === undefined) throw syntaxError(fileName, line, "expected [access] FILTER");
  const checked = isPattern ? filter.replace(/%[uc]/g, "x") : filter;
  const invalid =
    validateTopicFilter(checked) ?? (isPattern && checked.includes("%") ? "%" : undefined);
  if (invalid !== undefined) {
    throw new AuthFileError("MQTT_ERR_AUTH_ACL_FILTER", `invalid topic filter "${filter}"`, {
      fileName,
      line,
    });
  }
  return { access, filter, line };
}

function addTo(rules: CompiledRules, access: AclAccess, filter: string): void {
  if (access !== "write") rules.read.push(filter);
  if (access !== "read") rules.write.push(filter);
}

/**
 * True when every topic matching `subscription` also matches `granted`: the subscription is
 * equal to or narrower than the granted filter. `+` and `#` in the subscription are only
 * covered by `+` / `#` in the granted filter; a granted wildcard in the first level does not
 * cover a `$` topic [MQTT-4.7.2-1].
 */
export function filterCovers(granted: string, subscription: string): boolean {
  const g = granted.split("/");
  const s = subscription.split("/");
  for (let i = 0; i < g.length; i++) {
    const level = g[i];
    const sub = s[i];
    if (level === "#") {
      return !(i === 0 && sub !== undefined && sub.startsWith("$"));
    }
    if (sub === undefined) return false;
    if (level === "+") {
      if (sub === "#" || (i === 0 && sub.startsWith("$"))) return false;
      continue;
    }
    if (level !== sub) return false;
  }
  // Without a "#" in the granted filter, only a subscription of the same depth is covered.
  return s.length === g.length;
}

/** Parsed ACL rules; `canRead` / `canWrite` / `canSubscribe` decide for one client. */
export class AclRules {
  readonly anonymous: readonly AclRule[];
  readonly users: ReadonlyMap<string, readonly AclRule[]>;
  readonly clients: ReadonlyMap<string, readonly AclRule[]>;
  readonly patterns: readonly AclRule[];
  private readonly compiled = new WeakMap<ClientInfo, CompiledRules>();

  constructor(parts: {
    anonymous: AclRule[];
    users: Map<string, AclRule[]>;
    clients: Map<string, AclRule[]>;
    patterns: AclRule[];
  }) {
    this.anonymous = parts.anonymous;
    this.users = parts.users;
    this.clients = parts.clients;
    this.patterns = parts.patterns;
  }

  /** May `client` receive messages published to `topic`? */
  canRead(client: ClientInfo, topic: string): boolean {
    return this.rulesFor(client).read.some((filter) => matchesFilter(filter, topic));
  }

  /** May `client` publish to `topic`? */
  canWrite(client: ClientInfo, topic: string): boolean {
    for (const filter of this.rulesFor(client).write) {
      if (matchesFilter(filter, topic)) return true;
    }
    return false;
  }

  /**
   * May `client` subscribe to `filter`? Yes when a read rule covers it (see `filterCovers`).
   * A shared subscription is judged by its topic filter part.
   */
  canSubscribe(client: ClientInfo, filter: string): boolean {
    let topicFilter = filter;
    if (isSharedSubscription(filter)) {
      const shared = parseSharedSubscription(filter);
      if (!("topicFilter" in shared)) return false;
      topicFilter = shared.topicFilter;
    }
    return this.rulesFor(client).read.some((granted) => filterCovers(granted, topicFilter));
  }

  private rulesFor(client: ClientInfo): CompiledRules {
    let rules = this.compiled.get(client);
    if (rules === undefined) {
      rules = this.compile(client);
      this.compiled.set(client, rules);
    }
    return rules;
  }

  private compile(client: ClientInfo): CompiledRules {
    const rules: CompiledRules = { read: [], write: [] };
    const { username, clientId } = client;
    const own = username === undefined ? this.anonymous : (this.users.get(username) ?? []);
    for (const rule of own) addTo(rules, rule.access, rule.filter);
    for (const rule of this.clients.get(clientId) ?? []) addTo(rules, rule.access, rule.filter);
    for (const rule of this.patterns) {
      const filter = substitute(rule.filter, username, clientId);
      if (filter !== undefined) addTo(rules, rule.access, filter);
    }
    return rules;
  }
}

/**
 * Replaces %u and %c; undefined (the rule does not apply) when a needed value is missing or
 * holds `+`, `#` or `/`, which would widen the rule (a user named `#`).
 */
function substitute(
  filter: string,
  username: string | undefined,
  clientId: string,
): string | undefined {
  if (
    filter.includes("%u") &&
    (username === undefined || FILTER_SYNTAX.test(username) || username === "")
  ) {
    return undefined;
  }
  if (filter.includes("%c") && (FILTER_SYNTAX.test(clientId) || clientId === "")) return undefined;
  return filter.replace(/%[uc]/g, (token) => (token === "%u" ? (username ?? "") : clientId));
}

/** Parses an ACL file; throws AuthFileError with the line number of the first bad line. */
export function parseAclFile(text: string, fileName: string): AclRules {
  const anonymous: AclRule[] = [];
  const users = new Map<string, AclRule[]>();
  const clients = new Map<string, AclRule[]>();
  const patterns: AclRule[] = [];
  let section = anonymous;
  const lines = splitLines(text);
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index] ?? "";
    if (isIgnorableLine(raw)) continue;
    const line = index + 1;
    const [keyword = "", ...words] = raw.trim().split(/\s+/);
    switch (keyword) {
      case "user":
      case "client": {
        if (words.length !== 1 || words[0] === undefined) {
          throw syntaxError(fileName, line, `expected "${keyword} NAME"`);
        }
        const map = keyword === "user" ? users : clients;
        section = map.get(words[0]) ?? [];
        map.set(words[0], section);
        break;
      }
      case "topic":
        section.push(parseRule(words, fileName, line, false));
        break;
      case "pattern":
        patterns.push(parseRule(words, fileName, line, true));
        break;
      default:
        throw syntaxError(fileName, line, `unknown keyword "${keyword}"`);
    }
  }
  return new AclRules({ anonymous, users, clients, patterns });
}
