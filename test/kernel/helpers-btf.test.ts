// bpf_snprintf_btf / bpf_seq_printf_btf: expected texts recorded from Linux 6.18 for the same
// types (timespec64, kref, qstr, old_utsname, enum pid_type, int) built here with BtfWriter.
import { describe, expect, it } from 'vitest';
import { BtfWriter, parseBtf } from '../../src/btf/index.js';
import { BTF_F_COMPACT, BTF_F_NONAME, BTF_F_PTR_RAW, BTF_F_ZERO, btfShow } from '../../src/kernel/helpers/btf-show.js';
import { Kernel } from '../../src/kernel/kernel.js';
import type { CallEnv } from '../../src/kernel/helpers/index.js';
import { SeqFile } from '../../src/kernel/seq.js';

function types() {
  const w = new BtfWriter();
  const int = w.addInt('int', 4, { signed: true });
  const long = w.addInt('long int', 8, { signed: true });
  const llong = w.addInt('long long int', 8, { signed: true });
  const s64 = w.addTypedef('s64', w.addTypedef('__s64', llong));
  const time64 = w.addTypedef('time64_t', s64);
  const ts = w.addStruct('timespec64', 16, [{ name: 'tv_sec', type: time64, offset: 0 }, { name: 'tv_nsec', type: long, offset: 8 }]);
  const atomicT = w.addTypedef('atomic_t', w.addStruct('', 4, [{ name: 'counter', type: int, offset: 0 }]));
  const refcountT = w.addTypedef('refcount_t', w.addStruct('refcount_struct', 4, [{ name: 'refs', type: atomicT, offset: 0 }]));
  const kref = w.addStruct('kref', 4, [{ name: 'refcount', type: refcountT, offset: 0 }]);
  const uint = w.addInt('unsigned int', 4);
  const u32 = w.addTypedef('u32', w.addTypedef('__u32', uint));
  const ullong = w.addInt('long long unsigned int', 8);
  const u64 = w.addTypedef('u64', w.addTypedef('__u64', ullong));
  const uchar = w.addInt('unsigned char', 1, { char: true });
  const inner = w.addStruct('', 8, [{ name: 'hash', type: u32, offset: 0 }, { name: 'len', type: u32, offset: 4 }]);
  const un = w.addUnion('', 8, [{ name: '', type: inner, offset: 0 }, { name: 'hash_len', type: u64, offset: 0 }]);
  const qstr = w.addStruct('qstr', 16, [{ name: '', type: un, offset: 0 }, { name: 'name', type: w.addPtr(w.addConst(uchar)), offset: 8 }]);
  const char = w.addInt('char', 1, { signed: true, char: true });
  const arr = w.addArray(char, 65);
  const uts = w.addStruct('old_utsname', 325, ['sysname', 'nodename', 'release', 'version', 'machine'].map((name, i) => ({ name, type: arr, offset: 65 * i })));
  const pidType = w.addEnum('pid_type', { PIDTYPE_PID: 0, PIDTYPE_TGID: 1, PIDTYPE_PGID: 2, PIDTYPE_SID: 3, PIDTYPE_MAX: 4 });
  const lh = w.addStruct('list_head', 16, []);
  const lhp = w.addPtr(lh);
  return { btf: parseBtf(w.finish()), ids: { int, ts, kref, qstr, uts, pidType, lh, lhp } };
}

const hash = (p: bigint) => p ^ 0x5a5a5a5an;
const bytes = (...b: number[]) => {
  const a = new Uint8Array(400);
  a.set(b);
  return a;
};

describe('btf_type_show layout', () => {
  const { btf, ids } = types();
  const show = (id: number, data: Uint8Array, flags = 0n) => btfShow(btf, id, data, { flags, hashPointer: hash });

  it('structs, flags', () => {
    const d = bytes(1, 0, 0, 0, 0, 0, 0, 0, 2);
    expect(show(ids.ts, d)).toBe('(struct timespec64){\n .tv_sec = (time64_t)1,\n .tv_nsec = (long int)2,\n}\n');
    expect(show(ids.ts, d, BTF_F_COMPACT)).toBe('(struct timespec64){.tv_sec = (time64_t)1,.tv_nsec = (long int)2,}');
    expect(show(ids.ts, bytes(1), BTF_F_NONAME)).toBe('{\n 1,\n}\n');
    expect(show(ids.ts, bytes())).toBe('(struct timespec64){\n}\n');
    expect(show(ids.ts, bytes(), BTF_F_ZERO)).toBe('(struct timespec64){\n .tv_sec = (time64_t)0,\n .tv_nsec = (long int)0,\n}\n');
  });

  it('scalars, enums, typedef chains, anonymous members, arrays, pointers', () => {
    expect(show(ids.int, bytes(0xd2, 4))).toBe('(int)1234\n');
    expect(show(ids.pidType, bytes(2))).toBe('(enum pid_type)PIDTYPE_PGID\n');
    expect(show(ids.pidType, bytes(9))).toBe('(enum pid_type)9\n');
    expect(show(ids.kref, bytes(3))).toBe('(struct kref){\n .refcount = (refcount_t){\n  .refs = (atomic_t){\n   .counter = (int)3,\n  },\n },\n}\n');
    expect(show(ids.qstr, bytes(1, 2, 3, 4, 5, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8), BTF_F_PTR_RAW)).toBe(
      '(struct qstr){\n (union){\n  (struct){\n   .hash = (u32)67305985,\n   .len = (u32)5,\n  },\n  .hash_len = (u64)21542142465,\n },\n .name = (unsigned char *)0x0807060504030201,\n}\n',
    );
    expect(show(ids.uts, bytes(0x4c, 0x69, 0x6e))).toBe("(struct old_utsname){\n .sysname = (char[])[\n  'L',\n  'i',\n  'n',\n ],\n}\n");
    expect(show(ids.uts, bytes(0x4c, 0x69, 0x6e), BTF_F_COMPACT)).toBe("(struct old_utsname){.sysname = (char[])['L','i','n',],}");
    // pointers are hashed (32 bits) unless BTF_F_PTR_RAW
    expect(show(ids.lhp, bytes(0x78, 0x56, 0x34, 0x12))).toBe(`(struct list_head *)0x${(0x12345678n ^ 0x5a5a5a5an).toString(16).padStart(16, '0')}\n`);
  });
});

describe('snprintf_btf / seq_printf_btf helpers', () => {
  it('render kernel objects by kernel BTF id, with snprintf return rules', () => {
    const kernel = new Kernel();
    const seq = new SeqFile();
    const env: CallEnv = { kernel, ctxPtr: 0n, progType: 'tracing', callback: () => 0n, tailCall: () => false, seq };
    const call = (name: string, ...a: bigint[]) => kernel.helpers.byName(name)!.fn(env, a[0] ?? 0n, a[1] ?? 0n, a[2] ?? 0n, a[3] ?? 0n, a[4] ?? 0n);
    const intId = kernel.btf.findIdByName('int');
    expect(intId).toBeGreaterThan(0);
    const mem = kernel.mem;
    const obj = mem.alloc(8);
    mem.writeU32(obj, 1234);
    const bp = mem.alloc(16);
    mem.writeU64(bp, mem.toPtr(obj));
    mem.writeU32(bp + 8, intId);
    const out = mem.alloc(64);
    expect(call('snprintf_btf', mem.toPtr(out), 64n, mem.toPtr(bp), 16n, 0n)).toBe(10n);
    expect(mem.readCString(out, 64)).toBe('(int)1234\n');
    expect(call('snprintf_btf', mem.toPtr(out), 4n, mem.toPtr(bp), 16n, 0n)).toBe(10n);
    expect(mem.readCString(out, 64)).toBe('(in');
    expect(call('seq_printf_btf', 0n, mem.toPtr(bp), 16n, BTF_F_COMPACT)).toBe(0n);
    expect(seq.text()).toBe('(int)1234');
    expect(call('snprintf_btf', mem.toPtr(out), 64n, mem.toPtr(bp), 12n, 0n)).toBe(-22n);
    expect(call('snprintf_btf', mem.toPtr(out), 64n, mem.toPtr(bp), 16n, 1n << 4n)).toBe(-22n);
    mem.writeU32(bp + 8, 0x7fffffff);
    expect(call('snprintf_btf', mem.toPtr(out), 64n, mem.toPtr(bp), 16n, 0n)).toBe(-2n);
  });
});
