// The verifier's view of the kernel's kfuncs: a `VerifyOptions.kfunc` hook built from a Kernel's
// registry (KF_* flags and the BTF prototype) and the iterator state sizes from its BTF.

import type { Kernel } from '../kernel/kernel.js';
import type { VerifierKfunc } from './verifier.js';

const typeStr = (t: unknown): string => (typeof t === 'string' ? t : JSON.stringify(t));

/** `kfunc` option for verifyProgram: look a kfunc up by its BTF id in `kernel`. */
export function kfuncLookup(kernel: Kernel): (btfId: number) => VerifierKfunc | undefined {
  const cache = new Map<number, VerifierKfunc | undefined>();
  return (btfId) => {
    if (cache.has(btfId)) return cache.get(btfId);
    const e = kernel.kfuncs.get(btfId);
    let k: VerifierKfunc | undefined;
    if (e) {
      const args = e.proto.args.map(([n, t]) => [n, typeStr(t)] as const);
      k = { name: e.name, flags: e.flags, ret: typeStr(e.proto.ret), args };
      const iter = /struct (bpf_iter_\w+)/.exec(args[0]?.[1] ?? '')?.[1];
      if (iter) {
        try {
          const id = kernel.btf.findIdByName(iter);
          if (id > 0) k.iterSize = kernel.btf.sizeof(id);
        } catch {
          // no BTF for the iterator: the verifier assumes one 8-byte slot
        }
      }
    }
    cache.set(btfId, k);
    return k;
  };
}
