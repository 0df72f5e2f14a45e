/**
 * Test helper: a journaling session mirrored into a MemorySessionStore, the way a broker
 * persists one. Every Step's `changes` is applied with `update`; `expectInSync()` checks
 * that the stored snapshot is exactly the engine's.
 */
import { expect } from "vitest";
import { MemorySessionStore, type Session, type SessionSnapshot, type Step } from "../src/index.js";
import { comparable } from "../src/testing/test-api.js";

const CLIENT_ID = "journaled";

export class Mirror {
  readonly store = new MemorySessionStore();
  /** Every non-empty change applied, in order. */
  readonly applied: NonNullable<Step["changes"]>[] = [];

  private constructor(readonly session: Session) {}

  /** Saves the session's current snapshot as the stored record. */
  static async of(session: Session): Promise<Mirror> {
    const mirror = new Mirror(session);
    await mirror.store.save({
      clientId: CLIENT_ID,
      createdAt: 0,
      updatedAt: 0,
      sessionExpiryInterval: 0xffff_ffff,
      subscriptions: [],
      snapshot: session.snapshot(),
    });
    return mirror;
  }

  /** Applies `step.changes` (if any) to the store; returns the step. */
  async apply<S extends Step>(step: S): Promise<S> {
    if (step.changes !== undefined) {
      this.applied.push(step.changes);
      await this.store.update(CLIENT_ID, step.changes);
    }
    return step;
  }

  async stored(): Promise<SessionSnapshot> {
    const record = await this.store.load(CLIENT_ID);
    if (record === undefined) throw new Error("the mirrored session is gone");
    return record.snapshot;
  }

  async expectInSync(): Promise<void> {
    expect(comparable(await this.stored())).toStrictEqual(comparable(this.session.snapshot()));
  }
}
