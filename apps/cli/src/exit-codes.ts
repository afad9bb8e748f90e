/** Exit codes scripts can branch on; `flowdeck --help` lists them. */
export const EXIT = {
  ok: 0,
  /** `start --wait`: the run failed or was canceled. */
  runFailed: 1,
  /**
   * The command line is wrong: unknown command, missing argument, bad duration or JSON, or
   * schedule options the API's request schema refuses.
   */
  usage: 2,
  /**
   * The server refused the request: not found (404), invalid (400, 422), or a conflict (409,
   * such as a run whose status does not allow the action).
   */
  refused: 3,
  /** No token, an unknown token, or a token without the scope the command needs. */
  unauthorized: 4,
  /** The API could not be reached, was unavailable, or asked to slow down; worth a retry. */
  unavailable: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
