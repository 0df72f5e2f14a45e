/**
 * `createFileAuth`: the password file and the ACL file as BrokerHooks.
 *
 * Design: the parsed files live in one `current` object that `reload()` replaces in a single
 * assignment after both new files parsed, so a hook never sees a new password file with an old
 * ACL, and a bad file keeps the old rules (reload rejects with the AuthFileError).
 */
import { readFile } from "node:fs/promises";
import type { BrokerHooks } from "../types.js";
import { type AclRules, parseAclFile } from "./acl.js";
import { AuthFileError } from "./auth-error.js";
import { type PasswordEntry, parsePasswordFile } from "./password-file.js";
import { DEFAULT_SCRYPT_PARAMS, type ScryptHash, verifyPassword } from "./password-hash.js";

export interface FileAuthOptions {
  /** Password file; without one, any user name and password are accepted. */
  passwordFile?: string;
  /** ACL file; without one, every topic is allowed. */
  aclFile?: string;
  /** CONNECT without a user name; default true without a password file, false with one. */
  allowAnonymous?: boolean;
}

export interface FileAuth {
  hooks: BrokerHooks;
  /** Re-reads both files; on error the old rules stay and the AuthFileError is thrown. */
  reload(): Promise<void>;
}

interface Loaded {
  users: Map<string, PasswordEntry> | undefined;
  dummy: { hash: ScryptHash };
  acl: AclRules | undefined;
}

/**
 * The entry hashed for unknown users, so that they cost as much as known ones (no user
 * enumeration by timing): the parameters of the file's first entry, or the defaults.
 */
function dummyEntry(users: Map<string, PasswordEntry> | undefined): { hash: ScryptHash } {
  const first = users?.values().next().value;
  const { N, r, p } = first?.hash ?? DEFAULT_SCRYPT_PARAMS;
  const keyBytes = first?.hash.hash.length ?? DEFAULT_SCRYPT_PARAMS.keyBytes;
  return { hash: { N, r, p, salt: Buffer.alloc(16), hash: Buffer.alloc(keyBytes) } };
}

async function readText(fileName: string): Promise<string> {
  try {
    return await readFile(fileName, "utf8");
  } catch (cause) {
    throw new AuthFileError("MQTT_ERR_AUTH_FILE_UNREADABLE", "cannot read file", {
      fileName,
      cause,
    });
  }
}

async function load(options: FileAuthOptions): Promise<Loaded> {
  const [passwordText, aclText] = await Promise.all([
    options.passwordFile === undefined ? undefined : readText(options.passwordFile),
    options.aclFile === undefined ? undefined : readText(options.aclFile),
  ]);
  const users =
    passwordText === undefined || options.passwordFile === undefined
      ? undefined
      : parsePasswordFile(passwordText, options.passwordFile);
  return {
    users,
    dummy: dummyEntry(users),
    acl:
      aclText === undefined || options.aclFile === undefined
        ? undefined
        : parseAclFile(aclText, options.aclFile),
  };
}

/** Reads the files and returns hooks for `new Broker({ hooks })`. Rejects with AuthFileError. */
export async function createFileAuth(options: FileAuthOptions): Promise<FileAuth> {
  const allowAnonymous = options.allowAnonymous ?? options.passwordFile === undefined;
  let current = await load(options);

  const hooks: BrokerHooks = {
    authenticate: async (_client, username, password) => {
      if (username === undefined) return allowAnonymous ? 0 : 5;
      const users = current.users;
      if (users === undefined) return 0;
      const entry = users.get(username);
      // Unknown users and missing passwords still cost one hash computation.
      const matches = await verifyPassword(entry ?? current.dummy, password ?? new Uint8Array(0));
      return entry !== undefined && password !== undefined && matches ? 0 : 4;
    },
    authorizePublish: (client, topic) => {
      const acl = current.acl;
      return acl === undefined || acl.canWrite(client, topic);
    },
    authorizeSubscribe: (client, filter, qos) => {
      const acl = current.acl;
      return acl === undefined || acl.canSubscribe(client, filter) ? qos : 0x80;
    },
  };

  return {
    hooks,
    reload: async () => {
      current = await load(options);
    },
  };
}
