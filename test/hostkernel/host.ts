// Access to the host Linux kernel for the comparison suite: builds the libbpf runner, decides
// whether this machine can load BPF programs at all, and runs cases through it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const RUNNER_SRC = join(here, 'runner.c');
export const RUNNER = join(here, 'runner');

export interface KernelVerdict {
  loaded: boolean;
  errno?: number;
  open_error?: number;
  processed_insns: number;
  verification_ns: number;
  log: string;
  test_run?: 'ok' | 'unsupported' | 'error';
  test_run_errno?: number;
  retval?: number;
  duration_ns?: number;
  data_out?: string;
  ctx_out?: string;
  maps?: { name: string; entries?: [string, string][]; missing?: boolean }[];
  usage_error?: boolean;
}

/** Why the host kernel cannot be used here, or undefined when it can. */
export function unavailableReason(): string | undefined {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'not root';
  if (!existsSync('/usr/include/bpf/libbpf.h')) return 'libbpf-dev is not installed';
  try {
    if (!existsSync(RUNNER) || statSync(RUNNER).mtimeMs < statSync(RUNNER_SRC).mtimeMs) {
      execFileSync('gcc', ['-O2', '-Wall', '-o', RUNNER, RUNNER_SRC, '-lbpf'], { stdio: 'pipe' });
    }
  } catch (e) {
    return `cannot build the libbpf runner: ${(e as Error).message.split('\n')[0]}`;
  }
  // r0 = 0; exit — if even this does not load, bpf() is not usable here.
  const probe = runInsnsBatch([{ hex: 'b700000000000000' + '9500000000000000', type: 'socket_filter' }]);
  if (!probe[0]?.loaded) return `bpf() is not usable: ${probe[0]?.log.split('\n')[0] ?? 'no answer'} (errno ${probe[0]?.errno ?? '?'})`;
  return undefined;
}

export interface BatchCase {
  hex: string;
  type: 'socket_filter' | 'xdp' | 'sched_cls' | 'syscall';
  dataHex?: string;
}

export function runInsnsBatch(cases: readonly BatchCase[]): KernelVerdict[] {
  const input = cases.map((c) => `${c.hex} ${c.type} ${c.dataHex ?? '-'}`).join('\n') + '\n';
  const r = spawnSync(RUNNER, ['batch'], { input, maxBuffer: 1 << 30, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`runner batch failed: ${r.stderr}`);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as KernelVerdict);
}

export function runObject(file: string, prog: string, opts: { dataIn?: string; ctxIn?: string; maps?: string[] } = {}): KernelVerdict {
  const args = ['obj', file, prog];
  if (opts.dataIn) args.push('--data-in', opts.dataIn);
  if (opts.ctxIn) args.push('--ctx-in', opts.ctxIn);
  for (const m of opts.maps ?? []) args.push('--map', m);
  const r = spawnSync(RUNNER, args, { maxBuffer: 1 << 28, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`runner failed for ${file} ${prog}: ${r.stderr}`);
  return JSON.parse(r.stdout) as KernelVerdict;
}

export interface KnownDifferences {
  /** disagreements on one program (`file.bpf.o:prog`), each with its reason */
  programs: Map<string, string>;
  /** bpfwasm rejections naming a feature it does not support yet: pattern and reason */
  unsupported: { pattern: RegExp; reason: string }[];
}

export function knownDifferences(): KnownDifferences {
  const file = join(here, 'known-differences.json');
  const raw = JSON.parse(readFileSync(file, 'utf8')) as {
    programs: { id: string; reason: string }[];
    unsupported: { pattern: string; reason: string }[];
  };
  return {
    programs: new Map(raw.programs.map((d) => [d.id, d.reason])),
    unsupported: raw.unsupported.map((u) => ({ pattern: new RegExp(u.pattern), reason: u.reason })),
  };
}
