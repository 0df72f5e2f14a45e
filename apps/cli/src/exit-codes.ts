/**
 * Exit codes of `ternmq pub` and `ternmq sub`, the same numbers mosquitto_pub and
 * mosquitto_sub use, so scripts written for those keep working.
 */

/** Everything asked for was done (published, or `-C` messages received). */
export const EXIT_OK = 0;
/** A usage error, or a connection or protocol failure (one line on stderr says which). */
export const EXIT_FAILURE = 1;
/** `ternmq sub -W`: the timeout expired before `-C` messages arrived (mosquitto_sub's 27). */
export const EXIT_TIMEOUT = 27;

export type ExitCode = typeof EXIT_OK | typeof EXIT_FAILURE | typeof EXIT_TIMEOUT;
