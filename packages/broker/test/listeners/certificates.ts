/**
 * Test certificates made with Debian's openssl in a temporary folder: a CA, a server
 * certificate for 127.0.0.1 / localhost, a client certificate (CN "alice"), and a second,
 * unrelated CA with its own server certificate (for "wrong CA" and reload tests).
 * `removeCertificates()` deletes the folder (call it in afterAll/afterEach).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Certificates {
  directory: string;
  caFile: string;
  ca: Buffer;
  serverKey: Buffer;
  serverCert: Buffer;
  clientKey: Buffer;
  clientCert: Buffer;
  otherCaFile: string;
  otherCa: Buffer;
  otherServerKey: Buffer;
  otherServerCert: Buffer;
}

function openssl(directory: string, args: string[]): void {
  execFileSync("/usr/bin/openssl", args, { cwd: directory, stdio: "pipe", timeout: 20_000 });
}

function makeCa(directory: string, name: string): void {
  openssl(directory, [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.crt`,
    "-subj",
    `/CN=${name}`,
  ]);
}

function makeSigned(directory: string, ca: string, name: string, extensions: string): void {
  openssl(directory, [
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.csr`,
    "-subj",
    `/CN=${name}`,
  ]);
  writeFileSync(join(directory, `${name}.ext`), extensions);
  openssl(directory, [
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    `${ca}.crt`,
    "-CAkey",
    `${ca}.key`,
    "-CAcreateserial",
    "-days",
    "2",
    "-out",
    `${name}.crt`,
    "-extfile",
    `${name}.ext`,
  ]);
}

const serverExtensions = "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n";

export function makeCertificates(): Certificates {
  const directory = mkdtempSync(join(tmpdir(), "ternmq-certs-"));
  makeCa(directory, "test-ca");
  makeSigned(directory, "test-ca", "server", serverExtensions);
  makeSigned(directory, "test-ca", "alice", "extendedKeyUsage=clientAuth\n");
  makeCa(directory, "other-ca");
  makeSigned(directory, "other-ca", "other-server", serverExtensions);
  const read = (file: string) => readFileSync(join(directory, file));
  return {
    directory,
    caFile: join(directory, "test-ca.crt"),
    ca: read("test-ca.crt"),
    serverKey: read("server.key"),
    serverCert: read("server.crt"),
    clientKey: read("alice.key"),
    clientCert: read("alice.crt"),
    otherCaFile: join(directory, "other-ca.crt"),
    otherCa: read("other-ca.crt"),
    otherServerKey: read("other-server.key"),
    otherServerCert: read("other-server.crt"),
  };
}

export function removeCertificates(certificates: Certificates | undefined): void {
  if (certificates !== undefined) rmSync(certificates.directory, { recursive: true, force: true });
}
