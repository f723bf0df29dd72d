import { describe, expect, it } from 'vitest';
import { Kernel } from '../../src/kernel/kernel.js';
import { WorldError } from '../../src/kernel/world/errors.js';
import { parseVmFlags } from '../../src/kernel/world/world.js';

const te = new TextEncoder();

describe('empty kernel', () => {
  it('has only the idle task and the root cgroup', () => {
    const k = new Kernel({ empty: true });
    expect(k.tasks).toHaveLength(0);
    expect(k.current).toBe(k.initTask);
    expect(k.initTask.pid).toBe(0);
    expect(k.cgroups.map((c) => c.path)).toEqual(['/']);
    expect(k.rootCgroup.level).toBe(0);
    expect(k.rootCgroup.name).toBe('');
  });
});

describe('builder API', () => {
  it('spawn: pid, parent, creds, files, vmas, memory, threads, cgroup', () => {
    const k = new Kernel({ empty: true });
    const init = k.spawn({ comm: 'init', pid: 1 });
    expect(init.parent).toBe(k.initTask);
    const app = k.spawn({
      comm: 'app',
      parent: init,
      uid: 1001,
      gid: 1002,
      cgroup: '/apps/app.scope',
      files: [{ path: '/dev/null' }, { path: '/var/log/app.log', flags: 'w', fd: 5 }, { path: 'socket:[777]' }],
      vmas: [
        { start: 0x400000n, end: 0x401000n, flags: 'r-xp', file: '/opt/app' },
        { start: 0x600000n, end: 0x602000n, flags: 'rw-p', name: '[heap]' },
      ],
      memory: [{ addr: 0x600010n, bytes: 'hello\0' }],
      threads: [{ comm: 'worker', fsbase: 0x7000n }],
    });
    expect(app.pid).toBe(2);
    expect(app.parent).toBe(init);
    expect(init.children).toEqual([app]);
    expect(app.cred.ids).toMatchObject({ uid: 1001, gid: 1002, euid: 1001, egid: 1002 });
    expect(app.cgroup.path).toBe('/apps/app.scope');
    expect(app.cgroup.parent!.path).toBe('/apps');
    expect(app.cgroup.level).toBe(2);
    expect([...app.files!.fds.keys()]).toEqual([0, 5, 1]);
    expect(app.files!.fds.get(0)!.kind).toBe('char');
    expect(app.files!.fds.get(5)!.kind).toBe('regular');
    expect(app.files!.fds.get(5)!.fopsName).toBe('ext4_file_operations');
    expect(app.files!.fds.get(1)!.kind).toBe('socket');
    expect(app.files!.fds.get(1)!.inode.ino).toBe(777);
    expect(app.files!.sorted().map(([fd]) => fd)).toEqual([0, 1, 5]);
    expect(app.mm!.vmas).toHaveLength(2);
    expect(app.mm!.vmas[0].flags & 4n).toBe(4n);
    expect(new TextDecoder().decode(k.readUser(app, 0x600010n, 5)!)).toBe('hello');
    expect(k.readUser(app, 0x500000n, 1)).toBeNull();
    expect(app.threads.map((t) => t.comm)).toEqual(['app', 'worker']);
    const worker = app.threads[1];
    expect(worker.tgid).toBe(app.pid);
    expect(worker.leader).toBe(app);
    expect(worker.mm).toBe(app.mm);
    expect(worker.fsbase).toBe(0x7000n);
    expect(k.taskByPtr(worker.ptr)).toBe(worker);
    expect(k.fileByPtr(app.files!.fds.get(5)!.ptr)).toBe(app.files!.fds.get(5));
    expect(k.vmaByPtr(app.mm!.vmas[1].ptr)).toBe(app.mm!.vmas[1]);
    expect(k.cgroupByPtr(app.cgroup.ptr)).toBe(app.cgroup);
  });

  it('spawn without vmas gives a realistic default layout and argv', () => {
    const k = new Kernel({ empty: true });
    const t = k.spawn({ comm: 'tool', args: ['tool', '-v'] });
    const mm = t.mm!;
    expect(mm.vmas.some((v) => v.name === '[stack]')).toBe(true);
    expect(mm.vmas.some((v) => v.file?.path === '/usr/bin/tool' && (v.flags & 4n) !== 0n)).toBe(true);
    for (let i = 1; i < mm.vmas.length; i++) expect(mm.vmas[i].start).toBeGreaterThanOrEqual(mm.vmas[i - 1].end);
    const o = k.world.objs;
    const a = o.get(mm.off, 'mm_struct', 'arg_start');
    const e = o.get(mm.off, 'mm_struct', 'arg_end');
    expect(new TextDecoder().decode(k.readUser(t, a, Number(e - a))!)).toBe('tool\0-v\0');
    expect(k.findVma(t, t.fsbase)!.start).toBeLessThanOrEqual(t.fsbase);
  });

  it('openFile / closeFd keep the fdtable and open_fds in memory in sync', () => {
    const k = new Kernel({ empty: true });
    const t = k.spawn({ comm: 'x', vmas: [] });
    const { fd, file } = k.openFile(t, { path: '/etc/hosts' });
    expect(fd).toBe(0);
    const o = k.world.objs;
    const fdt = k.mem.toOff(o.get(t.files!.off, 'files_struct', 'fdt'));
    const arr = k.mem.toOff(o.get(fdt, 'fdtable', 'fd'));
    const open = k.mem.toOff(o.get(fdt, 'fdtable', 'open_fds'));
    expect(k.mem.readU64(arr)).toBe(file.ptr);
    expect(k.mem.readU64(open)).toBe(1n);
    const big = k.openFile(t, { path: '/etc/passwd', fd: 1000 });
    expect(big.fd).toBe(1000);
    const fdt2 = k.mem.toOff(o.get(t.files!.off, 'files_struct', 'fdt'));
    expect(fdt2).not.toBe(fdt);
    expect(Number(o.get(fdt2, 'fdtable', 'max_fds'))).toBe(1024);
    const arr2 = k.mem.toOff(o.get(fdt2, 'fdtable', 'fd'));
    expect(k.mem.readU64(arr2)).toBe(file.ptr); // old entries carried over
    expect(k.mem.readU64(arr2 + 1000 * 8)).toBe(big.file.ptr);
    k.closeFd(t, 0);
    expect(k.mem.readU64(arr2)).toBe(0n);
    expect(t.files!.fds.has(0)).toBe(false);
    expect(() => k.closeFd(t, 0)).toThrow(WorldError);
    expect(() => k.openFile(t, { path: '/x', fd: 1000 })).toThrow(/already open/);
  });

  it('files with the same path share inode and dentry; dentries chain to /', () => {
    const k = new Kernel({ empty: true });
    const a = k.spawn({ comm: 'a', vmas: [], files: [{ path: '/srv/data/file.bin', size: 10 }] });
    const b = k.spawn({ comm: 'b', vmas: [], files: [{ path: '/srv/data/file.bin' }] });
    const fa = a.files!.fds.get(0)!;
    const fb = b.files!.fds.get(0)!;
    expect(fa).not.toBe(fb);
    expect(fa.inode).toBe(fb.inode);
    expect(fa.dentryOff).toBe(fb.dentryOff);
    const o = k.world.objs;
    let d = fa.dentryOff;
    const names: string[] = [];
    for (;;) {
      const p = k.mem.toOff(o.get(d, 'dentry', 'd_parent'));
      names.unshift(k.mem.readCString(k.mem.toOff(o.get(d, 'dentry', 'd_name.name')), 64));
      if (p === d) break;
      d = p;
    }
    expect(names).toEqual(['/', 'srv', 'data', 'file.bin']);
  });

  it('setCurrent / setCpu update the task state and thread_info.cpu', () => {
    const k = new Kernel({ empty: true });
    const t = k.spawn({ comm: 'x', vmas: [] });
    k.setCurrent(t);
    expect(k.current).toBe(t);
    const o = k.world.objs;
    expect(o.get(t.off, 'task_struct', '__state')).toBe(0n);
    k.setCpu(3);
    expect(k.currentCpu).toBe(3);
    expect(o.get(t.off, 'task_struct', 'thread_info.cpu')).toBe(3n);
    expect(() => k.setCpu(4)).toThrow(WorldError);
    const u = k.spawn({ comm: 'y', vmas: [] });
    k.setCurrent(u);
    expect(o.get(t.off, 'task_struct', '__state')).toBe(1n);
    const other = new Kernel({ empty: true }).spawn({ comm: 'z', vmas: [] });
    expect(() => k.setCurrent(other)).toThrow(WorldError);
  });

  it('moveToCgroup moves every thread and updates css_set membership', () => {
    const k = new Kernel({ empty: true });
    const t = k.spawn({ comm: 'x', vmas: [], threads: 2 });
    k.moveToCgroup(t, '/batch');
    const cg = k.world.cgroupByPath('/batch')!;
    for (const th of t.threads) expect(th.cgroup).toBe(cg);
    const o = k.world.objs;
    expect(o.get(cg.cssSetOff, 'css_set', 'nr_tasks')).toBe(3n);
    expect(o.get(k.rootCgroup.cssSetOff, 'css_set', 'nr_tasks')).toBe(1n); // the idle task stays
    expect(o.get(t.off, 'task_struct', 'cgroups')).toBe(k.mem.toPtr(cg.cssSetOff));
  });

  it('createCgroup is idempotent and counts descendants', () => {
    const k = new Kernel({ empty: true });
    const a = k.createCgroup('/a/b/c');
    expect(k.createCgroup('/a//b/c/')).toBe(a);
    expect(a.ancestors().map((c) => c.path)).toEqual(['/a/b/c', '/a/b', '/a', '/']);
    expect(k.world.objs.get(k.rootCgroup.off, 'cgroup', 'nr_descendants')).toBe(3n);
    expect(new Set(k.cgroups.map((c) => c.id)).size).toBe(4);
    expect(k.world.cgroupById(a.id)).toBe(a);
  });

  it('bad input raises WorldError', () => {
    const k = new Kernel({ empty: true });
    const t = k.spawn({ comm: 'x', pid: 10, vmas: [] });
    expect(() => k.spawn({ comm: 'y', pid: 10 })).toThrow(WorldError);
    expect(() => k.spawn({ comm: 'y', parent: 999 })).toThrow(WorldError);
    expect(() => k.spawn({ comm: 'y', pid: -3 })).toThrow(WorldError);
    expect(() => k.addVma(t, { start: 0x2000n, end: 0x1000n })).toThrow(WorldError);
    expect(() => k.addVma(t, { start: 0x1001n, end: 0x3000n })).toThrow(WorldError);
    k.addVma(t, { start: 0x10000n, end: 0x20000n });
    expect(() => k.addVma(t, { start: 0x1f000n, end: 0x21000n })).toThrow(/overlaps/);
    expect(() => k.addVma(t, { start: 0x30000n, end: 0x31000n, flags: 'rwxz' })).toThrow(WorldError);
    expect(() => k.createCgroup('relative')).toThrow(WorldError);
    expect(() => k.createCgroup('/a/../b')).toThrow(WorldError);
    expect(() => k.openFile(t, { path: 'relative/file' })).toThrow(WorldError);
    const kt = k.spawn({ comm: 'kworker', kthread: true });
    expect(() => k.openFile(kt, { path: '/x' })).toThrow(WorldError);
    expect(() => k.writeUser(kt, 0x1000n, new Uint8Array(1))).toThrow(WorldError);
    expect(() => new Kernel({ nrCpus: 0, empty: true })).toThrow(WorldError);
    expect(() => k.spawn({} as never)).toThrow(WorldError);
    expect(() => k.spawn({ comm: 'y', files: 'x' as never })).toThrow(/must be an array/);
    expect(() => k.spawn({ comm: 'y', threads: -1 })).toThrow(WorldError);
    expect(() => k.spawn({ comm: 'y', memory: [{ addr: 1 as never, bytes: 'x' }] })).toThrow(WorldError);
    expect(() => k.spawn({ comm: 'y', uid: -5 })).toThrow(WorldError);
    expect(() => k.spawn({ comm: 'y', kthread: true, files: [{ path: '/x' }] })).toThrow(WorldError);
    expect(() => k.addVma(t, null as never)).toThrow(WorldError);
  });

  it('comm is truncated to 15 bytes like TASK_COMM_LEN', () => {
    const k = new Kernel({ empty: true });
    const t = k.spawn({ comm: 'a-very-long-command-name', vmas: [] });
    expect(t.comm).toBe('a-very-long-com');
    expect(k.world.objs.getString(t.off, 'task_struct', 'comm')).toBe('a-very-long-com');
    k.world.setComm(t, 'short');
    expect(k.world.objs.getString(t.off, 'task_struct', 'comm')).toBe('short');
  });

  it('parseVmFlags understands /proc/PID/maps permissions', () => {
    expect(parseVmFlags('r-xp') & 7n).toBe(5n);
    expect(parseVmFlags('rw-s') & 0xfn).toBe(0xbn);
    expect(parseVmFlags(3)).toBe(3n);
  });

  it('user memory writes survive and are per process', () => {
    const k = new Kernel({ empty: true });
    const a = k.spawn({ comm: 'a', vmas: [], memory: [{ addr: 0x1000n, bytes: te.encode('AAAA') }] });
    const b = k.spawn({ comm: 'b', vmas: [], memory: [{ addr: 0x1000n, bytes: te.encode('BBBB') }] });
    expect(k.readUser(a, 0x1000n, 4)).toEqual(te.encode('AAAA'));
    expect(k.readUser(b, 0x1000n, 4)).toEqual(te.encode('BBBB'));
  });
});

describe('exit, d_path, cgroup walks', () => {
  it('exitTask unlinks a process and reparents its children to init', () => {
    const k = new Kernel();
    const bash = k.taskByPid(1203)!;
    const session = k.taskByPid(1180)!;
    const init = k.taskByPid(1)!;
    const o = k.world.objs;
    k.exitTask(session);
    expect(k.taskByPid(1180)).toBeUndefined();
    expect(session.exited).toBe(true);
    expect(bash.parent).toBe(init);
    expect(o.get(bash.off, 'task_struct', 'real_parent')).toBe(init.ptr);
    expect(init.children).toContain(bash);
    // init's children list in memory now ends with bash
    const head = init.off + o.off('task_struct', 'children');
    const last = k.mem.toOff(k.mem.readU64(head + 8)) - o.off('task_struct', 'sibling');
    expect(last).toBe(bash.off);
    // the global task list no longer has it
    const tasksOff = o.off('task_struct', 'tasks');
    const seen: number[] = [];
    const h = k.initTask.off + tasksOff;
    for (let p = k.mem.toOff(k.mem.readU64(h)); p !== h; p = k.mem.toOff(k.mem.readU64(p))) seen.push(Number(o.get(p - tasksOff, 'task_struct', 'pid')));
    expect(seen).not.toContain(1180);
    expect(seen).toContain(1203);
    // exiting the current task makes the idle task current
    k.exitTask(bash);
    expect(k.current).toBe(k.initTask);
    expect(() => k.exitTask(bash)).toThrow(WorldError);
    expect(() => k.exitTask(k.initTask)).toThrow(WorldError);
  });

  it('exiting a thread leaves the rest of the group', () => {
    const k = new Kernel();
    const nginx = k.taskByPid(815)!;
    k.exitTask(k.taskByPid(816)!);
    expect(nginx.threads.map((t) => t.pid)).toEqual([815, 817]);
    expect(k.world.objs.get(nginx.signalOff, 'signal_struct', 'nr_threads')).toBe(2n);
    expect(k.world.tasksInCgroup(nginx.cgroup).map((t) => t.pid)).toEqual([815, 817]);
  });

  it('dPath resolves &file->f_path to the path d_path prints', () => {
    const k = new Kernel();
    const py = k.taskByPid(1250)!;
    const fpath = k.world.objs.off('file', 'f_path');
    for (const [, f] of py.files!.sorted()) {
      // pseudo files print through d_dname: pipe:[N], socket:[N], anon_inode:[eventfd]
      expect(k.dPath(f.ptr + BigInt(fpath))).toBe(f.path);
    }
    expect(k.dPath(py.files!.fds.get(3)!.ptr + BigInt(fpath))).toBe('/home/alice/data.csv');
    expect(k.dPath(py.files!.fds.get(6)!.ptr + BigInt(fpath))).toBe('/home/alice');
    expect(k.dPath(py.files!.fds.get(1)!.ptr + BigInt(fpath))).toBe('pipe:[8812]');
    expect(k.dPath(0n)).toBeUndefined();
  });

  it('cgroupWalk orders like the css iterators', () => {
    const k = new Kernel({ empty: true });
    for (const p of ['/a/x', '/a/y', '/b']) k.createCgroup(p);
    const root = k.rootCgroup;
    const paths = (cs: { path: string }[]) => cs.map((c) => c.path);
    expect(paths(k.world.cgroupWalk(root, 'pre'))).toEqual(['/', '/a', '/a/x', '/a/y', '/b']);
    expect(paths(k.world.cgroupWalk(root, 'post'))).toEqual(['/a/x', '/a/y', '/a', '/b', '/']);
    expect(paths(k.world.cgroupWalk(k.world.cgroupByPath('/a/y')!, 'up'))).toEqual(['/a/y', '/a', '/']);
    expect(paths(k.world.cgroupWalk(root, 'self'))).toEqual(['/']);
  });
});

describe('iterator visit order', () => {
  const k = new Kernel();
  it('iterTasks visits every thread by pid; task_file/task_vma skip threads sharing files', () => {
    const all = k.world.iterTasks().map((t) => t.pid);
    expect(all).toEqual([...all].sort((a, b) => a - b));
    expect(all).toContain(816);
    const dedup = k.world.iterTasks(true).map((t) => t.pid);
    expect(dedup).not.toContain(816);
    expect(dedup).toContain(815);
    const files = [...k.world.iterTaskFiles()];
    const py = files.filter((e) => e.task.pid === 1250).map((e) => e.fd);
    expect(py).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(files.some((e) => e.task.pid === 1251)).toBe(false);
    const vmas = [...k.world.iterTaskVmas()].filter((e) => e.task.pid === 1203).map((e) => e.vma.start);
    expect(vmas).toEqual([...vmas].sort((a, b) => (a < b ? -1 : 1)));
    expect(vmas.length).toBe(k.taskByPid(1203)!.mm!.vmas.length);
  });
});

describe('named pipes', () => {
  it('a FIFO at a real path uses pipefifo_fops and keeps its path', () => {
    const k = new Kernel({ empty: true });
    const t = k.spawn({ comm: 'x', vmas: [] });
    const { file } = k.openFile(t, { path: '/run/app.fifo', kind: 'pipe' });
    expect(file.fopsName).toBe('pipefifo_fops');
    expect(file.inode.mode & 0o170000).toBe(0o010000);
    expect(k.dPath(file.ptr + BigInt(k.world.objs.off('file', 'f_path')))).toBe('/run/app.fifo');
  });
});

describe('describe()', () => {
  it('lists tasks, files, maps and the cgroup tree', () => {
    const k = new Kernel();
    const text = k.describe({ maps: true });
    expect(text).toMatch(/^\*1203 +1203 +1180 +1000 .*bash$/m);
    expect(text).toMatch(/fd +1 pipe +pipe:\[8812\]/);
    expect(text).toMatch(/r-xp \w+ \/usr\/bin\/bash/);
    expect(text).toMatch(/^ {6}nginx\.service \(id \d+, level 2, 3 tasks\)$/m);
    expect(k.describe({ files: false })).not.toContain('fd   0');
  });
});
