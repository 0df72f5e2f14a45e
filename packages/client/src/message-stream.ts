/**
 * The async iterator behind `client.messages(filter)`.
 *
 * Design: a bounded FIFO between the client (which pushes every matching message) and one
 * consumer. When the consumer falls `bufferSize` messages behind, the oldest buffered
 * message is dropped (counted in `dropped`): a slow `for await` loop cannot grow memory
 * without bound. The iterator ends (`done: true`) when the client ends or closes for good,
 * after the buffered messages were read, or when the consumer breaks out of the loop.
 */
import { matchesFilter } from "@ternmq/topics";
import type { ReceivedMessage } from "./received-message.js";

export class MessageStream implements AsyncIterableIterator<ReceivedMessage> {
  /** Messages dropped because the consumer was `bufferSize` behind. */
  dropped = 0;
  private buffer: ReceivedMessage[] = [];
  private head = 0;
  private waiting: ((result: IteratorResult<ReceivedMessage>) => void) | undefined;
  private state: "open" | "finished" = "open";

  constructor(
    readonly filter: string | undefined,
    private readonly bufferSize: number,
    private readonly detach: (stream: MessageStream) => void,
  ) {}

  /** Called by the client for every received message. */
  offer(message: ReceivedMessage): void {
    if (this.state !== "open") return;
    if (this.filter !== undefined && !matchesFilter(this.filter, message.topic)) return;
    const waiting = this.waiting;
    if (waiting !== undefined) {
      this.waiting = undefined;
      waiting({ value: message, done: false });
      return;
    }
    if (this.buffer.length - this.head >= this.bufferSize) {
      this.head++;
      this.dropped++;
    }
    this.buffer.push(message);
    if (this.head > 1024 && this.head * 2 > this.buffer.length) {
      this.buffer = this.buffer.slice(this.head);
      this.head = 0;
    }
  }

  /** No more messages will come; buffered ones are still read. */
  finish(): void {
    if (this.state === "finished") return;
    this.state = "finished";
    this.detach(this);
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<ReceivedMessage>> {
    if (this.head < this.buffer.length) {
      const value = this.buffer[this.head] as ReceivedMessage;
      this.buffer[this.head++] = undefined as never;
      return Promise.resolve({ value, done: false });
    }
    if (this.state === "finished") return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  /** `break` in a `for await` loop: stop receiving. */
  return(): Promise<IteratorResult<ReceivedMessage>> {
    this.buffer = [];
    this.head = 0;
    this.finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
