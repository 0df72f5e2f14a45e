import { describe, expect, it } from "vitest";
// Test-only: the brand check must agree with the real MqttError (the package never imports it).
import { MqttError } from "../../codec/src/mqtt-error.js";
import {
  assertTopicFilter,
  assertTopicName,
  DEFAULT_MAX_TOPIC_LEVELS,
  parseSharedSubscription,
  TopicError,
  validateTopicFilter,
  validateTopicName,
} from "../src/index.js";

const deepTopic = `${"a/".repeat(99_999)}a`; // 100,000 levels

describe("validateTopicName", () => {
  it("accepts ordinary names, empty levels, $ names and unicode", () => {
    for (const topic of ["a", "/", "//", "a//b", "$SYS/x", "caf\u00e9/\u{1f600}", " "]) {
      expect(validateTopicName(topic), topic).toBeUndefined();
    }
  });

  it("returns errors with the 0x90 Topic Name invalid reason code", () => {
    const error = validateTopicName("a/+");
    expect(error?.reasonCode).toBe(0x90);
    expect(error?.spec).toBe("MQTT-4.7.1-1");
  });

  it("[MQTT-1.5.3-1] rejects a lone surrogate, which has no UTF-8 encoding", () => {
    expect(validateTopicName("a\ud800")?.code).toBe("MQTT_ERR_TOPIC_INVALID_UTF8");
    expect(validateTopicName("\udc00a")?.code).toBe("MQTT_ERR_TOPIC_INVALID_UTF8");
    expect(validateTopicName("\ud83d\ude00")).toBeUndefined();
  });

  it("counts a surrogate pair as 4 UTF-8 bytes", () => {
    expect(validateTopicName("\u{1f600}".repeat(16_383))).toBeUndefined(); // 65,532 bytes
    expect(validateTopicName("\u{1f600}".repeat(16_384))?.code).toBe("MQTT_ERR_TOPIC_TOO_LONG");
  });

  it("rejects more levels than maxLevels, default 128", () => {
    const levels = (count: number) => Array.from({ length: count }, () => "x").join("/");
    expect(DEFAULT_MAX_TOPIC_LEVELS).toBe(128);
    expect(validateTopicName(levels(128))).toBeUndefined();
    expect(validateTopicName(levels(129))?.code).toBe("MQTT_ERR_TOPIC_TOO_MANY_LEVELS");
    expect(validateTopicName(levels(4), { maxLevels: 3 })?.code).toBe(
      "MQTT_ERR_TOPIC_TOO_MANY_LEVELS",
    );
    expect(validateTopicName(levels(3), { maxLevels: 3 })).toBeUndefined();
  });

  it("gives a 100,000-level topic the too-many-levels error", () => {
    expect(validateTopicName(deepTopic)?.code).toBe("MQTT_ERR_TOPIC_TOO_MANY_LEVELS");
    expect(validateTopicFilter(`${deepTopic}/#`)?.code).toBe("MQTT_ERR_TOPIC_TOO_MANY_LEVELS");
    expect(validateTopicName("/".repeat(99_999))?.code).toBe("MQTT_ERR_TOPIC_TOO_MANY_LEVELS");
  });
});

describe("validateTopicFilter", () => {
  it("accepts wildcards alone in their level", () => {
    for (const filter of [
      "#",
      "+",
      "+/+",
      "/#",
      "a/+/b/#",
      "+/#",
      "//+//",
      "$SYS/#",
      "$share/g/x",
    ]) {
      expect(validateTopicFilter(filter), filter).toBeUndefined();
    }
  });

  it("rejects wildcards sharing a level or # before the end", () => {
    for (const filter of ["a#", "#a", "a/#/b", "##", "#/", "++", "a+", "+a", "a/+b", "a/b+/c"]) {
      const error = validateTopicFilter(filter);
      expect(error?.code, filter).toBe("MQTT_ERR_TOPIC_INVALID_WILDCARD");
      expect(error?.reasonCode).toBe(0x8f);
    }
  });
});

describe("assert forms", () => {
  it("throw the same TopicError the validate forms return", () => {
    expect(() => assertTopicName("a/#")).toThrowError(TopicError);
    expect(() => assertTopicFilter("")).toThrowError(
      expect.objectContaining({ code: "MQTT_ERR_TOPIC_EMPTY", spec: "MQTT-4.7.3-1" }),
    );
    expect(() => assertTopicFilter("a/#")).not.toThrow();
    expect(() => assertTopicName("a/b")).not.toThrow();
  });
});

describe("TopicError", () => {
  it("is recognised by MqttError.isInstance through the shared brand", () => {
    const error = validateTopicFilter("a#");
    expect(MqttError.isInstance(error)).toBe(true);
    expect(TopicError.isInstance(error)).toBe(true);
    expect(error).toBeInstanceOf(Error);
    expect(error?.name).toBe("TopicError");
  });

  it("TopicError.isInstance is false for other errors, including other MqttErrors", () => {
    expect(TopicError.isInstance(new MqttError("MQTT_ERR_X", "x"))).toBe(false);
    expect(TopicError.isInstance(new Error("x"))).toBe(false);
    expect(TopicError.isInstance(undefined)).toBe(false);
  });
});

describe("parseSharedSubscription", () => {
  it("reports errors of the filter part with their own code", () => {
    const wildcard = parseSharedSubscription("$share/g/a#");
    expect(TopicError.isInstance(wildcard) && wildcard.code).toBe(
      "MQTT_ERR_TOPIC_INVALID_WILDCARD",
    );
    const deep = parseSharedSubscription(`$share/g/${deepTopic}`);
    expect(TopicError.isInstance(deep) && deep.code).toBe("MQTT_ERR_TOPIC_TOO_MANY_LEVELS");
  });

  it("checks the ShareName's characters and the whole length", () => {
    const nul = parseSharedSubscription("$share/g\u0000/a");
    expect(TopicError.isInstance(nul) && nul.code).toBe("MQTT_ERR_TOPIC_NULL_CHARACTER");
    const long = parseSharedSubscription(`$share/${"g".repeat(65_530)}/a`);
    expect(TopicError.isInstance(long) && long.code).toBe("MQTT_ERR_TOPIC_TOO_LONG");
  });

  it("rejects a filter without the $share/ prefix", () => {
    const error = parseSharedSubscription("$shared/g/a");
    expect(TopicError.isInstance(error) && error.code).toBe("MQTT_ERR_SHARED_SUBSCRIPTION_INVALID");
  });
});
