/** Stable code of {@link UsageError}, so callers can tell bad usage from other failures. */
export const ERR_USAGE = 'ERR_INITIATOR_MOCK_USAGE';

/** The command line is wrong; the message names the offending option and says what it accepts. */
export class UsageError extends Error {
  /** Always {@link ERR_USAGE}. */
  readonly code = ERR_USAGE;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UsageError';
  }
}
