/**
 * A small typed event emitter that runs in browsers (no `node:events`).
 *
 * Design: listeners run synchronously in registration order. A listener that throws does
 * not stop the client or the other listeners: the error is rethrown from a microtask, where
 * it surfaces as an uncaught exception like one thrown from a Node EventEmitter listener.
 * Listener lists are replaced on `on`/`off`, never changed in place, so `emit` (once per
 * received message) iterates without copying, and a listener may add or remove listeners.
 */
export type EventMap = Record<string, unknown[]>;
type Listener<Arguments extends unknown[]> = (...args: Arguments) => void;
type StoredListener = (...args: never[]) => void;

export class TypedEmitter<Events extends EventMap> {
  private readonly listeners = new Map<keyof Events, StoredListener[]>();

  /** Adds `listener` for `event`. Returns this (chains). */
  on<Name extends keyof Events>(event: Name, listener: Listener<Events[Name]>): this {
    const list = this.listeners.get(event) ?? [];
    this.listeners.set(event, [...list, listener as unknown as StoredListener]);
    return this;
  }

  /** Removes one registration of `listener` for `event`. */
  off<Name extends keyof Events>(event: Name, listener: Listener<Events[Name]>): this {
    const list = this.listeners.get(event);
    if (list === undefined) return this;
    const index = list.indexOf(listener as unknown as StoredListener);
    if (index >= 0)
      this.listeners.set(
        event,
        list.filter((_, position) => position !== index),
      );
    return this;
  }

  /** Like `on`, for the next emission only. */
  once<Name extends keyof Events>(event: Name, listener: Listener<Events[Name]>): this {
    const wrapper = (...args: Events[Name]) => {
      this.off(event, wrapper);
      listener(...args);
    };
    return this.on(event, wrapper);
  }

  /** Number of listeners of `event`. */
  listenerCount(event: keyof Events): number {
    return this.listeners.get(event)?.length ?? 0;
  }

  protected emit<Name extends keyof Events>(event: Name, ...args: Events[Name]): void {
    const list = this.listeners.get(event);
    if (list === undefined) return;
    for (const listener of list) {
      try {
        (listener as unknown as Listener<Events[Name]>)(...args);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
