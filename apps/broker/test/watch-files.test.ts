/**
 * watchFiles against the real file system (inotify on Linux): the ways editors and tools
 * save a file, debouncing, other files, close.
 */
import { mkdtemp, rename, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FileWatch, watchFiles } from "../src/watch-files.js";

let directory: string;
let watch: FileWatch | undefined;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), "ternmq-watch-"));
});

afterEach(async () => {
  watch?.close();
  watch = undefined;
  await rm(directory, { recursive: true, force: true });
});

/** Watches `paths`; `next()` resolves with the next batch of changed paths (or fails after 5 s). */
function watching(paths: readonly string[], debounceMs = 50) {
  const batches: (readonly string[])[] = [];
  const waiters: ((batch: readonly string[]) => void)[] = [];
  const errors: Error[] = [];
  watch = watchFiles(paths, {
    debounceMs,
    onChange: (batch) => {
      const waiter = waiters.shift();
      if (waiter === undefined) batches.push(batch);
      else waiter(batch);
    },
    onError: (_path, error) => errors.push(error),
  });
  const next = (): Promise<readonly string[]> => {
    const queued = batches.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no change reported within 5 s")), 5000);
      waiters.push((batch) => {
        clearTimeout(timer);
        resolve(batch);
      });
    });
  };
  return { next, batches, errors };
}

describe("watchFiles", () => {
  it("reports a file written in place", async () => {
    const file = join(directory, "acl");
    await writeFile(file, "topic read #\n");
    const { next } = watching([file]);
    await writeFile(file, "topic read a/#\n");
    expect(await next()).toEqual([file]);
  });

  it("reports a save by rename over the file (editors, ternmq-broker passwd), every time", async () => {
    const file = join(directory, "server.crt");
    await writeFile(file, "one");
    const { next } = watching([file]);
    for (const content of ["two", "three"]) {
      const temporary = join(directory, `.server.crt.${content}.tmp`);
      await writeFile(temporary, content);
      await rename(temporary, file);
      expect(await next()).toEqual([file]);
    }
  });

  it("reports a file deleted and created again", async () => {
    const file = join(directory, "passwd");
    await writeFile(file, "a");
    const { next } = watching([file]);
    await unlink(file);
    await writeFile(file, "b");
    expect(await next()).toEqual([file]);
  });

  it("debounces a burst into one batch with every changed file, and ignores other files", async () => {
    const cert = join(directory, "server.crt");
    const key = join(directory, "server.key");
    const { next, batches } = watching([cert, key], 200);
    await writeFile(join(directory, "unrelated"), "x");
    await writeFile(cert, "c1");
    await writeFile(cert, "c2");
    await writeFile(key, "k1");
    expect([...(await next())].sort()).toEqual([cert, key].sort());
    // A later change is a new batch: nothing of the burst was left over.
    await writeFile(key, "k2");
    expect(await next()).toEqual([key]);
    expect(batches).toEqual([]);
  });

  it("reports nothing once closed, and close is idempotent", async () => {
    const file = join(directory, "acl");
    const { batches } = watching([file], 10);
    watch?.close();
    watch?.close();
    expect(watch?.state).toBe("closed");
    await writeFile(file, "changed");
    // Give a (wrong) report time to arrive: 10 ms debounce, 200 ms of silence.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(batches).toEqual([]);
  });

  it("reports a folder that cannot be watched through onError", () => {
    const { errors } = watching([join(directory, "missing-folder", "acl")]);
    expect(errors).toHaveLength(1);
    expect(watch?.state).toBe("watching");
  });
});
