import { describe, expect, it } from 'vitest';
import { Kernel } from '../../src/kernel/kernel.js';
import {
  ALL_HELPERS, BPF_MAX_LOOPS, helperAllowed, helperId, helperName, helperState, helpersForProgType, registerAllHelpers,
  seedPrandom, setTaskStack, type CallEnv,
} from '../../src/kernel/helpers/index.js';
import { SeqFile, SeqFileError } from '../../src/kernel/seq.js';
import { BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_HASH } from '../../src/kernel/maps/types.js';

const E2BIG = -7n;
const EFAULT = -14n;
const EINVAL = -22n;
const ERANGE = -34n;
const EOVERFLOW = -75n;
const ENOENT = -2n;

function setup(opts: { callback?: CallEnv['callback']; seq?: SeqFile } = {}) {
  const kernel = new Kernel();
  registerAllHelpers(kernel);
  const env: CallEnv = {
    kernel,
    ctxPtr: 0n,
    progType: 'kprobe',
    callback: opts.callback ?? (() => 0n),
    tailCall: () => false,
    seq: opts.seq,
  };
  const mem = kernel.mem;
  const call = (name: string, ...a: bigint[]): bigint => {
    const h = kernel.helpers.byName(name);
    if (!h) throw new Error(`no helper ${name}`);
    return h.fn(env, a[0] ?? 0n, a[1] ?? 0n, a[2] ?? 0n, a[3] ?? 0n, a[4] ?? 0n);
  };
  /** a zeroed buffer in kernel memory (like a BPF stack slot), as pointer + offset */
  const buf = (n: number, fill?: Uint8Array | string) => {
    const off = mem.alloc(n);
    if (fill !== undefined) mem.writeBytes(off, typeof fill === 'string' ? new TextEncoder().encode(fill) : fill);
    return { off, ptr: mem.toPtr(off) };
  };
  const cstr = (s: string) => buf(s.length + 1, s + '\0');
  const u64s = (...v: bigint[]) => {
    const b = buf(8 * Math.max(1, v.length));
    v.forEach((x, i) => mem.writeU64(b.off + 8 * i, x));
    return b;
  };
  const text = (off: number, max = 256) => mem.readCString(off, max);
  return { kernel, env, mem, call, buf, cstr, u64s, text };
}

describe('helper ids and prototypes', () => {
  it('uses the kernel numbering', () => {
    expect(helperId('map_lookup_elem')).toBe(1);
    expect(helperId('bpf_trace_printk')).toBe(6);
    expect(helperId('probe_read_kernel')).toBe(113);
    expect(helperId('seq_printf')).toBe(126);
    expect(helperId('ringbuf_reserve')).toBe(131);
    expect(helperId('loop')).toBe(181);
    expect(helperId('kptr_xchg')).toBe(194);
    expect(helperId('cgrp_storage_delete')).toBe(211);
    expect(helperId('no_such_helper')).toBe(-1);
    expect(helperName(16)).toBe('get_current_comm');
    expect(helperName(9999)).toBe('unknown');
  });

  it('every implemented helper has a consistent prototype', () => {
    expect(ALL_HELPERS.length).toBeGreaterThan(50);
    for (const { proto } of ALL_HELPERS) {
      expect(helperName(proto.id)).toBe(proto.name);
      expect(proto.args.length).toBeLessThanOrEqual(5);
      expect(proto.argFlags.length).toBe(proto.args.length);
      proto.args.forEach((a, i) => {
        // kptr_xchg's second argument takes any BTF type (the kernel's BPF_PTR_POISON)
        if (a.startsWith('ARG_PTR_TO_BTF_ID') && proto.name !== 'kptr_xchg') expect(proto.argBtfTypes?.[i], `${proto.name} arg ${i}`).toMatch(/^struct /);
      });
    }
    const lookup = ALL_HELPERS.find((h) => h.proto.name === 'map_lookup_elem')!.proto;
    expect(lookup.ret).toBe('RET_PTR_TO_MAP_VALUE_OR_NULL');
    expect(lookup.args).toEqual(['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_KEY']);
    const printk = ALL_HELPERS.find((h) => h.proto.name === 'trace_printk')!.proto;
    expect(printk.gplOnly).toBe(true);
    expect(ALL_HELPERS.find((h) => h.proto.name === 'copy_from_user')!.proto.mightSleep).toBe(true);
  });

  it('allow lists follow Linux 6.18 get_func_proto', () => {
    const id = helperId;
    expect(helperAllowed(id('seq_printf'), 'tracing', 'trace_iter')).toBe(true);
    expect(helperAllowed(id('seq_printf'), 'tracing', 'BPF_TRACE_ITER')).toBe(true);
    expect(helperAllowed(id('seq_printf'), 'tracing', 'trace_raw_tp')).toBe(false);
    expect(helperAllowed(id('seq_printf'), 'kprobe')).toBe(false);
    // since 6.10 the pid/uid helpers are in the base set, xdp included
    expect(helperAllowed(id('get_current_pid_tgid'), 'xdp')).toBe(true);
    expect(helperAllowed(id('xdp_adjust_head'), 'xdp')).toBe(true);
    expect(helperAllowed(id('xdp_adjust_head'), 'sched_cls')).toBe(false);
    expect(helperAllowed(id('skb_load_bytes'), 'socket_filter')).toBe(true);
    expect(helperAllowed(id('skb_store_bytes'), 'socket_filter')).toBe(false);
    expect(helperAllowed(id('probe_read'), 'kprobe')).toBe(true);
    expect(helperAllowed(id('probe_read'), 'xdp')).toBe(false);
    expect(helperAllowed(id('get_stackid'), 'tracepoint')).toBe(true);
    expect(helperAllowed(id('get_attach_cookie'), 'tracing', 'trace_iter')).toBe(false);
    expect(helperAllowed(id('get_func_arg'), 'tracing', 'trace_fentry')).toBe(true);
    expect(helperAllowed(id('get_func_arg'), 'tracing', 'trace_raw_tp')).toBe(false);
    expect(helperAllowed(id('sys_bpf'), 'syscall')).toBe(true);
    expect(helperAllowed(id('ktime_get_coarse_ns'), 'kprobe')).toBe(false);
    expect(helpersForProgType('sched_cls').size).toBe(139);
    const seq = ALL_HELPERS.find((h) => h.proto.name === 'seq_printf')!;
    expect(seq.allowedIn('tracing', 'trace_iter')).toBe(true);
    expect(seq.allowedIn('xdp')).toBe(false);
    expect(helpersForProgType('xdp').size).toBe(104);
  });
});

describe('map helpers', () => {
  it('update, lookup, delete through map pointers', () => {
    const { kernel, call, u64s, mem } = setup();
    const { map } = kernel.maps.createMap({ type: BPF_MAP_TYPE_HASH, keySize: 8, valueSize: 8, maxEntries: 4 });
    const key = u64s(42n);
    const val = u64s(0xdeadn);
    expect(call('map_lookup_elem', map.ptr, key.ptr)).toBe(0n);
    expect(call('map_update_elem', map.ptr, key.ptr, val.ptr, 0n)).toBe(0n);
    const p = call('map_lookup_elem', map.ptr, key.ptr);
    expect(p).not.toBe(0n);
    expect(mem.readU64(mem.toOff(p))).toBe(0xdeadn);
    expect(call('map_update_elem', map.ptr, key.ptr, val.ptr, 1n /* BPF_NOEXIST */)).toBe(-17n);
    expect(call('map_delete_elem', map.ptr, key.ptr)).toBe(0n);
    expect(call('map_delete_elem', map.ptr, key.ptr)).toBe(ENOENT);
  });
});

describe('probe reads', () => {
  it('kernel reads copy, and fault like Linux', () => {
    const { call, buf, mem, kernel } = setup();
    const src = buf(16, 'abcdefgh');
    const dst = buf(8, 'XXXXXXXX');
    expect(call('probe_read_kernel', dst.ptr, 8n, src.ptr)).toBe(0n);
    expect(mem.readCString(dst.off, 8)).toBe('abcdefgh'.slice(0, 8));
    // NULL and user-half addresses: copy_from_kernel_nofault_allowed() refuses them (-ERANGE)
    mem.writeBytes(dst.off, new TextEncoder().encode('XXXXXXXX'));
    expect(call('probe_read_kernel', dst.ptr, 8n, 0n)).toBe(ERANGE);
    expect(mem.readBytes(dst.off, 8)).toEqual(new Uint8Array(8));
    expect(call('probe_read_kernel', dst.ptr, 8n, 0x1000n)).toBe(ERANGE);
    // a canonical kernel address with nothing mapped: -EFAULT, destination zeroed
    mem.writeBytes(dst.off, new TextEncoder().encode('XXXXXXXX'));
    expect(call('probe_read_kernel', dst.ptr, 8n, 0xffff800000000000n)).toBe(EFAULT);
    expect(mem.readBytes(dst.off, 8)).toEqual(new Uint8Array(8));
    expect(call('probe_read_kernel', dst.ptr, 8n, kernel.mem.toPtr(16))).toBe(EFAULT); // NULL guard page
    expect(call('probe_read_kernel', dst.ptr, 8n, kernel.mem.toPtr(mem.highWater - 4))).toBe(EFAULT); // straddles the end
    expect(call('probe_read_kernel', dst.ptr, 0n, 0n)).toBe(0n);
  });

  it('kernel string reads return the length with the NUL and truncate to size', () => {
    const { call, buf, cstr, mem } = setup();
    const s = cstr('hello');
    const dst = buf(16);
    expect(call('probe_read_kernel_str', dst.ptr, 16n, s.ptr)).toBe(6n);
    expect(mem.readCString(dst.off, 16)).toBe('hello');
    expect(call('probe_read_kernel_str', dst.ptr, 4n, s.ptr)).toBe(4n);
    expect(mem.readBytes(dst.off, 4)).toEqual(new Uint8Array([0x68, 0x65, 0x6c, 0]));
    expect(call('probe_read_kernel_str', dst.ptr, 6n, s.ptr)).toBe(6n);
    expect(call('probe_read_kernel_str', dst.ptr, 8n, 0n)).toBe(ERANGE);
    expect(mem.readBytes(dst.off, 8)).toEqual(new Uint8Array(8));
    expect(call('probe_read_kernel_str', dst.ptr, 8n, 0xffff800000000000n)).toBe(EFAULT);
  });

  it('user reads go through the current task address space', () => {
    const { kernel, call, buf, mem } = setup();
    const t = kernel.spawn({ comm: 'reader', memory: [{ addr: 0x10000n, bytes: 'user data\0' }] });
    kernel.setCurrent(t);
    const dst = buf(16);
    expect(call('probe_read_user', dst.ptr, 9n, 0x10000n)).toBe(0n);
    expect(mem.readCString(dst.off, 9)).toBe('user data');
    expect(call('probe_read_user_str', dst.ptr, 16n, 0x10000n)).toBe(10n);
    expect(call('probe_read_user_str', dst.ptr, 5n, 0x10000n)).toBe(5n);
    expect(mem.readCString(dst.off, 16)).toBe('user');
    // unmapped user address: -EFAULT and zeroed
    expect(call('probe_read_user', dst.ptr, 8n, 0x7000000n)).toBe(EFAULT);
    expect(mem.readBytes(dst.off, 8)).toEqual(new Uint8Array(8));
    expect(call('probe_read_user', dst.ptr, 8n, 0n)).toBe(EFAULT);
    expect(call('probe_read_user_str', dst.ptr, 8n, 0n)).toBe(EFAULT);
    // a kernel address is never user memory
    expect(call('probe_read_user', dst.ptr, 8n, dst.ptr)).toBe(EFAULT);
    // the compat helper picks user memory for user addresses, kernel memory otherwise
    expect(call('probe_read', dst.ptr, 4n, 0x10000n)).toBe(0n);
    expect(mem.readCString(dst.off, 4)).toBe('user');
    expect(call('probe_read', dst.ptr, 4n, 0n)).toBe(EFAULT);
    expect(call('probe_read_str', dst.ptr, 16n, 0x10000n)).toBe(10n);
    expect(call('copy_from_user', dst.ptr, 4n, 0x10000n)).toBe(0n);
    expect(call('copy_from_user', dst.ptr, 4n, 0x20000000n)).toBe(EFAULT);
    expect(call('copy_from_user_task', dst.ptr, 4n, 0x10000n, t.ptr, 0n)).toBe(0n);
    expect(call('copy_from_user_task', dst.ptr, 4n, 0x10000n, t.ptr, 1n)).toBe(EINVAL);
  });
});

describe('current task, time and randomness', () => {
  it('pid/tgid, uid/gid, comm, task, cgroup', () => {
    const { kernel, call, buf, mem } = setup();
    const t = kernel.spawn({ comm: 'a-very-long-command-name', uid: 1000, gid: 100, cgroup: '/app' });
    kernel.setCurrent(t);
    expect(call('get_current_pid_tgid')).toBe((BigInt(t.tgid) << 32n) | BigInt(t.pid));
    expect(call('get_current_uid_gid')).toBe((100n << 32n) | 1000n);
    const b = buf(16, 'ZZZZZZZZZZZZZZZZ');
    expect(call('get_current_comm', b.ptr, 16n)).toBe(0n);
    expect(mem.readCString(b.off, 16)).toBe('a-very-long-com'); // TASK_COMM_LEN - 1
    expect(call('get_current_comm', b.ptr, 4n)).toBe(0n);
    expect(mem.readBytes(b.off, 4)).toEqual(new Uint8Array([0x61, 0x2d, 0x76, 0]));
    expect(call('get_current_task')).toBe(t.ptr);
    expect(call('get_current_task_btf')).toBe(t.ptr);
    expect(call('get_current_cgroup_id')).toBe(t.cgroup.id);
    expect(call('get_current_ancestor_cgroup_id', 0n)).toBe(kernel.rootCgroup.id);
    expect(call('get_current_ancestor_cgroup_id', 99n)).toBe(0n);
  });

  it('clocks move forward; cpu and numa', () => {
    const { kernel, call } = setup();
    const a = call('ktime_get_ns');
    const b = call('ktime_get_ns');
    expect(b).toBeGreaterThan(a);
    expect(call('ktime_get_boot_ns')).toBeGreaterThanOrEqual(b);
    expect(call('ktime_get_coarse_ns') % 4_000_000n).toBe(0n);
    expect(call('ktime_get_tai_ns')).toBeGreaterThan(1_700_000_000_000_000_000n);
    expect(call('jiffies64')).toBeGreaterThan((1n << 32n) - 300n * 250n);
    kernel.setCpu(2);
    expect(call('get_smp_processor_id')).toBe(2n);
    expect(call('get_numa_node_id')).toBe(0n);
  });

  it('prandom is deterministic per seed', () => {
    const x = setup();
    const y = setup();
    const seqX = [0, 1, 2, 3].map(() => x.call('get_prandom_u32'));
    const seqY = [0, 1, 2, 3].map(() => y.call('get_prandom_u32'));
    expect(seqX).toEqual(seqY);
    expect(new Set(seqX).size).toBe(4);
    for (const v of seqX) expect(v).toBeLessThan(1n << 32n);
    seedPrandom(y.kernel, 7);
    expect(y.call('get_prandom_u32')).not.toBe(seqX[0]);
    seedPrandom(x.kernel, 7);
    seedPrandom(y.kernel, 7);
    expect(x.call('get_prandom_u32')).toBe(y.call('get_prandom_u32'));
  });

  it('send_signal is recorded, invalid signals refused', () => {
    const { kernel, call } = setup();
    const t = kernel.spawn({ comm: 'victim' });
    kernel.setCurrent(t);
    expect(call('send_signal', 9n)).toBe(0n);
    expect(call('send_signal_thread', 10n)).toBe(0n);
    expect(call('send_signal', 65n)).toBe(EINVAL);
    expect(helperState(kernel).signals).toEqual([
      { pid: t.pid, tgid: t.tgid, sig: 9, thread: false },
      { pid: t.pid, tgid: t.tgid, sig: 10, thread: true },
    ]);
  });
});

describe('trace_printk and snprintf', () => {
  it('trace_printk formats into kernel.trace and returns the length', () => {
    const { kernel, call, cstr } = setup();
    const f = cstr('pid %d comm %s x=%llx\n');
    const s = cstr('bash');
    expect(call('trace_printk', f.ptr, BigInt('pid %d comm %s x=%llx\n'.length + 1), 42n, s.ptr, 0xabcn)).toBe(23n);
    expect(kernel.trace).toEqual(['pid 42 comm bash x=abc\n']);
  });

  it('trace_printk refuses formats Linux refuses', () => {
    const { kernel, call, cstr } = setup();
    const bad = ['%d %d %d %d', '%o', '%hd', '%.2d', '%#x', '%f', '%n', '%5%d', 'tail %', '%sx', '\x01'];
    for (const fmt of bad) {
      const f = cstr(fmt);
      expect(call('trace_printk', f.ptr, BigInt(fmt.length + 1), 1n, 2n, 3n), fmt).toBe(EINVAL);
    }
    // no NUL inside fmt_size
    const f = cstr('abc');
    expect(call('trace_printk', f.ptr, 3n)).toBe(EINVAL);
    expect(kernel.trace).toEqual([]);
  });

  // expected outputs recorded from bpf_snprintf on Linux 6.18
  const vectors: [string, bigint[], string, number][] = [
    ['val=%d|', [5n], 'val=5|', 7],
    ['%p|', [0n], '0000000000000000|', 18],
    ['%pK|', [0n], '0000000000000000|', 18],
    ['%s|', [0n], '|', 2],
    ['%08lx', [0xabcn], '00000abc', 9],
    ['%5c|', [65n], '    A|', 7],
    ['%px', [0x1234n], '0000000000001234', 17],
    ['%10px|', [0x1234n], '      1234|', 12],
    ['%pS', [0x1234n], '0x1234', 7],
    ['%d', [-1n], '-1', 3],
    ['%u', [-1n], '4294967295', 11],
    ['%ld', [-1n], '-1', 3],
    ['%lu', [-1n], '18446744073709551615', 21],
    ['%llx', [-1n], 'ffffffffffffffff', 17],
    ['%X', [0xabcdef12345n], 'DEF12345', 9],
    ['%010d|', [-42n], '-000000042|', 12],
    ['% d|', [42n], ' 42|', 5],
    ['%-05d|', [42n], '42   |', 7],
    ['%-+5d|', [3n], '+3   |', 7],
    ['%0-5d|', [3n], '3    |', 7],
    ['%d', [5n, 6n], '5', 2],
    ['%pus', [0n], '', 1],
  ];
  it.each(vectors)('snprintf %j', (fmt, args, out, ret) => {
    const { call, cstr, buf, u64s, text } = setup();
    const f = cstr(fmt);
    const o = buf(128);
    const d = u64s(...args);
    expect(call('snprintf', o.ptr, 128n, f.ptr, d.ptr, BigInt(8 * args.length))).toBe(BigInt(ret));
    expect(text(o.off)).toBe(out);
  });

  it('snprintf strings, ip addresses, truncation and data_len rules', () => {
    const { call, cstr, buf, u64s, text } = setup();
    const o = buf(128);
    const s = cstr('hello');
    let d = u64s(s.ptr);
    expect(call('snprintf', o.ptr, 128n, cstr('%-8s|').ptr, d.ptr, 8n)).toBe(10n);
    expect(text(o.off)).toBe('hello   |');
    const ip = buf(16, 'abcdefghijklmnop');
    d = u64s(ip.ptr);
    expect(call('snprintf', o.ptr, 128n, cstr('%pI4').ptr, d.ptr, 8n)).toBe(13n);
    expect(text(o.off)).toBe('97.98.99.100');
    expect(call('snprintf', o.ptr, 128n, cstr('%pi4').ptr, d.ptr, 8n)).toBe(16n);
    expect(text(o.off)).toBe('097.098.099.100');
    expect(call('snprintf', o.ptr, 128n, cstr('%pI6').ptr, d.ptr, 8n)).toBe(40n);
    expect(text(o.off)).toBe('6162:6364:6566:6768:696a:6b6c:6d6e:6f70');
    expect(call('snprintf', o.ptr, 128n, cstr('%pi6').ptr, d.ptr, 8n)).toBe(33n);
    // truncation: returns the untruncated length + 1
    d = u64s(cstr('0123456789').ptr);
    expect(call('snprintf', o.ptr, 8n, cstr('%s').ptr, d.ptr, 8n)).toBe(11n);
    expect(text(o.off)).toBe('0123456');
    expect(call('snprintf', 0n, 0n, cstr('%s').ptr, d.ptr, 8n)).toBe(11n);
    // data_len must be a multiple of 8, at most 12 arguments, and cover the conversions
    expect(call('snprintf', o.ptr, 128n, cstr('%d').ptr, d.ptr, 4n)).toBe(EINVAL);
    expect(call('snprintf', o.ptr, 128n, cstr('%d').ptr, d.ptr, 104n)).toBe(EINVAL);
    expect(call('snprintf', o.ptr, 128n, cstr('%d %d').ptr, d.ptr, 8n)).toBe(EINVAL);
    // %p hashes: never the raw pointer
    d = u64s(0x1234n);
    expect(call('snprintf', o.ptr, 128n, cstr('%p').ptr, d.ptr, 8n)).toBe(17n);
    expect(text(o.off)).toMatch(/^00000000[0-9a-f]{8}$/);
    expect(text(o.off)).not.toBe('0000000000001234');
  });

  it('trace_vprintk takes up to 12 arguments from memory', () => {
    const { kernel, call, cstr, u64s } = setup();
    const fmt = '%d %d %d %d %d';
    const d = u64s(1n, 2n, 3n, 4n, 5n);
    expect(call('trace_vprintk', cstr(fmt).ptr, BigInt(fmt.length + 1), d.ptr, 40n)).toBe(9n);
    expect(kernel.trace.at(-1)).toBe('1 2 3 4 5');
    expect(call('trace_vprintk', cstr(fmt).ptr, BigInt(fmt.length + 1), d.ptr, 12n)).toBe(EINVAL);
  });
});

describe('seq_file helpers', () => {
  it('seq_printf and seq_write append; a full buffer gives -EOVERFLOW', () => {
    const seq = new SeqFile(32);
    const { call, cstr, u64s } = setup({ seq });
    const fmt = 'pid=%d\n';
    const d = u64s(7n);
    expect(call('seq_printf', 0n, cstr(fmt).ptr, BigInt(fmt.length + 1), d.ptr, 8n)).toBe(0n);
    expect(call('seq_write', 0n, cstr('abc').ptr, 3n)).toBe(0n);
    expect(seq.text()).toBe('pid=7\nabc');
    expect(call('seq_printf', 0n, cstr(fmt).ptr, BigInt(fmt.length + 1), d.ptr, 4n)).toBe(EINVAL);
    const long = cstr('x'.repeat(30));
    expect(call('seq_write', 0n, long.ptr, 30n)).toBe(EOVERFLOW);
    expect(seq.overflowed).toBe(true);
    expect(call('seq_write', 0n, cstr('y').ptr, 1n)).toBe(EOVERFLOW);
  });

  it('SeqFile rolls back an object that overflowed and reports E2BIG for a lone giant', () => {
    const seq = new SeqFile(16);
    seq.beginObject();
    expect(seq.print('first\n')).toBe(true);
    expect(seq.endObject()).toBe('ok');
    seq.beginObject();
    expect(seq.print('second line is long\n')).toBe(false);
    expect(seq.endObject()).toBe('retry');
    expect(new TextDecoder().decode(seq.flush())).toBe('first\n');
    seq.beginObject();
    seq.print('x'.repeat(20));
    expect(seq.endObject()).toBe('e2big');
    expect(seq.text()).toBe('first\n');
    expect(() => new SeqFile(0)).toThrow(SeqFileError);
  });
});

describe('callbacks', () => {
  it('bpf_loop calls back with the index and stops on non-zero', () => {
    const calls: bigint[][] = [];
    const { call } = setup({
      callback: (fn, r1, r2) => {
        calls.push([fn, r1, r2]);
        return r1 === 3n ? 1n : 0n;
      },
    });
    expect(call('loop', 10n, 0x1000n, 0x2000n, 0n)).toBe(4n);
    expect(calls).toEqual([0n, 1n, 2n, 3n].map((i) => [0x1000n, i, 0x2000n]));
    calls.length = 0;
    expect(call('loop', 2n, 0x1000n, 0n, 0n)).toBe(2n);
    expect(calls.length).toBe(2);
    expect(call('loop', 0n, 0x1000n, 0n, 0n)).toBe(0n);
  });

  it('bpf_loop limits: flags must be 0, at most 1 << 23 iterations', () => {
    let n = 0;
    const { call } = setup({ callback: () => (n++, 0n) });
    expect(call('loop', 1n, 0x1000n, 0n, 1n)).toBe(EINVAL);
    expect(call('loop', BigInt(BPF_MAX_LOOPS + 1), 0x1000n, 0n, 0n)).toBe(E2BIG);
    expect(n).toBe(0);
    expect(BPF_MAX_LOOPS).toBe(1 << 23);
    // nr_loops is a u32: the high half is ignored
    expect(call('loop', (1n << 32n) | 3n, 0x1000n, 0n, 0n)).toBe(3n);
  });

  it('for_each_map_elem walks an array map', () => {
    const seen: number[] = [];
    const ctx = { mem: undefined as unknown as import('../../src/kernel/memory.js').KernelMemory };
    const { kernel, call } = setup({
      callback: (_fn, map, key, value, c) => {
        seen.push(ctx.mem.readU32(ctx.mem.toOff(key)));
        expect(map).not.toBe(0n);
        expect(value).not.toBe(0n);
        expect(c).toBe(0x42n);
        return seen.length === 3 ? 1n : 0n;
      },
    });
    ctx.mem = kernel.mem;
    const { map } = kernel.maps.createMap({ type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 8, maxEntries: 5 });
    expect(call('for_each_map_elem', map.ptr, 0x1000n, 0x42n, 0n)).toBe(3n);
    expect(seen).toEqual([0, 1, 2]);
    expect(call('for_each_map_elem', map.ptr, 0x1000n, 0x42n, 1n)).toBe(EINVAL);
  });

  it('find_vma calls back with the vma containing the address', () => {
    const got: bigint[] = [];
    const { kernel, call } = setup({ callback: (_f, task, vma) => (got.push(task, vma), 0n) });
    const t = kernel.spawn({ comm: 'mapped' });
    const vma = t.mm!.vmas[0]!;
    expect(call('find_vma', t.ptr, vma.start, 0x1000n, 0n, 0n)).toBe(0n);
    expect(got).toEqual([t.ptr, vma.ptr]);
    expect(call('find_vma', t.ptr, 0x10n, 0x1000n, 0n, 0n)).toBe(ENOENT);
    expect(call('find_vma', t.ptr, vma.start, 0x1000n, 0n, 1n)).toBe(EINVAL);
  });
});

describe('strings', () => {
  it('strncmp', () => {
    const { call, cstr } = setup();
    expect(call('strncmp', cstr('abc').ptr, 4n, cstr('abc').ptr)).toBe(0n);
    expect(call('strncmp', cstr('abd').ptr, 4n, cstr('abc').ptr)).toBe(1n);
    expect(call('strncmp', cstr('abb').ptr, 4n, cstr('abc').ptr)).toBe(-1n);
    expect(call('strncmp', cstr('abx').ptr, 2n, cstr('aby').ptr)).toBe(0n);
  });

  const strtol: [string, bigint, bigint, bigint | null][] = [
    ['123', 0n, 3n, 123n],
    ['  -42xyz', 10n, 5n, -42n],
    ['0x1f', 0n, 4n, 31n],
    ['0x1f', 16n, 4n, 31n],
    ['017', 0n, 3n, 15n],
    ['0', 0n, 1n, 0n],
    ['abc', 10n, EINVAL, null],
    ['12', 7n, EINVAL, null],
    ['12', 0x20n, EINVAL, null],
    ['   ', 0n, EINVAL, null],
    ['9223372036854775807', 10n, 19n, 9223372036854775807n],
    ['9223372036854775808', 10n, ERANGE, null],
    ['-9223372036854775808', 10n, 20n, -9223372036854775808n],
    ['99999999999999999999', 10n, ERANGE, null],
  ];
  it.each(strtol)('strtol(%j, base %s)', (s, flags, ret, value) => {
    const { call, buf, u64s, mem } = setup();
    const b = buf(s.length, s);
    const res = u64s(0x5555n);
    expect(call('strtol', b.ptr, BigInt(s.length), flags, res.ptr)).toBe(ret);
    expect(mem.readI64(res.off)).toBe(value ?? 0x5555n);
  });

  it('strtoul refuses negatives and accepts the full u64 range', () => {
    const { call, buf, u64s, mem } = setup();
    const res = u64s(0n);
    const neg = buf(2, '-1');
    expect(call('strtoul', neg.ptr, 2n, 0n, res.ptr)).toBe(EINVAL);
    const big = buf(20, '18446744073709551615');
    expect(call('strtoul', big.ptr, 20n, 10n, res.ptr)).toBe(20n);
    expect(mem.readU64(res.off)).toBe(0xffffffffffffffffn);
  });
});

describe('locks and kptrs', () => {
  it('spin_lock marks the lock word; kptr_xchg swaps', () => {
    const { call, u64s, mem } = setup();
    const v = u64s(0n, 0x1111n);
    call('spin_lock', v.ptr);
    expect(mem.readU32(v.off)).toBe(1);
    call('spin_unlock', v.ptr);
    expect(mem.readU32(v.off)).toBe(0);
    expect(call('kptr_xchg', v.ptr + 8n, 0x2222n)).toBe(0x1111n);
    expect(mem.readU64(v.off + 8)).toBe(0x2222n);
  });
});

describe('stacks', () => {
  it('get_stack copies frames after skip and zero-fills', () => {
    const { kernel, call, buf, mem } = setup();
    const t = kernel.spawn({ comm: 'stacky' });
    kernel.setCurrent(t);
    setTaskStack(kernel, t, { kernel: [0xffffffff81000010n, 0xffffffff81000020n, 0xffffffff81000030n], user: [0x401000n] });
    const b = buf(32, new Uint8Array(32).fill(0xaa));
    expect(call('get_stack', 0n, b.ptr, 32n, 0n)).toBe(24n);
    expect([0, 1, 2, 3].map((i) => mem.readU64(b.off + 8 * i))).toEqual([0xffffffff81000010n, 0xffffffff81000020n, 0xffffffff81000030n, 0n]);
    expect(call('get_stack', 0n, b.ptr, 32n, 1n)).toBe(16n);
    expect(mem.readU64(b.off)).toBe(0xffffffff81000020n);
    expect(call('get_stack', 0n, b.ptr, 32n, 256n /* BPF_F_USER_STACK */)).toBe(8n);
    expect(mem.readU64(b.off)).toBe(0x401000n);
    expect(call('get_stack', 0n, b.ptr, 12n, 0n)).toBe(EINVAL); // not a multiple of 8
    expect(call('get_stack', 0n, b.ptr, 32n, 1n << 12n)).toBe(EINVAL); // unknown flag
    expect(call('get_stack', 0n, b.ptr, 32n, 5n)).toBe(EFAULT); // skip beyond the stack
    expect(mem.readBytes(b.off, 32)).toEqual(new Uint8Array(32));
    expect(call('get_task_stack', t.ptr, b.ptr, 16n, 0n)).toBe(16n);
  });
});
