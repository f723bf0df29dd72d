// Map and ksym references in ld_imm64, resolved to addresses before a program runs — the step
// the kernel calls resolve_pseudo_ldimm64. The loader leaves references as indices into the
// object's maps (BPF_PSEUDO_MAP_IDX / _IDX_VALUE, or MAP_FD / MAP_VALUE from hand-written
// instructions); engines only ever see the raw 64-bit address afterwards, and the verifier
// learns from `refs` which slot names which map.
import type { Insn } from '../isa/insn.js';
import {
  BPF_PSEUDO_BTF_ID, BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_IDX, BPF_PSEUDO_MAP_IDX_VALUE, BPF_PSEUDO_MAP_VALUE,
} from '../isa/opcodes.js';
import { KERNEL_BASE } from '../kernel/memory.js';
import type { BpfMap } from '../kernel/maps/bpf-map.js';

export interface PseudoRef {
  map?: BpfMap;
  /** MAP_VALUE forms: byte offset into the value */
  valueOff?: number;
  /** BTF_ID form: the kernel BTF id of the typed ksym */
  btfId?: number;
}

export interface ResolveEnv {
  /** object-relative map index (MAP_IDX forms) */
  mapByIndex(index: number): BpfMap | undefined;
  /** file-descriptor forms */
  mapByFd(fd: number): BpfMap | undefined;
  /** address of a typed ksym, by its kernel BTF id; undefined when the kernel has no such symbol */
  ksymAddress(btfId: number): bigint | undefined;
  /** array map value base (the only maps whose values have a fixed address) */
  valueOffset(map: BpfMap): number | undefined;
}

export class PseudoResolveError extends Error {
  override name = 'PseudoResolveError';
  constructor(readonly slot: number, message: string) {
    super(message);
  }
}

const setImm64 = (insn: Insn, value: bigint): Insn => ({
  ...insn,
  src: 0,
  imm: Number(BigInt.asIntN(32, value)),
  imm2: Number(BigInt.asIntN(32, value >> 32n)),
});

/** New instructions with every pseudo ld_imm64 (map, map value, typed ksym) made a raw constant. */
export function resolvePseudoLdImm64(insns: readonly Insn[], env: ResolveEnv): { insns: Insn[]; refs: Map<number, PseudoRef> } {
  const out = insns.slice();
  const refs = new Map<number, PseudoRef>();
  for (let i = 0; i < out.length; i++) {
    const x = out[i]!;
    if (x.code !== 0x18) continue;
    const src = x.src;
    if (src === BPF_PSEUDO_MAP_IDX || src === BPF_PSEUDO_MAP_IDX_VALUE || src === BPF_PSEUDO_MAP_FD || src === BPF_PSEUDO_MAP_VALUE) {
      const byIndex = src === BPF_PSEUDO_MAP_IDX || src === BPF_PSEUDO_MAP_IDX_VALUE;
      const map = byIndex ? env.mapByIndex(x.imm) : env.mapByFd(x.imm);
      if (map === undefined) throw new PseudoResolveError(i, byIndex ? `map index ${x.imm} does not exist` : `fd ${x.imm} is not pointing to valid bpf_map`);
      if (src === BPF_PSEUDO_MAP_IDX || src === BPF_PSEUDO_MAP_FD) {
        out[i] = setImm64(x, map.ptr);
        refs.set(i, { map });
      } else {
        const valueOff = (x.imm2 ?? 0) >>> 0;
        const base = env.valueOffset(map);
        if (base === undefined) throw new PseudoResolveError(i, `map '${map.name}' has no direct value access`);
        if (valueOff >= map.valueSize) throw new PseudoResolveError(i, `invalid access to map value pointer, value_size=${map.valueSize} off=${valueOff}`);
        out[i] = setImm64(x, KERNEL_BASE + BigInt(base + valueOff));
        refs.set(i, { map, valueOff });
      }
      if (out[i + 1] !== undefined) out[i + 1] = { ...out[i + 1]!, imm: out[i]!.imm2 ?? 0 };
    } else if (src === BPF_PSEUDO_BTF_ID) {
      const addr = env.ksymAddress(x.imm);
      if (addr === undefined) throw new PseudoResolveError(i, `ldimm64 insn specifies invalid btf_id ${x.imm}`);
      out[i] = setImm64(x, addr);
      if (out[i + 1] !== undefined) out[i + 1] = { ...out[i + 1]!, imm: out[i]!.imm2 ?? 0 };
      refs.set(i, { btfId: x.imm });
    }
    i++;
  }
  return { insns: out, refs };
}
