/**
 * The one catalog of stable error codes (MESH_ERR_<AREA>_<WHAT>). Log lines, debug views and
 * CLI output carry the code so operators can search for it; messages may improve, codes stay.
 */
export const ErrorCodes = {
  CLI_USAGE: 'MESH_ERR_CLI_USAGE',
  CLI_FLAG: 'MESH_ERR_CLI_FLAG',
  FILE_READ: 'MESH_ERR_FILE_READ',
  FILE_TOO_LARGE: 'MESH_ERR_FILE_TOO_LARGE',
  FILE_PARSE: 'MESH_ERR_FILE_PARSE',
  CONFIG_INVALID: 'MESH_ERR_CONFIG_INVALID',
  CONFIG_DUPLICATE: 'MESH_ERR_CONFIG_DUPLICATE',
  MESHCONFIG_INVALID: 'MESH_ERR_MESHCONFIG_INVALID',
  SERVER_LISTEN: 'MESH_ERR_SERVER_LISTEN',
  SOURCE_UNAVAILABLE: 'MESH_ERR_SOURCE_UNAVAILABLE',
  /** The plugged-in CA directory (--caDir) holds an incomplete or unusable bundle. */
  CA_BUNDLE_INVALID: 'MESH_ERR_CA_BUNDLE_INVALID',
  /** JWT_RULE is not a usable JWTRule. */
  CA_JWT_RULE_INVALID: 'MESH_ERR_CA_JWT_RULE_INVALID',
  /** The self-signed root store (--caStateDir) cannot be read or written. */
  CA_STATE_UNUSABLE: 'MESH_ERR_CA_STATE_UNUSABLE',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** An error a user caused and can fix; main.ts prints its message without a stack trace. */
export class UserError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
