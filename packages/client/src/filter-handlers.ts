/**
 * Per-filter message handlers (`client.handle(filter, fn)`), dispatched with the MQTT
 * matching rules of @ternmq/topics (`+`, `#`, `$`-topics not matched by leading wildcards).
 */
import { matchesFilter } from "@ternmq/topics";
import type { ReceivedMessage } from "./received-message.js";

interface Registration {
  readonly filter: string;
  readonly handler: (message: ReceivedMessage) => void;
}

export class FilterHandlers {
  private registrations: Registration[] = [];

  /** Adds a handler; returns the function that removes it. */
  add(filter: string, handler: (message: ReceivedMessage) => void): () => void {
    const registration: Registration = { filter, handler };
    this.registrations = [...this.registrations, registration];
    return () => {
      this.registrations = this.registrations.filter((entry) => entry !== registration);
    };
  }

  /**
   * Calls every handler whose filter matches, in registration order. A handler that throws
   * does not stop the others or the client: its error is rethrown from a microtask.
   */
  dispatch(message: ReceivedMessage): void {
    // The list is replaced, never changed in place, so a handler may add or remove handlers.
    for (const { filter, handler } of this.registrations) {
      if (!matchesFilter(filter, message.topic)) continue;
      try {
        handler(message);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
