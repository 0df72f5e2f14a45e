import { describe, expect, it } from "vitest";
import { AuthFileError, type ClientInfo, filterCovers, parseAclFile } from "../../src/index.js";

const client = (clientId: string, username?: string): ClientInfo => ({
  clientId,
  username,
  protocolVersion: 4,
});

function errorOf(text: string): { code: string; line: number | undefined } {
  try {
    parseAclFile(text, "acl");
  } catch (error) {
    if (AuthFileError.isAuthFileError(error)) return { code: error.code, line: error.line };
    throw error;
  }
  throw new Error("did not throw");
}

const ACL = `
# anonymous clients
topic read public/#

user alice
topic readwrite alice/#
topic write sensors/+/temp
topic read $SYS/#

user bob
topic read sensors/#

client gateway-1
topic write gateways/1/#

pattern readwrite users/%u/#
pattern write devices/%c/status
`;

describe("parseAclFile", () => {
  const rules = parseAclFile(ACL, "acl");

  it("groups topic lines before any user as anonymous, then per user / client", () => {
    expect(rules.anonymous.map((rule) => rule.filter)).toEqual(["public/#"]);
    expect(rules.users.get("alice")?.map((rule) => rule.access)).toEqual([
      "readwrite",
      "write",
      "read",
    ]);
    expect(rules.clients.get("gateway-1")?.[0]?.line).toBe(14);
    expect(rules.patterns.map((rule) => rule.filter)).toEqual(["users/%u/#", "devices/%c/status"]);
  });

  it("defaults the access to readwrite", () => {
    expect(parseAclFile("topic a/b", "acl").anonymous[0]?.access).toBe("readwrite");
  });

  it.each([
    ["unknown keyword", "user a\ntopic read x\nallow x\n", "MQTT_ERR_AUTH_ACL_SYNTAX", 3],
    ["user without name", "\nuser\n", "MQTT_ERR_AUTH_ACL_SYNTAX", 2],
    ["client with two names", "client a b\n", "MQTT_ERR_AUTH_ACL_SYNTAX", 1],
    ["topic without filter", "# c\ntopic\n", "MQTT_ERR_AUTH_ACL_SYNTAX", 2],
    ["too many words", "topic read a b\n", "MQTT_ERR_AUTH_ACL_SYNTAX", 1],
    ["unknown access", "\n\ntopic deny a/b\n", "MQTT_ERR_AUTH_ACL_ACCESS", 3],
    ["invalid filter", "topic read a/#/b\n", "MQTT_ERR_AUTH_ACL_FILTER", 1],
    ["invalid pattern", "pattern read a+/%u\n", "MQTT_ERR_AUTH_ACL_FILTER", 1],
    ["unknown % escape", "pattern read a/%x\n", "MQTT_ERR_AUTH_ACL_FILTER", 1],
  ])("reports %s with its line number", (_name, text, code, line) => {
    expect(errorOf(text)).toEqual({ code, line });
  });
});

describe("AclRules decisions", () => {
  const rules = parseAclFile(ACL, "acl");
  const anonymous = client("anon-1");
  const alice = client("alice-phone", "alice");
  const bob = client("bob-1", "bob");

  it("denies by default: no rule, no access", () => {
    expect(rules.canWrite(bob, "public/news")).toBe(false);
    expect(rules.canRead(client("x", "carol"), "public/news")).toBe(false);
    expect(rules.canSubscribe(client("x", "carol"), "alice/#")).toBe(false);
  });

  it("anonymous rules apply only to clients without a user name", () => {
    expect(rules.canRead(anonymous, "public/news")).toBe(true);
    expect(rules.canWrite(anonymous, "public/news")).toBe(false);
    expect(rules.canRead(alice, "public/news")).toBe(false);
  });

  it("user rules: read, write and readwrite with wildcards", () => {
    expect(rules.canWrite(alice, "alice/inbox")).toBe(true);
    expect(rules.canRead(alice, "alice/inbox")).toBe(true);
    expect(rules.canWrite(alice, "sensors/kitchen/temp")).toBe(true);
    expect(rules.canRead(alice, "sensors/kitchen/temp")).toBe(false);
    expect(rules.canWrite(alice, "sensors/kitchen/humidity")).toBe(false);
    expect(rules.canRead(bob, "sensors/kitchen/temp")).toBe(true);
    expect(rules.canWrite(bob, "sensors/kitchen/temp")).toBe(false);
  });

  it("client rules apply to that client id, whoever the user", () => {
    expect(rules.canWrite(client("gateway-1", "bob"), "gateways/1/up")).toBe(true);
    expect(rules.canWrite(client("gateway-2", "bob"), "gateways/1/up")).toBe(false);
  });

  it("patterns substitute %u and %c for everyone", () => {
    expect(rules.canWrite(bob, "users/bob/settings")).toBe(true);
    expect(rules.canWrite(bob, "users/alice/settings")).toBe(false);
    expect(rules.canWrite(bob, "devices/bob-1/status")).toBe(true);
    expect(rules.canWrite(anonymous, "devices/anon-1/status")).toBe(true);
    // %u with no user name: the pattern does not apply.
    expect(rules.canWrite(anonymous, "users//settings")).toBe(false);
  });

  it("a user name or client id holding #, + or / does not widen a pattern", () => {
    for (const name of ["#", "+", "a/b", "x/#"]) {
      const hostile = client(name, name);
      expect(rules.canWrite(hostile, "users/bob/settings")).toBe(false);
      expect(rules.canWrite(hostile, "devices/bob-1/status")).toBe(false);
      expect(rules.canSubscribe(hostile, "users/+/settings")).toBe(false);
    }
    expect(rules.canWrite(client("a/b", "a/b"), "users/a/b/x")).toBe(false);
    expect(rules.canWrite(client("a/b"), "devices/a/b/status")).toBe(false);
  });

  it("[MQTT-4.7.2-1] a # rule does not grant $SYS; an explicit $SYS rule does", () => {
    const all = parseAclFile("topic read #\n", "acl");
    expect(all.canRead(anonymous, "anything/at/all")).toBe(true);
    expect(all.canRead(anonymous, "$SYS/broker/uptime")).toBe(false);
    expect(all.canSubscribe(anonymous, "$SYS/#")).toBe(false);
    expect(all.canSubscribe(anonymous, "#")).toBe(true);
    expect(rules.canRead(alice, "$SYS/broker/uptime")).toBe(true);
    expect(rules.canSubscribe(alice, "$SYS/broker/+")).toBe(true);
  });

  it("SUBSCRIBE is allowed when the filter is equal to or narrower than a read rule", () => {
    expect(rules.canSubscribe(bob, "sensors/#")).toBe(true);
    expect(rules.canSubscribe(bob, "sensors/+/temp")).toBe(true);
    expect(rules.canSubscribe(bob, "sensors")).toBe(true);
    expect(rules.canSubscribe(bob, "#")).toBe(false);
    expect(rules.canSubscribe(bob, "+/kitchen/temp")).toBe(false);
    // write-only rules do not grant subscriptions
    expect(rules.canSubscribe(alice, "sensors/+/temp")).toBe(false);
    expect(rules.canSubscribe(bob, "$share/g/sensors/+/temp")).toBe(true);
    expect(rules.canSubscribe(bob, "$share/g/other")).toBe(false);
  });
});

describe("filterCovers", () => {
  it.each([
    ["a/#", "a/b/c", true],
    ["a/#", "a", true],
    ["a/#", "a/#", true],
    ["a/+", "a/b", true],
    ["a/+", "a/+", true],
    ["a/+", "a/#", false],
    ["a/+", "a/b/c", false],
    ["a/b", "a/+", false],
    ["a/b", "a/b", true],
    ["+/b", "$x/b", false],
    ["#", "$SYS/x", false],
    ["#", "+/x", true],
    ["$SYS/#", "$SYS/broker/+", true],
  ])("%s covers %s: %s", (granted, subscription, expected) => {
    expect(filterCovers(granted, subscription)).toBe(expected);
  });
});
