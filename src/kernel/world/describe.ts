// A human-readable dump of the world (`ps -eLf`-like task list, open files, memory maps, cgroup
// tree), for debugging programs and for the command line.

import type { World } from './world.js';
import type { Cgroup, Task } from './objects.js';

const hex = (v: bigint): string => v.toString(16).padStart(12, '0');

function perms(flags: bigint): string {
  return `${flags & 1n ? 'r' : '-'}${flags & 2n ? 'w' : '-'}${flags & 4n ? 'x' : '-'}${flags & 8n ? 's' : 'p'}`;
}

export interface DescribeOptions {
  /** include each process's open files (default true) */
  files?: boolean;
  /** include each process's memory map (default false) */
  maps?: boolean;
}

export function describeWorld(w: World, current?: Task, opts: DescribeOptions = {}): string {
  const out: string[] = [];
  out.push('  PID  TGID  PPID   UID  CGROUP                                         COMM');
  for (const t of w.iterTasks()) {
    const mark = t === current ? '*' : ' ';
    const comm = t.isKthread ? `[${t.comm}]` : t.comm;
    out.push(`${mark}${String(t.pid).padStart(4)} ${String(t.tgid).padStart(5)} ${String(t.parent?.pid ?? 0).padStart(5)} ${String(t.cred.ids.uid).padStart(5)}  ${t.cgroup.path.padEnd(46)} ${comm}`);
    if (!t.isLeader) continue;
    if (opts.files !== false && t.files) {
      for (const [fd, f] of t.files.sorted()) out.push(`        fd ${String(fd).padStart(3)} ${f.kind.padEnd(10)} ${f.path}`);
    }
    if (opts.maps && t.mm) {
      for (const v of t.mm.vmas) {
        out.push(`        ${hex(v.start)}-${hex(v.end)} ${perms(v.flags)} ${(v.pgoff * 4096n).toString(16).padStart(8, '0')} ${v.file?.path ?? v.name ?? ''}`);
      }
    }
  }
  out.push('', 'cgroups:');
  const walk = (c: Cgroup, depth: number): void => {
    out.push(`  ${'  '.repeat(depth)}${c.parent ? c.name : '/'} (id ${c.id}, level ${c.level}, ${w.tasksInCgroup(c).length} tasks)`);
    for (const ch of c.children) walk(ch, depth + 1);
  };
  walk(w.rootCgroup, 0);
  return out.join('\n') + '\n';
}
