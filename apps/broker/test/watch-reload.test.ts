/**
 * --watch-files end to end: the app as a process (from source, tsx) reloads its TLS
 * certificate when the files are replaced the way editors and deploy tools do it (a new file
 * renamed over the old one), without SIGHUP, and keeps the old certificate when the new file
 * is bad.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect as tlsConnect } from "node:tls";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import {
  type Certificates,
  makeCertificates,
  removeCertificates,
} from "../../../packages/broker/test/listeners/certificates.js";

const appDirectory = fileURLToPath(new URL("..", import.meta.url));
let certificates: Certificates;
let directory: string;
let app: ChildProcess | undefined;

beforeAll(() => {
  certificates = makeCertificates();
}, 30_000);
afterAll(() => removeCertificates(certificates));
afterEach(async () => {
  if (app !== undefined && app.exitCode === null && app.signalCode === null) app.kill("SIGKILL");
  app = undefined;
  await rm(directory, { recursive: true, force: true });
});

/** Log lines of the app, and a wait for the next one that `match` accepts. */
function logOf(child: ChildProcess) {
  const waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  let pending = "";
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout?.on("data", (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      const index = waiters.findIndex((waiter) => waiter.match(line));
      if (index >= 0) waiters.splice(index, 1)[0]?.resolve(line);
    }
  });
  /** Registers the wait now (before the action that causes the line); 20 s bound. */
  return (message: string): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no "${message}" log line within 20 s; stderr: ${stderr}`)),
        20_000,
      );
      waiters.push({
        match: (line) => line.includes(`"msg":"${message}"`),
        resolve: (line) => {
          clearTimeout(timer);
          resolve(JSON.parse(line) as Record<string, unknown>);
        },
      });
    });
}

/** The SHA-256 fingerprint of the certificate the TLS listener presents now. */
function presentedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: "127.0.0.1", port, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.destroy();
    });
    socket.once("error", reject);
  });
}

/** Replaces `path` as editors do: a new file beside it, renamed over it. */
async function replaceFile(path: string, content: Buffer | string): Promise<void> {
  const temporary = `${path}.tmp-${process.hrtime.bigint()}`;
  await writeFile(temporary, content);
  await rename(temporary, path);
}

it("reloads a replaced certificate without SIGHUP, and keeps it when the next file is bad", async () => {
  directory = await mkdtemp(join(tmpdir(), "ternmq-watch-app-"));
  const certFile = join(directory, "server.crt");
  const keyFile = join(directory, "server.key");
  await writeFile(certFile, certificates.serverCert);
  await writeFile(keyFile, certificates.serverKey);
  app = spawn(
    process.execPath,
    [
      ...["--import", "tsx", "--conditions=@ternmq/source", "src/main.ts"],
      ...["-p", "0", "--host", "127.0.0.1", "--memory", "--sys-interval", "0"],
      ...["--tls-port", "0", "--tls-cert", certFile, "--tls-key", keyFile],
    ],
    { cwd: appDirectory, stdio: ["ignore", "pipe", "pipe"] },
  );
  const nextLog = logOf(app);
  const started = (await nextLog("ternmq-broker started")) as {
    listeners: { type: string; port: number }[];
  };
  const port = started.listeners.find((listener) => listener.type === "tls")?.port ?? 0;
  const original = await presentedFingerprint(port);

  const reloaded = nextLog("certificates reloaded");
  await replaceFile(keyFile, certificates.otherServerKey);
  await replaceFile(certFile, certificates.otherServerCert);
  await reloaded;
  const replaced = await presentedFingerprint(port);
  expect(replaced).not.toBe(original);

  const failed = nextLog("reload failed");
  await replaceFile(certFile, "not a certificate\n");
  await failed;
  expect(await presentedFingerprint(port)).toBe(replaced);
}, 60_000);
