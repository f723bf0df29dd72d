// CO-RE end to end: a program compiled against the simulated kernel's own vmlinux.h reads the
// current task through relocated field accesses, under both engines, and must see exactly what
// the world holds.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BpfObject, Kernel } from '../../src/index.js';

const OBJ = new Uint8Array(readFileSync(join(import.meta.dirname, '..', 'progs', 'core_task.bpf.o')));

function decode(v: Uint8Array) {
  const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
  const str = (off: number): string => {
    const b = v.subarray(off, off + 16);
    const n = b.indexOf(0);
    return Buffer.from(b.subarray(0, n < 0 ? 16 : n)).toString('latin1');
  };
  return {
    pid: dv.getInt32(0, true),
    tgid: dv.getInt32(4, true),
    parentTgid: dv.getInt32(8, true),
    grandparentTgid: dv.getInt32(12, true),
    uid: dv.getUint32(16, true),
    maxFds: dv.getInt32(20, true),
    mmapBase: dv.getBigUint64(24, true),
    comm: str(32),
    parentComm: str(48),
  };
}

describe.each(['interp', 'jit'] as const)('CO-RE task reads (%s)', (engine) => {
  it('BPF_CORE_READ(task, real_parent, tgid) and friends see the world', async () => {
    const kernel = new Kernel();
    const obj = BpfObject.open(OBJ, { kernel, name: 'core_task' });
    await obj.load({ engine, unverified: true });
    for (const task of kernel.tasks.filter((t) => t.mm !== null && t.parent?.parent)) {
      const r = obj.program('read_current').run({ task });
      expect(r.retval).toBe(0n);
      const got = decode(obj.map('core_out').lookup(new Uint8Array(4))!);
      expect(got).toEqual({
        pid: task.pid,
        tgid: task.tgid,
        parentTgid: task.parent!.tgid,
        grandparentTgid: task.parent!.parent!.tgid,
        uid: task.cred.ids.uid,
        maxFds: task.files!.maxFds,
        mmapBase: 0x7f0000000000n,
        comm: task.comm,
        parentComm: task.parent!.comm,
      });
    }
  });
});
