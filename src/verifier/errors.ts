// A rejected program: the kernel's errno, the message (the log's last line) and the full log.

export const EINVAL = 22;
export const EACCES = 13;
export const E2BIG = 7;
export const EFAULT = 14;
export const ENOTSUPP = 524;

export class VerifierError extends Error {
  /** positive errno bpf(BPF_PROG_LOAD) would fail with */
  readonly errno: number;
  /** the verifier log up to and including the error and the statistics line */
  log: string;
  /** instruction the error was found at (-1 for whole-program checks) */
  readonly insnIdx: number;
  /** the message (and any lines after it) is already in the log */
  logged = false;
  constructor(errno: number, message: string, insnIdx = -1, log = '') {
    super(message);
    this.name = 'VerifierError';
    this.errno = errno;
    this.insnIdx = insnIdx;
    this.log = log;
  }
}
