/**
 * Stores for tests: each `open()` gets a key prefix of its own on the shared test server (so
 * every test starts empty), and `closeAll()` closes every store opened.
 */
import { openRedisStores, type RedisStores } from "../src/index.js";

export class TestStores {
  private readonly opened: RedisStores[] = [];
  private counter = 0;

  constructor(private readonly url: () => string) {}

  /** Stores under a new, empty key prefix (or under `keyPrefix`, to reopen). */
  open(keyPrefix = `t${process.pid}-${this.counter++}:`): RedisStores {
    const stores = openRedisStores({ url: this.url(), keyPrefix });
    this.opened.push(stores);
    return stores;
  }

  /** Closes every store opened; failures are ignored. */
  async closeAll(): Promise<void> {
    await Promise.allSettled(this.opened.splice(0).map((stores) => stores.close()));
  }
}
