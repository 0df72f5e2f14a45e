/** File-based authentication (password file) and authorization (ACL file) as BrokerHooks. */
export { type AclAccess, type AclRule, AclRules, filterCovers, parseAclFile } from "./acl.js";
export { AuthFileError, type AuthFileErrorCode } from "./auth-error.js";
export { createFileAuth, type FileAuth, type FileAuthOptions } from "./file-auth.js";
export { type PasswordEntry, parsePasswordFile } from "./password-file.js";
export {
  DEFAULT_SCRYPT_PARAMS,
  hashPassword,
  parseScryptHash,
  type ScryptHash,
  type ScryptParams,
  verifyPassword,
} from "./password-hash.js";
