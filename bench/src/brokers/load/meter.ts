/**
 * Wall time and the generator's own CPU time over the timed parts of a scenario, so a reader
 * sees whether the generator (rather than the broker) was the limit.
 */
export class Meter {
  #wallMs = 0;
  #cpuMicros = 0;
  #startedAt = 0;
  #cpuAtStart: NodeJS.CpuUsage | undefined;

  start(): void {
    this.#startedAt = performance.now();
    this.#cpuAtStart = process.cpuUsage();
  }

  /** Ends the current timed part; returns its wall time in ms. */
  stop(): number {
    const wallMs = performance.now() - this.#startedAt;
    const cpu = process.cpuUsage(this.#cpuAtStart);
    this.#wallMs += wallMs;
    this.#cpuMicros += cpu.user + cpu.system;
    return wallMs;
  }

  /** CPU time / wall time of every timed part so far: 1 = one core busy all along. */
  get cpuShare(): number {
    return this.#wallMs === 0 ? 0 : this.#cpuMicros / 1000 / this.#wallMs;
  }
}
