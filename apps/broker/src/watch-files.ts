/**
 * Reload by file watch: the certificate, password and ACL files are watched, and a change
 * re-reads them as SIGHUP does (`--watch-files`, on by default).
 *
 * Design: each file's folder is watched (fs.watch), not the file itself: editors and tools
 * save by writing a temporary file and renaming it over the old one (and `ternmq-broker
 * passwd` does the same), which replaces the file's inode, and a watch on the old inode would
 * go silent after the first save. A folder watch sees the rename, an in-place write, and a
 * delete followed by a new file, by name. Events for other names in the folder are ignored.
 * A change starts (or restarts) a debounce timer; when it fires, `onChange` gets every watched
 * path that changed meanwhile, once, so a save made of several events (truncate, write,
 * rename) costs one reload, after the file is complete. Reading and checking the new files,
 * and keeping the old ones when they are bad, is the caller's reload (run.ts).
 *
 * state: "watching" -> "closed" (close(): watchers and the timer stopped; idempotent).
 */
import { type FSWatcher, watch as fsWatch } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import type { Settings } from "./settings.js";

/** Default quiet time after the last event before reloading. */
export const DEFAULT_WATCH_DEBOUNCE_MS = 300;

export interface FileWatchOptions {
  /** Called once per burst of changes with the changed paths (as given). */
  onChange(paths: readonly string[]): void;
  /** A folder could not be watched, or its watch failed (the others keep working). */
  onError(path: string, error: Error): void;
  /** Default DEFAULT_WATCH_DEBOUNCE_MS. */
  debounceMs?: number;
}

export interface FileWatch {
  readonly state: "watching" | "closed";
  close(): void;
}

/**
 * Watches `paths` (files; they need not exist yet, their folders must).
 *
 * Returns: a handle whose `close()` stops everything (call it at shutdown).
 */
export function watchFiles(paths: readonly string[], options: FileWatchOptions): FileWatch {
  const debounceMs = options.debounceMs ?? DEFAULT_WATCH_DEBOUNCE_MS;
  // folder -> (file name -> the path as the caller gave it)
  const folders = new Map<string, Map<string, string>>();
  for (const path of paths) {
    const absolute = resolve(path);
    const folder = dirname(absolute);
    const names = folders.get(folder) ?? new Map<string, string>();
    names.set(basename(absolute), path);
    folders.set(folder, names);
  }

  let state: FileWatch["state"] = "watching";
  const changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    timer = undefined;
    if (state === "closed" || changed.size === 0) return;
    const batch = [...changed];
    changed.clear();
    options.onChange(batch);
  };
  const noteChange = (path: string): void => {
    changed.add(path);
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(flush, debounceMs);
    timer.unref();
  };

  const watchers: FSWatcher[] = [];
  for (const [folder, names] of folders) {
    try {
      const watcher = fsWatch(folder, { persistent: false }, (_event, name) => {
        if (state === "closed") return;
        // Some platforms do not report the name: then any watched file may have changed.
        if (name === null) {
          for (const path of names.values()) noteChange(path);
          return;
        }
        const path = names.get(name.toString());
        if (path !== undefined) noteChange(path);
      });
      watcher.on("error", (error) => options.onError(folder, error));
      watchers.push(watcher);
    } catch (error) {
      options.onError(folder, error instanceof Error ? error : new Error(String(error)));
    }
  }

  return {
    get state() {
      return state;
    },
    close() {
      if (state === "closed") return;
      state = "closed";
      if (timer !== undefined) clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}

/** The files that a reload re-reads: the password and ACL files, the TLS/WSS PEM files. */
export function reloadablePaths(settings: Pick<Settings, "auth" | "listeners">): string[] {
  const paths = new Set<string>();
  const { passwordFile, aclFile } = settings.auth;
  if (passwordFile !== undefined) paths.add(passwordFile);
  if (aclFile !== undefined) paths.add(aclFile);
  for (const listener of settings.listeners) {
    for (const path of [listener.cert, listener.key, listener.ca]) {
      if (path !== undefined) paths.add(path);
    }
  }
  return [...paths];
}
