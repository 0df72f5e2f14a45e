/**
 * The two brokers the PubSubClient end-to-end tests run against: ours, and a real mosquitto,
 * behind one shape so a `describe.each` covers both.
 */
import { MQTT_CONNECT_BAD_CREDENTIALS, MQTT_CONNECT_UNAUTHORIZED } from "@ternmq/pubsubclient";
import { startBroker } from "../helpers/broker.js";
import { startMosquitto } from "../helpers/mosquitto-broker.js";

export interface TestBroker {
  readonly port: number;
  close(): Promise<void>;
}

export interface BrokerUnderTest {
  readonly name: string;
  /** Anonymous access, no persistence. */
  start(): Promise<TestBroker>;
  /** Only these user names and passwords are accepted. */
  startWithUsers(users: Readonly<Record<string, string>>): Promise<TestBroker>;
  /**
   * `state()` after a wrong password (the CONNACK return code): our authenticate hook answers
   * 4 "bad user name or password"; mosquitto answers 3.1.1 clients 5 "not authorized".
   */
  readonly wrongPasswordState:
    | typeof MQTT_CONNECT_BAD_CREDENTIALS
    | typeof MQTT_CONNECT_UNAUTHORIZED;
}

const utf8 = new TextDecoder();

export const brokersUnderTest: readonly BrokerUnderTest[] = [
  {
    name: "TernMQ broker",
    start: () => startBroker({ sysInterval: 0 }),
    startWithUsers: (users) =>
      startBroker({
        sysInterval: 0,
        hooks: {
          authenticate: (_client, username, password) => {
            if (username === undefined || password === undefined) return 5;
            return users[username] === utf8.decode(password) ? 0 : 4;
          },
        },
      }),
    wrongPasswordState: MQTT_CONNECT_BAD_CREDENTIALS,
  },
  {
    name: "mosquitto",
    start: () => startMosquitto(),
    startWithUsers: (users) => startMosquitto({ users }),
    wrongPasswordState: MQTT_CONNECT_UNAUTHORIZED,
  },
];
