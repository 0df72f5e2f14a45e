/**
 * One Aedes node of a cluster: Aedes 1.2 with mqemitter-redis as its emitter (messages between
 * nodes) and aedes-persistence-redis as its persistence (subscriptions, sessions, retained),
 * both on the Redis at the URL given as the second argument, on a plain `net` server at
 * 127.0.0.1:<port given as the first argument>. Run as its own process by the cluster driver.
 */
import { createServer } from "node:net";
import { Aedes } from "aedes";
import redisPersistence from "aedes-persistence-redis";
import { Redis } from "ioredis";
import redisEmitter from "mqemitter-redis";

const port = Number(process.argv[2]);
const redisUrl = process.argv[3];
if (redisUrl === undefined) throw new Error("usage: aedes-node.ts PORT REDIS_URL");

const aedes = await Aedes.createBroker({
  mq: redisEmitter({ connectionString: redisUrl }),
  persistence: redisPersistence({ conn: new Redis(redisUrl) }),
});
const server = createServer(aedes.handle);
server.listen(port, "127.0.0.1");
const stop = (): void => {
  server.close();
  aedes.close(() => process.exit(0));
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
