// Reason and return codes that the packet type does not define (MQTT 5.0 section 2.4, table
// 2-6; MQTT 3.1.1 sections 3.2.2.3 and 3.9.3), and the reserved CONNACK acknowledge flags.
import { hex } from "@ternmq/testkit";
import { describeErrors } from "./check-error.js";

describeErrors("MQTT_ERR_INVALID_REASON_CODE", [
  {
    name: "CONNACK return code 6 at level 4 (3.1.1 defines 0 to 5)",
    level: 4,
    sender: "server",
    bytes: hex`20 02 00 06  // CONNACK, flags 0, return code 6 (reserved)`,
    code: "MQTT_ERR_INVALID_REASON_CODE",
  },
  {
    name: "CONNACK reason code 0x01 at level 5 (a 3.1.1 return code, not a 5.0 one)",
    level: 5,
    sender: "server",
    bytes: hex`20 03 00 01 00  // CONNACK, flags 0, reason code 0x01, no properties`,
    code: "MQTT_ERR_INVALID_REASON_CODE",
  },
  {
    name: "[MQTT-3.9.3-2] SUBACK return code 0x03 at level 4",
    level: 4,
    sender: "server",
    bytes: hex`90 03 00 01 03  // SUBACK, packet id 1, return code 3 (reserved)`,
    code: "MQTT_ERR_INVALID_REASON_CODE",
  },
  {
    name: "PUBACK reason code 0x01 at level 5",
    level: 5,
    sender: "client",
    bytes: hex`40 03 00 01 01  // PUBACK, packet id 1, reason code 0x01`,
    code: "MQTT_ERR_INVALID_REASON_CODE",
  },
  {
    name: "PUBREL reason code 0x10 at level 5 (a PUBACK/PUBREC code)",
    level: 5,
    sender: "client",
    bytes: hex`62 03 00 01 10  // PUBREL, packet id 1, reason code 0x10`,
    code: "MQTT_ERR_INVALID_REASON_CODE",
  },
  {
    name: "UNSUBACK reason code 0x01 at level 5",
    level: 5,
    sender: "server",
    bytes: hex`b0 04 00 01 00 01  // UNSUBACK, packet id 1, no properties, reason code 0x01`,
    code: "MQTT_ERR_INVALID_REASON_CODE",
  },
  {
    name: "DISCONNECT reason code 0x01 at level 5",
    level: 5,
    sender: "client",
    bytes: hex`e0 01 01  // DISCONNECT, reason code 0x01`,
    code: "MQTT_ERR_INVALID_REASON_CODE",
  },
  {
    name: "AUTH reason code 0x87 at level 5",
    level: 5,
    sender: "server",
    bytes: hex`f0 02 87 00  // AUTH, reason code 0x87, no properties`,
    code: "MQTT_ERR_INVALID_REASON_CODE",
  },
]);

describeErrors("MQTT_ERR_CONNACK_RESERVED_FLAGS", [
  {
    name: "CONNACK acknowledge flags with reserved bit 1 set at level 4",
    level: 4,
    sender: "server",
    bytes: hex`20 02 02 00  // CONNACK, acknowledge flags 0000 0010, accepted`,
    code: "MQTT_ERR_CONNACK_RESERVED_FLAGS",
  },
  {
    name: "CONNACK acknowledge flags with reserved bit 7 set at level 5",
    level: 5,
    sender: "server",
    bytes: hex`20 03 80 00 00  // CONNACK, acknowledge flags 1000 0000, success, no properties`,
    code: "MQTT_ERR_CONNACK_RESERVED_FLAGS",
  },
]);
