/**
 * REQUEST_N bookkeeping for one stream: grants `size` credits up front, then tops the window back up whenever half
 * of it was handled. Never more than `size` PAYLOADs are outstanding (no flood), and with `size >= 2` the grant
 * arrives while credits remain (no stall); a window of 1 re-grants after each PAYLOAD.
 */
export class CreditWindow {
  private outstanding = 0;
  private handledSinceGrant = 0;
  private readonly threshold: number;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1 || size > 0x7fffffff) {
      throw new RangeError(`credit window must be an integer from 1 to 2^31-1, got ${size}`);
    }
    this.threshold = Math.max(1, Math.floor(size / 2));
  }

  /** Starts a new stream: the initial REQUEST_N. */
  open(): number {
    this.outstanding = this.size;
    this.handledSinceGrant = 0;
    return this.size;
  }

  /** Credits granted and not yet used by a PAYLOAD. */
  get remaining(): number {
    return this.outstanding;
  }

  /** Counts one PAYLOAD as handled; returns the REQUEST_N to send now, or 0 for none. */
  handled(): number {
    this.outstanding = Math.max(0, this.outstanding - 1);
    this.handledSinceGrant += 1;
    if (this.handledSinceGrant < this.threshold) return 0;
    const grant = this.size - this.outstanding;
    this.outstanding = this.size;
    this.handledSinceGrant = 0;
    return grant;
  }
}
