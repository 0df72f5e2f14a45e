export {
  type RedisServerOptions,
  type RunningRedis,
  redisServerBinary,
  startRedisServer,
} from "./redis-server.js";
