// aedes-persistence-redis 11 ships no types; what aedes-node.ts uses of it.
declare module "aedes-persistence-redis" {
  import type { Redis } from "ioredis";

  /** Options: ioredis options, or `conn`, a connection to use. */
  export default function aedesPersistenceRedis(options: {
    readonly conn?: Redis;
    readonly maxSessionDelivery?: number;
  }): unknown;
}
