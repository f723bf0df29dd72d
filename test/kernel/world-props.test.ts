// Property test: after any sequence of world operations, the linked structures in memory (task
// list, children lists, thread lists, css_set task lists, fd tables) agree with the mirrors and
// every list_head is well formed (next->prev == node).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../src/kernel/kernel.js';
import type { Task } from '../../src/kernel/world/objects.js';

type Op =
  | { op: 'spawn'; parent: number; threads: number; cgroup: number }
  | { op: 'open'; task: number; fd: number | undefined; kind: number }
  | { op: 'close'; task: number; pick: number }
  | { op: 'exit'; task: number }
  | { op: 'move'; task: number; cgroup: number };

const CGROUPS = ['/', '/a', '/a/b', '/c'];
const PATHS = ['/etc/hosts', 'pipe:[77]', 'socket:[88]', '/dev/null', 'anon_inode:[eventfd]', '/var/'];

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('spawn' as const), parent: fc.nat(50), threads: fc.nat(2), cgroup: fc.nat(3) }),
  fc.record({ op: fc.constant('open' as const), task: fc.nat(50), fd: fc.option(fc.nat(300), { nil: undefined }), kind: fc.nat(5) }),
  fc.record({ op: fc.constant('close' as const), task: fc.nat(50), pick: fc.nat(50) }),
  fc.record({ op: fc.constant('exit' as const), task: fc.nat(50) }),
  fc.record({ op: fc.constant('move' as const), task: fc.nat(50), cgroup: fc.nat(3) }),
);

function listOf(k: Kernel, headOff: number, struct: string, member: string): number[] {
  const mem = k.mem;
  const moff = k.world.objs.off(struct, member);
  const out: number[] = [];
  let prev = headOff;
  for (let p = mem.toOff(mem.readU64(headOff)); p !== headOff; p = mem.toOff(mem.readU64(p))) {
    expect(mem.toOff(mem.readU64(p + 8)), 'next->prev == node').toBe(prev);
    out.push(p - moff);
    prev = p;
    if (out.length > 10000) throw new Error('list does not terminate');
  }
  expect(mem.toOff(mem.readU64(headOff + 8))).toBe(prev);
  return out;
}

function check(k: Kernel): void {
  const o = k.world.objs;
  const S = 'task_struct';
  const alive = k.tasks.filter((t) => !t.exited);
  expect(alive).toEqual(k.tasks);
  // the process list
  const procs = listOf(k, k.initTask.off + o.off(S, 'tasks'), S, 'tasks');
  expect(procs).toEqual(k.tasks.filter((t) => t.isLeader).map((t) => t.off));
  for (const t of [k.initTask, ...k.tasks]) {
    // children and threads
    if (t.isLeader) {
      expect(listOf(k, t.off + o.off(S, 'children'), S, 'sibling')).toEqual(t.children.map((c) => c.off));
      const thr = listOf(k, t.signalOff + o.off('signal_struct', 'thread_head'), S, 'thread_node');
      expect(thr).toEqual(t.threads.map((x) => x.off));
      expect(Number(o.get(t.signalOff, 'signal_struct', 'nr_threads'))).toBe(t.threads.length);
    }
    expect(o.get(t.off, S, 'real_parent')).toBe(t.parent ? t.parent.ptr : t.ptr);
    expect(o.get(t.off, S, 'cgroups')).toBe(k.mem.toPtr(t.cgroup.cssSetOff));
    // fd table
    if (t.files) {
      const fdt = k.mem.toOff(o.get(t.files.off, 'files_struct', 'fdt'));
      const max = Number(o.get(fdt, 'fdtable', 'max_fds'));
      const arr = k.mem.toOff(o.get(fdt, 'fdtable', 'fd'));
      const open = k.mem.toOff(o.get(fdt, 'fdtable', 'open_fds'));
      for (let fd = 0; fd < max; fd++) {
        const f = t.files.fds.get(fd);
        expect(k.mem.readU64(arr + fd * 8)).toBe(f ? f.ptr : 0n);
        const bit = (k.mem.readU64(open + (fd >> 6) * 8) >> BigInt(fd & 63)) & 1n;
        expect(bit).toBe(f ? 1n : 0n);
      }
    }
  }
  // css_set task lists
  for (const cg of k.cgroups) {
    const members = listOf(k, cg.cssSetOff + o.off('css_set', 'tasks'), S, 'cg_list');
    expect(new Set(members)).toEqual(new Set(k.world.tasksInCgroup(cg).map((t) => t.off)));
    expect(Number(o.get(cg.cssSetOff, 'css_set', 'nr_tasks'))).toBe(members.length);
  }
}

describe('world invariants under random operations', () => {
  it('memory structures always match the mirrors', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        const k = new Kernel({ empty: true, bare: true });
        const pick = (n: number): Task | undefined => (k.tasks.length ? k.tasks[n % k.tasks.length] : undefined);
        for (const op of ops) {
          switch (op.op) {
            case 'spawn': {
              const parent = pick(op.parent);
              k.spawn({ comm: 'p', parent: parent ?? 0, vmas: [], threads: op.threads, cgroup: CGROUPS[op.cgroup] });
              break;
            }
            case 'open': {
              const t = pick(op.task);
              if (!t?.files || (op.fd !== undefined && t.files.fds.has(op.fd))) break;
              k.openFile(t, { path: PATHS[op.kind], fd: op.fd });
              break;
            }
            case 'close': {
              const t = pick(op.task);
              const fds = t?.files ? [...t.files.fds.keys()] : [];
              if (t && fds.length) k.closeFd(t, fds[op.pick % fds.length]);
              break;
            }
            case 'exit': {
              const t = pick(op.task);
              if (t) k.exitTask(t);
              break;
            }
            case 'move': {
              const t = pick(op.task);
              if (t) k.moveToCgroup(t, CGROUPS[op.cgroup]);
              break;
            }
          }
        }
        check(k);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 60) },
    );
  });
});
