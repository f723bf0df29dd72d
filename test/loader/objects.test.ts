import { describe, expect, it } from 'vitest';
import { ldImm64Value, type Insn } from '../../src/isa/insn.js';
import {
  BPF_PSEUDO_BTF_ID, BPF_PSEUDO_CALL, BPF_PSEUDO_FUNC, BPF_PSEUDO_KFUNC_CALL, BPF_PSEUDO_MAP_IDX, BPF_PSEUDO_MAP_IDX_VALUE,
} from '../../src/isa/opcodes.js';
import { parseElf } from '../../src/elf/index.js';
import { BpfObjectError, DEFAULT_KERNEL_VERSION, POISON_CALL_KFUNC_BASE, internalMapName, openObject } from '../../src/loader/index.js';
import { open, prog, progBytes, targetBtf } from './helpers.js';

const LD = 0x18;
const CALL = 0x85;
const mapRefs = (insns: Insn[]): { slot: number; src: number; imm: number; imm2: number }[] =>
  insns.flatMap((x, slot) => (x.code === LD && (x.src === BPF_PSEUDO_MAP_IDX || x.src === BPF_PSEUDO_MAP_IDX_VALUE) ? [{ slot, src: x.src, imm: x.imm, imm2: x.imm2 ?? 0 }] : []));
const helperCalls = (insns: Insn[]): number[] => insns.filter((x) => x.code === CALL && x.src === 0).map((x) => x.imm);

describe('programs and their sections', () => {
  it('reads every program with type, attach info, license and annotations', () => {
    const o = open('tracing');
    expect(o.license).toBe('GPL');
    expect(o.programs.map((p) => [p.name, p.section, p.type, p.attachTo])).toEqual([
      ['count_syscalls', 'raw_tp/sys_enter', 'raw_tracepoint', 'sys_enter'],
      ['trace_openat', 'tp/syscalls/sys_enter_openat', 'tracepoint', 'syscalls/sys_enter_openat'],
      ['probe_open', 'kprobe/do_sys_open', 'kprobe', 'do_sys_open'],
      ['probe_open_ret', 'kretprobe/do_sys_open', 'kprobe', 'do_sys_open'],
    ]);
    for (const p of o.programs) expect(p.license).toBe('GPL');
    expect(prog(o, 'count_syscalls').tags).toEqual(['comment:test_expect_success']);
  });

  it('keeps the selftest annotations as decl tags', () => {
    const o = open('arith');
    expect(prog(o, 'arith_basic').tags).toEqual([
      'comment:test_description=arith: mixed 64/32-bit arithmetic',
      'comment:test_expect_success',
      'comment:test_retval=42',
    ]);
    expect(prog(o, 'arith_uninit').tags).toContain('comment:test_expect_failure');
    expect(prog(o, 'arith_uninit').tags).toContain('comment:test_expect_msg=R2 !read_ok');
    expect(prog(o, 'arith_uninit').insns).toEqual([
      { code: 0xbf, dst: 0, src: 2, off: 0, imm: 0 },
      { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 },
    ]);
  });

  it('knows xdp, xdp.frags, tc, tcx, socket and iter programs', () => {
    const x = open('xdp');
    expect(prog(x, 'xdp_filter')).toMatchObject({ type: 'xdp', expectedAttachType: 'xdp', progFlags: 0 });
    expect(prog(x, 'xdp_frags_len')).toMatchObject({ type: 'xdp', progFlags: 1 << 5 });
    const s = open('skb');
    expect(prog(s, 'tc_mark')).toMatchObject({ type: 'sched_cls' });
    expect(prog(s, 'tc_mark').expectedAttachType).toBeUndefined();
    expect(prog(s, 'tcx_pass')).toMatchObject({ type: 'sched_cls', expectedAttachType: 'tcx_ingress' });
    expect(prog(s, 'socket_trunc')).toMatchObject({ type: 'socket_filter', autoload: true });
    expect(prog(s, 'tc_optional')).toMatchObject({ section: '?tc', type: 'sched_cls', autoload: false });
    const it = open('iter_task');
    expect(prog(it, 'dump_task')).toMatchObject({ type: 'tracing', expectedAttachType: 'trace_iter', attachTo: 'task', sleepable: false });
    expect(prog(open('arith'), 'arith_basic')).toMatchObject({ type: 'syscall', sleepable: true, progFlags: 1 << 4 });
  });

  it('finds the attach BTF id of tracing programs in the target BTF', () => {
    const tb = targetBtf();
    const iter = prog(open('iter_task', { targetBtf: tb }), 'dump_task').attachBtfId;
    expect(iter).toBe(tb.findIdByName('bpf_iter_task', 'func'));
    expect(iter).toBeGreaterThan(0);
    const tp = prog(open('externs', { targetBtf: tb, kconfig: { CONFIG_BPF_SYSCALL: 'y' } }), 'ksym_addr');
    expect(tp).toMatchObject({ type: 'tracing', expectedAttachType: 'trace_raw_tp', attachTo: 'sched_switch' });
    expect(tp.attachBtfId).toBe(tb.findIdByName('btf_trace_sched_switch', 'typedef'));
    const withIter = open('core_reloc', { targetBtf: tb });
    expect(prog(withIter, 'core_field_offset').attachBtfId).toBeUndefined(); // kprobes have none
    expect(prog(open('iter_task'), 'dump_task').attachBtfId).toBeUndefined(); // no target BTF
  });

  it('carries func_info and line_info rebased to the linked program', () => {
    const p = prog(open('calls'), 'call_both');
    expect(p.funcInfo.map((f) => f.insnOff)).toEqual(p.subprogs.map((s) => s.start));
    expect(p.lineInfo.length).toBeGreaterThan(0);
    expect(p.lineInfo[0]).toMatchObject({ insnOff: 0, fileName: './calls.bpf.c' });
    expect(p.lineInfo.every((l) => l.insnOff < p.insns.length)).toBe(true);
    expect(p.lineInfo.some((l) => l.text.includes('return x * x;'))).toBe(true);
  });
});

describe('bpf-to-bpf linking', () => {
  const calls = open('calls');

  it('appends reached .text subprograms transitively, depth-first like libbpf', () => {
    const p = prog(calls, 'call_static');
    expect(p.subprogs.map((s) => s.name)).toEqual(['call_static', 'sum_squares', 'square']);
    // every pseudo call lands on the start of a subprogram
    const starts = new Set(p.subprogs.map((s) => s.start));
    const targets = p.insns.flatMap((x, i) => (x.code === CALL && x.src === BPF_PSEUDO_CALL ? [i + x.imm + 1] : []));
    expect(targets.length).toBe(3); // main→sum_squares, sum_squares→square twice
    for (const t of targets) expect(starts.has(t)).toBe(true);
    expect(p.insns[targets[0]!]).toEqual(calls.programs[0]!.insns[p.subprogs[1]!.start]);
  });

  it('gives each program its own copy, only of what it reaches', () => {
    expect(prog(calls, 'call_global').subprogs.map((s) => s.name)).toEqual(['call_global', 'global_triple']);
    const both = prog(calls, 'call_both');
    expect(both.subprogs.map((s) => s.name)).toEqual(['call_both', 'square', 'global_triple']);
    expect(both.insns.length).toBe(16);
    expect(both.subprogs.map((s) => s.name)).not.toContain('unused_helper');
  });

  it('turns callback addresses into BPF_PSEUDO_FUNC ld_imm64 with a relative offset', () => {
    const p = prog(open('bpf_loop'), 'loop_sum');
    expect(p.subprogs.map((s) => s.name)).toEqual(['loop_sum', 'add_index']);
    const ld = p.insns.findIndex((x) => x.code === LD && x.src === BPF_PSEUDO_FUNC);
    expect(ld).toBeGreaterThan(0);
    expect(ld + p.insns[ld]!.imm + 1).toBe(p.subprogs[1]!.start);
    expect(p.insns[ld]!.imm2).toBe(0);
    expect(p.insns[ld + 1]).toEqual({ code: 0, dst: 0, src: 0, off: 0, imm: 0 });
    expect(helperCalls(p.insns)).toContain(181);
  });
});

describe('selftest-style inline assembly', () => {
  const o = open('asm_style');

  it('links a call to a naked static subprogram and keeps map immediates', () => {
    const p = prog(o, 'asm_call');
    expect(p.subprogs).toEqual([{ name: 'asm_call', start: 0 }, { name: 'subprog_add', start: 3 }]);
    expect(p.insns[1]).toMatchObject({ code: CALL, src: BPF_PSEUDO_CALL, imm: 1 });
    const l = prog(o, 'asm_lookup');
    expect(mapRefs(l.insns)).toEqual([{ slot: 4, src: BPF_PSEUDO_MAP_IDX, imm: 0, imm2: 0 }]);
    expect(helperCalls(l.insns)).toEqual([1]);
  });

  it('appends the exception callback a program names in its decl tags', () => {
    const p = prog(o, 'with_exception_cb');
    expect(p.subprogs.map((x) => x.name)).toEqual(['with_exception_cb', 'on_exception']);
    expect(p.funcInfo.map((f) => o.btf!.nameOf(f.typeId))).toEqual(['with_exception_cb', 'on_exception']);
  });

  it('reads __log_level and ?-sections', () => {
    const p = prog(o, 'asm_misaligned');
    expect(p).toMatchObject({ section: '?raw_tp', type: 'raw_tracepoint', autoload: false });
    expect(p.tags).toContain('comment:test_log_level=2');
    expect(p.tags).toContain('comment:test_expect_msg=misaligned stack access off');
  });
});

describe('maps', () => {
  it('reads BTF-defined maps with types, flags, pinning and numa node', () => {
    const o = open('maps');
    expect(o.maps.map((m) => m.name)).toEqual(['counters', 'pairs', 'scratch', 'lru', '.rodata.cst16']);
    const [counters, pairs, scratch, lru] = o.maps;
    expect(counters).toMatchObject({ type: 2, keySize: 4, valueSize: 8, maxEntries: 4, flags: 0, isGlobalData: false, pinning: 0 });
    expect(o.btf!.typeToString(counters!.keyTypeId!)).toBe('__u32');
    expect(pairs).toMatchObject({ type: 1, keySize: 8, valueSize: 16, maxEntries: 128, flags: 1 });
    expect(o.btf!.typeToString(pairs!.valueTypeId!)).toBe('struct pair');
    expect(scratch).toMatchObject({ type: 6, keySize: 4, valueSize: 16, maxEntries: 1, pinning: 1 });
    expect(scratch!.keyTypeId).toBeUndefined();
    expect(lru).toMatchObject({ type: 9, keySize: 4, valueSize: 4, maxEntries: 32, flags: 4, numaNode: 0 });
  });

  it('references maps by index from ld_imm64 (BPF_PSEUDO_MAP_IDX)', () => {
    const o = open('maps');
    const refs = mapRefs(prog(o, 'hash_ops').insns);
    expect(refs.length).toBeGreaterThanOrEqual(4);
    for (const r of refs) expect(r).toMatchObject({ src: BPF_PSEUDO_MAP_IDX, imm: 1, imm2: 0 });
    expect(mapRefs(prog(o, 'array_incr').insns).every((r) => r.imm === 0)).toBe(true);
    expect(helperCalls(prog(o, 'hash_ops').insns)).toEqual(expect.arrayContaining([1, 2, 3]));
  });

  it('reads legacy SEC("maps") definitions and the version section', () => {
    const o = open('legacy_maps');
    expect(o.maps.map((m) => [m.name, m.type, m.keySize, m.valueSize, m.maxEntries, m.flags, m.section])).toEqual([
      ['legacy_array', 2, 4, 8, 8, 0, 'maps'],
      ['legacy_hash', 1, 4, 4, 16, 1, 'maps'],
    ]);
    expect(o.kernVersion).toBe(0x060c00);
    const refs = mapRefs(prog(o, 'legacy_user').insns);
    expect(refs.map((r) => r.imm).sort()).toEqual([0, 1]);
  });

  it('reads map-in-map and prog_array definitions with initialised values slots', () => {
    const o = open('map_in_map');
    expect(o.maps.map((m) => m.name)).toEqual(['inner_a', 'inner_b', 'outer', 'jmp_table']);
    const outer = o.map('outer')!;
    expect(outer).toMatchObject({ type: 12, keySize: 4, valueSize: 4, maxEntries: 4 });
    expect(outer.innerMap).toMatchObject({ type: 2, keySize: 4, valueSize: 4, maxEntries: 2 });
    expect(outer.initialSlots).toEqual([{ index: 0, map: 0 }, { index: 2, map: 1 }]);
    const jt = o.map('jmp_table')!;
    expect(jt).toMatchObject({ type: 3, keySize: 4, valueSize: 4, maxEntries: 3 });
    expect(jt.initialSlots).toEqual([{ index: 1, program: 'tail_target' }]);
    expect(mapRefs(prog(o, 'use_outer').insns).map((r) => r.imm)).toEqual([2, 3]);
  });

  it('ring buffers have no key or value', () => {
    expect(open('ringbuf').map('events')).toMatchObject({ type: 27, keySize: 0, valueSize: 0, maxEntries: 4096 });
  });
});

describe('global data', () => {
  const o = open('globals');

  it('turns .data, .rodata, .data.*, .rodata.*, .bss into array maps named like libbpf', () => {
    expect(o.maps.map((m) => [m.name, m.section, m.valueSize, m.flags])).toEqual([
      ['globals.data', '.data', 4, 0x400],
      ['globals.rodata', '.rodata', 10, 0x480],
      ['.data.custom', '.data.custom', 8, 0x400],
      ['.rodata.tuning', '.rodata.tuning', 4, 0x480],
      ['globals.bss', '.bss', 40, 0x400],
    ]);
    for (const m of o.maps) expect(m).toMatchObject({ type: 2, keySize: 4, maxEntries: 1, isGlobalData: true });
    expect(o.btf!.get(o.map('globals.data')!.valueTypeId!)).toMatchObject({ kind: 'datasec', name: '.data' });
  });

  it('keeps the initial contents', () => {
    const dv = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);
    expect(dv(o.map('globals.data')!.initialData!).getInt32(0, true)).toBe(5);
    const ro = o.map('globals.rodata')!.initialData!;
    expect(dv(ro).getUint32(0, true)).toBe(100);
    expect(new TextDecoder().decode(ro.subarray(4, 9))).toBe('hello');
    const custom = dv(o.map('.data.custom')!.initialData!);
    expect([custom.getUint32(0, true), custom.getUint32(4, true)]).toEqual([0x11223344, 0x55]);
    expect(dv(o.map('.rodata.tuning')!.initialData!).getInt32(0, true)).toBe(3);
    expect(o.map('globals.bss')!.initialData).toEqual(new Uint8Array(40));
  });

  it('references globals as BPF_PSEUDO_MAP_IDX_VALUE with the variable offset', () => {
    const refs = mapRefs(prog(o, 'use_globals').insns);
    const byMap = (name: string): number[] => refs.filter((r) => r.imm === o.maps.findIndex((m) => m.name === name)).map((r) => r.imm2);
    expect(refs.every((r) => r.src === BPF_PSEUDO_MAP_IDX_VALUE)).toBe(true);
    expect(byMap('globals.data')).toEqual([0]);
    expect(byMap('globals.rodata')).toEqual([0]); // limit (greeting[1] was constant-folded)
    expect(byMap('.data.custom')).toEqual([4]); // custom_b
    expect(byMap('globals.bss').sort()).toEqual([0, 8]); // zeroed, zeroed_too
  });

  it('fixes up DATASEC sizes and variable offsets in the object BTF like libbpf', () => {
    const btf = o.btf!;
    const ds = (name: string): { size: number; vars: [string, number, number][] } => {
      const t = btf.get(o.maps.find((m) => m.section === name)!.valueTypeId!);
      if (t.kind !== 'datasec') throw new Error('not a datasec');
      return { size: t.size, vars: t.vars.map((v) => [btf.get(v.type).name, v.offset, v.size]) };
    };
    expect(ds('.bss')).toEqual({ size: 40, vars: [['zeroed', 0, 8], ['zeroed_too', 8, 32]] });
    expect(ds('.rodata')).toEqual({ size: 10, vars: [['limit', 0, 4], ['greeting', 4, 6]] });
    expect(ds('.data.custom')).toEqual({ size: 8, vars: [['custom_a', 0, 4], ['custom_b', 4, 4]] });
  });

  it('maps string literals in .rodata.str1.1 with the offset from the instruction', () => {
    const s = open('strings');
    expect(s.maps.map((m) => [m.name, m.valueSize, m.flags])).toEqual([['.rodata.str1.1', 21, 0x80]]);
    expect(mapRefs(prog(s, 'print_literals').insns).map((r) => [r.src, r.imm, r.imm2])).toEqual([
      [BPF_PSEUDO_MAP_IDX_VALUE, 0, 0],
      [BPF_PSEUDO_MAP_IDX_VALUE, 0, 10],
    ]);
    expect(new TextDecoder().decode(s.maps[0]!.initialData!.subarray(10, 20))).toBe('second %d\n');
  });

  it('names internal maps with libbpf truncation rules', () => {
    expect(internalMapName('iter_task', '.rodata')).toBe('iter_tas.rodata');
    expect(internalMapName('x', '.bss')).toBe('x.bss');
    expect(internalMapName('externs', '.kconfig')).toBe('externs.kconfig');
    expect(internalMapName('anything', '.rodata.str1.1')).toBe('.rodata.str1.1');
    expect(internalMapName('o', '.data.a_very_long_section_name')).toBe('.data.a_very_lo');
  });
});

describe('externs', () => {
  const tb = targetBtf();
  const o = open('externs', { targetBtf: tb, kconfig: { CONFIG_BPF_SYSCALL: 'y', CONFIG_HZ: 250 } });

  it('lays out .kconfig like libbpf and fills values (defaults, weak → 0)', () => {
    const k = o.map('externs.kconfig')!;
    expect(k).toMatchObject({ type: 2, keySize: 4, valueSize: 14, maxEntries: 1, flags: 0x480, section: '.kconfig' });
    const off = Object.fromEntries(o.externs.filter((e) => e.kind === 'kconfig').map((e) => [e.name, e.offset]));
    expect(off).toEqual({ CONFIG_BPF_JIT: 0, CONFIG_HZ: 4, LINUX_KERNEL_VERSION: 8, CONFIG_BPFWASM_MISSING: 12, CONFIG_BPF_SYSCALL: 13 });
    const dv = new DataView(k.initialData!.buffer);
    expect(dv.getUint32(0, true)).toBe(0);
    expect(dv.getInt32(4, true)).toBe(250);
    expect(dv.getUint32(8, true)).toBe(DEFAULT_KERNEL_VERSION);
    expect(DEFAULT_KERNEL_VERSION).toBe(0x061200);
    expect([dv.getUint8(12), dv.getUint8(13)]).toEqual([0, 1]);
    const ds = o.btf!.get(k.valueTypeId!);
    expect(ds.kind === 'datasec' && [ds.size, ds.vars.map((v) => v.offset).sort((a, b) => a - b)]).toEqual([14, [0, 4, 8, 12, 13]]);
    const refs = mapRefs(prog(o, 'read_kconfig').insns);
    expect(refs.map((r) => r.imm2)).toEqual([8, 13, 0, 12, 4]);
    expect(refs.every((r) => r.imm === 0 && r.src === BPF_PSEUDO_MAP_IDX_VALUE)).toBe(true);
  });

  it('takes tristates, numbers and bigint from opts.kconfig', () => {
    const o2 = open('externs', { targetBtf: tb, kconfig: { CONFIG_BPF_SYSCALL: true, CONFIG_BPF_JIT: 'm', CONFIG_HZ: 1000n, LINUX_KERNEL_VERSION: 0x050f00 } });
    const dv = new DataView(o2.map('externs.kconfig')!.initialData!.buffer);
    expect([dv.getUint32(0, true), dv.getInt32(4, true), dv.getUint32(8, true)]).toEqual([2, 1000, 0x050f00]);
  });

  it('supports every kconfig type, laid out exactly as libbpf 1.x does', () => {
    const k = open('kconfig', {
      kconfig: {
        CONFIG_NR_CPUS: 64n, CONFIG_BPFWASM_NEG: '-0x10', CONFIG_BPFWASM_U16: 65535, CONFIG_BPFWASM_CHAR: 'x',
        CONFIG_DEFAULT_HOSTNAME: 'bpfwasm-host-with-a-long-name', CONFIG_BPF_JIT: 'y', CONFIG_BPF_SYSCALL: false,
      },
    });
    const off = Object.fromEntries(k.externs.map((e) => [e.name, e.offset]));
    // offsets printed by libbpf 1.1 ("extern (kcfg) #n: ... off N") for this object
    expect(off).toEqual({
      CONFIG_NR_CPUS: 0, CONFIG_BPFWASM_NEG: 8, CONFIG_BPF_JIT: 12, LINUX_KERNEL_VERSION: 16,
      CONFIG_BPFWASM_U16: 20, CONFIG_BPFWASM_CHAR: 22, CONFIG_BPF_SYSCALL: 23, CONFIG_DEFAULT_HOSTNAME: 24,
    });
    const m = k.map('kconfig.kconfig')!;
    expect(m.valueSize).toBe(40);
    const dv = new DataView(m.initialData!.buffer);
    expect(dv.getBigUint64(0, true)).toBe(64n);
    expect(dv.getInt32(8, true)).toBe(-16);
    expect(dv.getUint32(12, true)).toBe(1);
    expect(dv.getUint16(20, true)).toBe(65535);
    expect([dv.getUint8(22), dv.getUint8(23)]).toEqual([0x78, 0]);
    expect(new TextDecoder().decode(m.initialData!.subarray(24, 40))).toBe('bpfwasm-host-wi\0');
    expect(() => open('kconfig', { kconfig: { CONFIG_BPFWASM_U16: 70000 } })).toThrow(/CONFIG_BPFWASM_U16.*does not fit an unsigned 2-byte/);
    expect(() => open('kconfig', { kconfig: { CONFIG_DEFAULT_HOSTNAME: 3 } })).toThrow(/is not a string/);
    expect(() => open('kconfig', { kconfig: { CONFIG_BPF_JIT: 'maybe' } })).toThrow(/not a valid tristate/);
  });

  it('rejects a missing non-weak CONFIG_ and a bad value', () => {
    expect(() => open('externs', { targetBtf: tb })).toThrow(/CONFIG_BPF_SYSCALL.*not __weak/);
    expect(() => open('externs', { targetBtf: tb, kconfig: { CONFIG_BPF_SYSCALL: 'm' } })).toThrow(BpfObjectError);
    expect(() => open('externs', { targetBtf: tb, kconfig: { CONFIG_BPF_SYSCALL: 'y', CONFIG_HZ: 1n << 40n } })).toThrow(/does not fit/);
  });

  it('resolves kfuncs by name to target BTF ids and poisons a missing weak one', () => {
    const p = prog(o, 'call_kfuncs');
    const kcalls = p.insns.filter((x) => x.code === CALL && x.src === BPF_PSEUDO_KFUNC_CALL).map((x) => x.imm);
    expect(kcalls).toEqual([tb.findIdByName('bpf_rcu_read_lock', 'func'), tb.findIdByName('bpf_rcu_read_unlock', 'func')]);
    expect(kcalls.every((id) => id > 0)).toBe(true);
    const missing = o.externs.findIndex((e) => e.name === 'bpf_kfunc_that_does_not_exist');
    expect(p.unresolvedKfuncs).toHaveLength(1);
    const at = p.unresolvedKfuncs[0]!.insnOff;
    expect(p.insns[at]).toEqual({ code: CALL, dst: 0, src: 0, off: 0, imm: POISON_CALL_KFUNC_BASE + missing });
    // its address check became a plain 0
    const ld = p.insns.find((x) => x.code === LD)!;
    expect([ld.src, ldImm64Value(ld)]).toEqual([0, 0n]);
  });

  it('resolves typed ksyms to BPF_PSEUDO_BTF_ID and weak typeless ones to 0', () => {
    const lds = prog(o, 'ksym_addr').insns.filter((x) => x.code === LD);
    expect(lds.map((x) => [x.src, x.imm])).toEqual(
      expect.arrayContaining([[BPF_PSEUDO_BTF_ID, tb.findIdByName('runqueues', 'var')], [0, 0]]),
    );
    const withAddr = open('externs', { targetBtf: tb, kconfig: { CONFIG_BPF_SYSCALL: 'y' }, kallsyms: { bpf_prog_active: 0xffffffff82001234n } });
    const ld = prog(withAddr, 'ksym_addr').insns.filter((x) => x.code === LD && x.src === 0);
    expect(ld.map(ldImm64Value)).toEqual([0xffffffff82001234n]);
  });

  it('fails on non-weak ksyms the target does not have', () => {
    expect(() => open('externs', { kconfig: { CONFIG_BPF_SYSCALL: 'y' } })).toThrow(/bpf_rcu_read_lock.*not found/);
  });

  it('resolves the number iterator kfuncs used by bpf_for', () => {
    const p = prog(open('iter_num', { targetBtf: tb }), 'nested');
    const ids = new Set(p.insns.filter((x) => x.code === CALL && x.src === BPF_PSEUDO_KFUNC_CALL).map((x) => x.imm));
    expect(ids).toEqual(new Set(['bpf_iter_num_new', 'bpf_iter_num_next', 'bpf_iter_num_destroy'].map((n) => tb.findIdByName(n, 'func'))));
    // without a target BTF the weak kfuncs are unresolved and poisoned, not an error
    expect(prog(open('iter_num'), 'nested').unresolvedKfuncs.length).toBeGreaterThan(0);
  });
});

describe('errors', () => {
  it('rejects non-ELF input and wraps the ELF reader error', () => {
    let err: unknown;
    try {
      openObject(new Uint8Array(100));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BpfObjectError);
    expect((err as BpfObjectError).message).toMatch(/malformed ELF: not an ELF file/);
    expect((err as BpfObjectError).internal).toBe(false);
  });

  it('names the section and offset of a bad relocation', () => {
    const bytes = progBytes('globals');
    const elf = parseElf(bytes);
    const rel = elf.sectionByName('.relsyscall')!;
    // point the first relocation at a non-ld_imm64 instruction (offset 8 is inside the ld_imm64 pair)
    new DataView(bytes.buffer, bytes.byteOffset).setBigUint64(rel.offset, 16n, true);
    expect(() => openObject(bytes)).toThrow(/section 'syscall' offset 16: relocation against 'counter'/);
  });

  it('names .BTF.ext when its records are damaged (parsed by src/btf)', () => {
    const bytes = progBytes('calls');
    const ext = parseElf(bytes).sectionByName('.BTF.ext')!;
    const dv = new DataView(bytes.buffer, bytes.byteOffset);
    const fi = ext.offset + dv.getUint32(ext.offset + 4, true) + dv.getUint32(ext.offset + 8, true);
    // first func_info record's insn_off: after the record size and the section header
    dv.setUint32(fi + 12, 3, true);
    expect(() => openObject(bytes)).toThrow(/section '.BTF.ext': .*insn_off 3 is not a multiple of 8/);
  });

  it('rejects a program in an unknown section', () => {
    const bytes = progBytes('arith');
    const elf = parseElf(bytes);
    const shstr = elf.sections[elf.header.shstrndx]!;
    const at = new TextDecoder().decode(shstr.data).indexOf('syscall');
    bytes.set(new TextEncoder().encode('sysfoo!'), shstr.offset + at);
    expect(() => openObject(bytes)).toThrow(/section 'sysfoo!' offset 0: program 'arith_basic': unknown section name/);
  });
});
