import { WorldError } from './errors.js';

// A deterministic clock. Every read of the monotonic clock advances it by a fixed step, so two
// runs of the same program see the same timestamps and time still moves forward (programs that
// compute deltas get positive ones).

export interface ClockOptions {
  /** CLOCK_MONOTONIC at construction, ns (default: one hour of uptime) */
  startNs?: bigint;
  /** how far each read advances the clock, ns (default 1000) */
  stepNs?: bigint;
  /** CLOCK_REALTIME at boot, ns since the epoch (default 2026-01-01T00:00:00Z) */
  bootRealtimeNs?: bigint;
}

export class Clock {
  private ns: bigint;
  readonly stepNs: bigint;
  /** wall-clock time of boot (CLOCK_REALTIME - CLOCK_MONOTONIC) */
  readonly bootRealtimeNs: bigint;
  /** time spent suspended (CLOCK_BOOTTIME - CLOCK_MONOTONIC); the simulation never sleeps */
  suspendedNs = 0n;

  constructor(opts: ClockOptions = {}) {
    this.ns = opts.startNs ?? 3_600_000_000_000n;
    this.stepNs = opts.stepNs ?? 1000n;
    this.bootRealtimeNs = opts.bootRealtimeNs ?? 1_767_225_600_000_000_000n;
  }

  /** CLOCK_MONOTONIC (bpf_ktime_get_ns); advances by stepNs per call. */
  monotonicNs(): bigint {
    const t = this.ns;
    this.ns += this.stepNs;
    return t;
  }

  /** CLOCK_BOOTTIME (bpf_ktime_get_boot_ns). */
  boottimeNs(): bigint {
    return this.monotonicNs() + this.suspendedNs;
  }

  /** CLOCK_REALTIME (bpf_ktime_get_tai_ns is this plus the TAI offset, which is 0 here). */
  realtimeNs(): bigint {
    return this.monotonicNs() + this.bootRealtimeNs;
  }

  /** Current monotonic time without advancing. */
  peekNs(): bigint {
    return this.ns;
  }

  /** Move time forward (negative amounts are refused: the clock is monotonic). */
  advance(ns: bigint): void {
    if (ns < 0n) throw new WorldError('the clock is monotonic; cannot advance by a negative amount');
    this.ns += ns;
  }
}
