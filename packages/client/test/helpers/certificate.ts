/**
 * A self-signed server certificate for 127.0.0.1 made with openssl in a temporary folder;
 * it is its own CA. `remove()` deletes the folder.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Certificate {
  readonly key: Buffer;
  readonly cert: Buffer;
  remove(): void;
}

export function makeCertificate(): Certificate {
  const directory = mkdtempSync(join(tmpdir(), "ternmq-client-cert-"));
  execFileSync(
    "/usr/bin/openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-keyout",
      "server.key",
      "-out",
      "server.crt",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ],
    { cwd: directory, stdio: "pipe", timeout: 20_000 },
  );
  return {
    key: readFileSync(join(directory, "server.key")),
    cert: readFileSync(join(directory, "server.crt")),
    remove: () => rmSync(directory, { recursive: true, force: true }),
  };
}
