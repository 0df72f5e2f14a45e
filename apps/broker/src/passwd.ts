/**
 * `ternmq-broker passwd [-D] FILE USER`: adds, updates (`FILE USER`, password from the first
 * line of stdin, or prompted without echo on a terminal) or deletes (`-D FILE USER`) one user
 * of a password file. Other lines, comments included, are kept as they are; the file is
 * written to a temporary file beside it and renamed over it, so a reader sees the old or the
 * new file, never half of one. Exit codes: 0 done, 1 failure (unreadable file, unknown user
 * for -D, empty password), 2 usage error. Never exits the process itself, so it is testable.
 */
import { randomBytes } from "node:crypto";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { hashPassword } from "@ternmq/broker";

export interface PasswdIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** stdin is a terminal: prompt on stderr and, where possible, turn echo off. */
  isTTY?: boolean;
}

const USAGE = "usage: ternmq-broker passwd [-D] FILE USER\n";
const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

/** A user name the password file can hold: no ":", no whitespace or control characters. */
function isValidUsername(username: string): boolean {
  return username !== "" && !username.startsWith("#") && !/[:\s\p{Cc}]/u.test(username);
}

interface RawModeStream {
  setRawMode(mode: boolean): unknown;
}

function hasRawMode(
  stream: NodeJS.ReadableStream,
): stream is NodeJS.ReadableStream & RawModeStream {
  return typeof (stream as Partial<RawModeStream>).setRawMode === "function";
}

/** Reads up to the first line break (or the end of input); undefined on Ctrl-C. */
function readLine(stdin: NodeJS.ReadableStream): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let text = "";
    const finish = (value: string | undefined): void => {
      stdin.off("data", onData);
      stdin.off("end", onEnd);
      stdin.off("error", reject);
      stdin.pause();
      resolve(value);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const char of chunk.toString()) {
        if (char === "\u0003") {
          finish(undefined);
          return;
        }
        if (char === "\n" || char === "\r") {
          finish(text);
          return;
        }
        if (char === "\u007f" || char === "\b") text = text.slice(0, -1);
        else text += char;
      }
    };
    const onEnd = (): void => finish(text);
    stdin.on("data", onData);
    stdin.on("end", onEnd);
    stdin.on("error", reject);
    stdin.resume();
  });
}

async function readPassword(io: PasswdIo): Promise<string | undefined> {
  if (!io.isTTY) return readLine(io.stdin);
  io.stderr.write("Password: ");
  const terminal = hasRawMode(io.stdin) ? io.stdin : undefined;
  terminal?.setRawMode(true);
  try {
    return await readLine(io.stdin);
  } finally {
    terminal?.setRawMode(false);
    io.stderr.write("\n");
  }
}

async function readExisting(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw error;
  }
}

/** Index of the line holding `username`'s entry, or -1. */
function findUser(lines: string[], username: string): number {
  const prefix = `${username}:`;
  return lines.findIndex((line) => line.trimStart().startsWith(prefix));
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await writeFile(temporary, text, { mode: 0o600 });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Runs `passwd` with `args` (after the subcommand); resolves to the exit code. */
export async function runPasswd(args: string[], io: PasswdIo): Promise<number> {
  const remove = args[0] === "-D";
  const positional = remove ? args.slice(1) : args;
  const [file, username] = positional;
  if (positional.length !== 2 || file === undefined || username === undefined) {
    io.stderr.write(USAGE);
    return EXIT_USAGE;
  }
  if (!isValidUsername(username)) {
    io.stderr.write(`invalid user name "${username}": no ":", spaces or leading "#"\n`);
    return EXIT_USAGE;
  }
  try {
    const text = await readExisting(file);
    const lines = text === "" ? [] : text.replace(/\r?\n$/, "").split(/\r?\n/);
    const index = findUser(lines, username);
    if (remove) {
      if (index === -1) {
        io.stderr.write(`user "${username}" not found in ${file}\n`);
        return EXIT_FAILURE;
      }
      lines.splice(index, 1);
    } else {
      const password = await readPassword(io);
      if (password === undefined || password === "") {
        io.stderr.write("empty password: nothing changed\n");
        return EXIT_FAILURE;
      }
      const entry = `${username}:${await hashPassword(password)}`;
      if (index === -1) lines.push(entry);
      else lines[index] = entry;
    }
    await writeAtomically(file, lines.length === 0 ? "" : `${lines.join("\n")}\n`);
    io.stdout.write(
      `${remove ? "deleted" : index === -1 ? "added" : "updated"} user "${username}"\n`,
    );
    return EXIT_OK;
  } catch (error) {
    io.stderr.write(`${file}: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILURE;
  }
}
