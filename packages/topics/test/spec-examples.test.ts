import { describe, expect, it } from "vitest";
import {
  matchesFilter,
  parseSharedSubscription,
  SubscriptionTree,
  TopicError,
  validateTopicFilter,
  validateTopicName,
} from "../src/index.js";

// Every example of MQTT 3.1.1 section 4.7 and MQTT 5.0 sections 4.7 and 4.8.2. Statement ids are
// 3.1.1's, with 5.0's in parentheses where they differ. Each matching example is checked with
// both matchers: matchesFilter (one pair) and SubscriptionTree (the broker's index).

function treeMatches(filter: string, topic: string): boolean {
  const tree = new SubscriptionTree<number>();
  tree.add(filter, "client", 0);
  return tree.match(topic).length === 1;
}

function expectMatch(filter: string, topic: string, expected: boolean): void {
  expect(validateTopicFilter(filter)).toBeUndefined();
  expect(validateTopicName(topic)).toBeUndefined();
  expect(matchesFilter(filter, topic)).toBe(expected);
  expect(treeMatches(filter, topic)).toBe(expected);
}

function expectFilterError(filter: string, code: string): void {
  expect(validateTopicFilter(filter)?.code).toBe(code);
}

describe("4.7.1.1 Topic level separator", () => {
  it("adjacent separators are a zero-length level: a/b//c has four levels", () => {
    expectMatch("a/b//c", "a/b//c", true);
    expectMatch("a/b/+/c", "a/b//c", true);
    expectMatch("a/b/c", "a/b//c", false);
  });
});

describe("4.7.1.2 Multi-level wildcard", () => {
  it('non-normative: "sport/tennis/player1/#" receives sport/tennis/player1 and below', () => {
    expectMatch("sport/tennis/player1/#", "sport/tennis/player1", true);
    expectMatch("sport/tennis/player1/#", "sport/tennis/player1/ranking", true);
    expectMatch("sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true);
  });

  it('non-normative: "sport/#" also matches the singular "sport"', () => {
    expectMatch("sport/#", "sport", true);
  });

  it('non-normative: "#" is valid and receives every Application Message', () => {
    expectMatch("#", "sport", true);
    expectMatch("#", "sport/tennis/player1", true);
    expectMatch("#", "/", true);
  });

  it('non-normative: "sport/tennis/#" is valid', () => {
    expect(validateTopicFilter("sport/tennis/#")).toBeUndefined();
    expectMatch("sport/tennis/#", "sport/tennis/player1/ranking", true);
  });

  it('[MQTT-4.7.1-2] (5.0 MQTT-4.7.1-1) "#" must be the last character: "sport/tennis#" is invalid', () => {
    expectFilterError("sport/tennis#", "MQTT_ERR_TOPIC_INVALID_WILDCARD");
  });

  it('[MQTT-4.7.1-2] (5.0 MQTT-4.7.1-1) "#" must be the last character: "sport/tennis/#/ranking" is invalid', () => {
    expectFilterError("sport/tennis/#/ranking", "MQTT_ERR_TOPIC_INVALID_WILDCARD");
    expect(validateTopicFilter("sport/tennis/#/ranking")?.spec).toBe("MQTT-4.7.1-2");
  });
});

describe("4.7.1.3 Single-level wildcard", () => {
  it('non-normative: "sport/tennis/+" matches player1 and player2 but not player1/ranking', () => {
    expectMatch("sport/tennis/+", "sport/tennis/player1", true);
    expectMatch("sport/tennis/+", "sport/tennis/player2", true);
    expectMatch("sport/tennis/+", "sport/tennis/player1/ranking", false);
  });

  it('non-normative: "sport/+" does not match "sport" but does match "sport/"', () => {
    expectMatch("sport/+", "sport", false);
    expectMatch("sport/+", "sport/", true);
  });

  it('non-normative: "+", "+/tennis/#" and "sport/+/player1" are valid', () => {
    expectMatch("+", "sport", true);
    expectMatch("+/tennis/#", "sport/tennis/player1", true);
    expectMatch("sport/+/player1", "sport/tennis/player1", true);
  });

  it('[MQTT-4.7.1-3] (5.0 MQTT-4.7.1-2) "+" must occupy an entire level: "sport+" is invalid', () => {
    expectFilterError("sport+", "MQTT_ERR_TOPIC_INVALID_WILDCARD");
    expect(validateTopicFilter("sport+")?.spec).toBe("MQTT-4.7.1-3");
  });

  it('non-normative: "/finance" matches "+/+" and "/+", but not "+"', () => {
    expectMatch("+/+", "/finance", true);
    expectMatch("/+", "/finance", true);
    expectMatch("+", "/finance", false);
  });
});

describe("4.7.1 Topic wildcards", () => {
  it("[MQTT-4.7.1-1] (5.0 MQTT-4.7.0-1) wildcards must not be used within a Topic Name", () => {
    for (const topic of ["sport/+", "sport/#", "+", "#", "a+b"]) {
      expect(validateTopicName(topic)?.code).toBe("MQTT_ERR_TOPIC_WILDCARD_IN_NAME");
    }
  });
});

describe("4.7.2 Topics beginning with $", () => {
  it("[MQTT-4.7.2-1] the Server must not match filters starting with a wildcard with names starting with $", () => {
    expectMatch("#", "$SYS/broker/uptime", false);
    expectMatch("+/broker/uptime", "$SYS/broker/uptime", false);
    expectMatch("+", "$SYS", false);
  });

  it('non-normative: a subscription to "#" will not receive messages published to topics beginning with $', () => {
    expectMatch("#", "$SYS", false);
    expectMatch("#", "$share/x", false);
  });

  it('non-normative: "+/monitor/Clients" will not receive messages published to "$SYS/monitor/Clients"', () => {
    expectMatch("+/monitor/Clients", "$SYS/monitor/Clients", false);
  });

  it('non-normative: "$SYS/#" receives messages published to topics beginning with "$SYS/"', () => {
    expectMatch("$SYS/#", "$SYS/monitor/Clients", true);
    expectMatch("$SYS/#", "$SYS", true);
  });

  it('non-normative: "$SYS/monitor/+" receives messages published to "$SYS/monitor/Clients"', () => {
    expectMatch("$SYS/monitor/+", "$SYS/monitor/Clients", true);
  });

  it('non-normative: to receive $SYS/ and non-$ topics a Client subscribes to both "#" and "$SYS/#"', () => {
    const tree = new SubscriptionTree<number>();
    tree.add("#", "client", 0);
    tree.add("$SYS/#", "client", 0);
    expect(tree.match("$SYS/uptime").map((match) => match.filter)).toEqual(["$SYS/#"]);
    expect(tree.match("sport").map((match) => match.filter)).toEqual(["#"]);
  });
});

describe("4.7.3 Topic semantic and usage", () => {
  it("[MQTT-4.7.3-1] all Topic Names and Topic Filters must be at least one character long", () => {
    expect(validateTopicName("")?.code).toBe("MQTT_ERR_TOPIC_EMPTY");
    expect(validateTopicFilter("")?.code).toBe("MQTT_ERR_TOPIC_EMPTY");
  });

  it("Topic Names and Topic Filters are case sensitive", () => {
    expectMatch("ACCOUNTS", "Accounts", false);
    expectMatch("Accounts", "Accounts", true);
  });

  it("Topic Names and Topic Filters can include the space character", () => {
    expectMatch("Accounts payable", "Accounts payable", true);
  });

  it('a leading or trailing "/" creates a distinct Topic Name: "/finance" is different from "finance"', () => {
    expectMatch("finance", "/finance", false);
    expectMatch("/finance", "finance", false);
    expectMatch("finance/", "finance", false);
  });

  it('a Topic Name or Topic Filter consisting only of "/" is valid', () => {
    expectMatch("/", "/", true);
  });

  it("[MQTT-4.7.3-2] Topic Names and Topic Filters must not include the null character U+0000", () => {
    expect(validateTopicName("a\u0000b")?.code).toBe("MQTT_ERR_TOPIC_NULL_CHARACTER");
    expect(validateTopicFilter("a/\u0000")?.code).toBe("MQTT_ERR_TOPIC_NULL_CHARACTER");
  });

  it("[MQTT-4.7.3-3] Topic Names and Topic Filters must not encode to more than 65535 bytes", () => {
    expect(validateTopicName("a".repeat(65_535))).toBeUndefined();
    expect(validateTopicName("a".repeat(65_536))?.code).toBe("MQTT_ERR_TOPIC_TOO_LONG");
    // 21,846 three-byte characters: 65,538 bytes from only 21,846 UTF-16 code units.
    expect(validateTopicFilter("\u20ac".repeat(21_846))?.code).toBe("MQTT_ERR_TOPIC_TOO_LONG");
    expect(validateTopicFilter("\u20ac".repeat(21_845))).toBeUndefined();
  });

  it("[MQTT-4.7.3-4] the Server must not perform any normalization when matching", () => {
    // U+00E9 and "e" + U+0301 are canonically equivalent but different bytes.
    expectMatch("caf\u00e9", "cafe\u0301", false);
    expectMatch("cafe\u0301", "cafe\u0301", true);
    expectMatch("\u212b", "\u00c5", false);
  });
});

describe("4.8.2 Shared Subscriptions (5.0)", () => {
  it("[MQTT-4.8.2-1] a Shared Subscription's Topic Filter starts with $share/ and has a ShareName of at least one character", () => {
    expect(parseSharedSubscription("$share/consumer1/sport/tennis/+")).toEqual({
      shareName: "consumer1",
      topicFilter: "sport/tennis/+",
    });
    const error = parseSharedSubscription("$share//sport");
    expect(TopicError.isInstance(error) && error.code).toBe("MQTT_ERR_SHARED_SUBSCRIPTION_INVALID");
  });

  it('[MQTT-4.8.2-2] the ShareName must not contain "/", "+" or "#" and must be followed by "/" and a Topic Filter', () => {
    for (const filter of [
      "$share/group",
      "$share/group/",
      "$share/gr+oup/x",
      "$share/+/x",
      "$share/#/x",
      "$share/g#/x",
    ]) {
      const error = parseSharedSubscription(filter);
      expect(TopicError.isInstance(error) && error.code, filter).toBe(
        "MQTT_ERR_SHARED_SUBSCRIPTION_INVALID",
      );
    }
  });

  it('non-normative: "$share/consumer1/sport/tennis/+" and "$share/consumer2/sport/tennis/+" are separate shared subscriptions', () => {
    const tree = new SubscriptionTree<number>();
    tree.addShared("$share/consumer1/sport/tennis/+", "a", 0);
    tree.addShared("$share/consumer1/sport/tennis/+", "b", 0);
    tree.addShared("$share/consumer2/sport/tennis/+", "c", 0);
    const groups: Array<[string, number]> = [];
    tree.forEachSharedGroup("sport/tennis/player1", (group) => {
      groups.push([group.shareName, group.size]);
    });
    expect(groups.sort()).toEqual([
      ["consumer1", 2],
      ["consumer2", 1],
    ]);
  });

  it('non-normative: "$share/consumer1//finance" matches the same topics as "/finance"', () => {
    expect(parseSharedSubscription("$share/consumer1//finance")).toEqual({
      shareName: "consumer1",
      topicFilter: "/finance",
    });
    const tree = new SubscriptionTree<number>();
    tree.addShared("$share/consumer1//finance", "a", 0);
    let matched = 0;
    tree.forEachSharedGroup("/finance", () => matched++);
    tree.forEachSharedGroup("finance", () => matched++);
    expect(matched).toBe(1);
  });

  it("non-normative: a message matching sport/tennis/+ goes to one session per shared group and to every non-shared subscription", () => {
    const tree = new SubscriptionTree<number>();
    tree.addShared("$share/consumer1/sport/tennis/+", "a", 1);
    tree.addShared("$share/consumer1/sport/tennis/+", "b", 1);
    tree.addShared("$share/consumer2/sport/tennis/+", "c", 1);
    tree.add("sport/tennis/+", "d", 1);
    const receivers: string[] = [];
    tree.forEachSharedGroup("sport/tennis/player1", (group) => {
      receivers.push(group.subscriberIdAt(group.nextIndex()));
    });
    tree.forEachMatch("sport/tennis/player1", (subscriberId) => receivers.push(subscriberId));
    expect(receivers).toHaveLength(3);
    expect(receivers).toContain("c");
    expect(receivers).toContain("d");
    expect(receivers.includes("a") !== receivers.includes("b")).toBe(true);
  });
});
