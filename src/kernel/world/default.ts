// The default world of `new Kernel()`: a small, deterministic Linux box. systemd and kthreadd, a
// handful of kernel threads, sshd with a login session running bash, a pipeline
// `python3 | grep` started from that bash, and nginx with two worker threads; a cgroup v2
// hierarchy like systemd builds. Everything (pids, addresses, times, contents) is fixed, so two
// kernels built this way have byte-identical memory.

import type { World } from './world.js';
import type { Task } from './objects.js';
import { O_APPEND, O_CLOEXEC, O_LARGEFILE, O_NONBLOCK, O_RDWR, O_WRONLY } from './constants.js';

const SEC = 1_000_000_000n;

/** Builds the default processes; returns the task to make current (the interactive bash). */
export function buildDefaultWorld(w: World): Task {
  for (const p of [
    '/init.scope',
    '/system.slice/systemd-journald.service',
    '/system.slice/ssh.service',
    '/system.slice/nginx.service',
    '/user.slice/user-1000.slice/session-1.scope',
  ]) w.createCgroup(p);

  const devnull = (fd: number) => ({ path: '/dev/null', fd, flags: O_RDWR | O_LARGEFILE });
  const tty = (fd: number) => ({ path: '/dev/pts/0', fd, flags: O_RDWR | O_LARGEFILE });

  const systemd = w.spawn({
    comm: 'systemd', pid: 1, parent: 0, cgroup: '/init.scope', startTime: 1n * SEC / 2n,
    exe: '/usr/lib/systemd/systemd', args: ['/sbin/init', 'splash'],
    files: [
      devnull(0), devnull(1), devnull(2),
      { path: 'anon_inode:[eventpoll]', fd: 4, flags: O_RDWR | O_CLOEXEC },
      { path: 'anon_inode:[signalfd]', fd: 5, flags: O_RDWR | O_CLOEXEC | O_NONBLOCK },
      { path: 'socket:[1201]', fd: 7, socket: { family: 'unix', type: 'dgram' } },
      { path: '/proc/1/mountinfo', fd: 8 },
      { path: 'socket:[1205]', fd: 9, socket: { family: 'unix', state: 'listen' } },
    ],
  });

  const kthreadd = w.spawn({ comm: 'kthreadd', pid: 2, parent: 0, kthread: true, startTime: SEC / 2n + 1000n });
  const kthreads = ['pool_workqueue_release', 'kworker/R-rcu_g', 'kworker/0:0H', 'ksoftirqd/0', 'rcu_preempt', 'migration/0', 'cpuhp/0', 'kworker/1:1'];
  kthreads.forEach((comm, i) => w.spawn({ comm, pid: 3 + i, parent: kthreadd, kthread: true, startTime: SEC / 2n + BigInt(i + 2) * 1000n }));

  w.spawn({
    comm: 'systemd-journal', pid: 312, parent: systemd, cgroup: '/system.slice/systemd-journald.service',
    startTime: 2n * SEC, exe: '/usr/lib/systemd/systemd-journald', args: ['/usr/lib/systemd/systemd-journald'],
    files: [
      devnull(0), devnull(1), devnull(2),
      { path: 'socket:[2310]', fd: 3, socket: { family: 'unix', type: 'dgram' } },
      { path: '/var/log/journal/5f2a1c/system.journal', fd: 4, flags: O_RDWR | O_LARGEFILE, size: 8388608 },
    ],
  });

  const sshd = w.spawn({
    comm: 'sshd', pid: 702, parent: systemd, cgroup: '/system.slice/ssh.service', startTime: 3n * SEC,
    exe: '/usr/sbin/sshd', args: ['sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups'],
    files: [devnull(0), devnull(1), devnull(2), { path: 'socket:[3104]', fd: 3, socket: { family: 'inet', local: '0.0.0.0:22' } },
      { path: 'socket:[3106]', fd: 4, socket: { family: 'inet6', local: '[::]:22' } }],
  });

  const nginx = w.spawn({
    comm: 'nginx', pid: 815, parent: systemd, cgroup: '/system.slice/nginx.service', startTime: 4n * SEC,
    exe: '/usr/sbin/nginx', args: ['nginx: master process /usr/sbin/nginx -g daemon on; master_process on;'],
    files: [
      devnull(0), devnull(1),
      { path: '/var/log/nginx/error.log', fd: 2, flags: O_WRONLY | O_APPEND | O_LARGEFILE, size: 4096 },
      { path: '/var/log/nginx/access.log', fd: 4, flags: O_WRONLY | O_APPEND | O_LARGEFILE, size: 123456 },
      { path: 'socket:[4410]', fd: 6, socket: { family: 'inet', local: '0.0.0.0:80' } },
      { path: 'socket:[4411]', fd: 7, socket: { family: 'inet6', local: '[::]:80' } },
      { path: 'anon_inode:[eventpoll]', fd: 8 },
      { path: 'anon_inode:[eventfd]', fd: 9 },
    ],
    threads: [{ comm: 'nginx' }, { comm: 'nginx' }],
  });
  void nginx;

  const session = w.spawn({
    comm: 'sshd-session', pid: 1180, parent: sshd, uid: 1000, gid: 1000,
    cgroup: '/user.slice/user-1000.slice/session-1.scope', startTime: 100n * SEC,
    exe: '/usr/lib/openssh/sshd-session', args: ['sshd-session: alice@pts/0'],
    files: [devnull(0), devnull(1), devnull(2), { path: 'socket:[9001]', fd: 3, socket: { family: 'inet', local: '10.0.2.15:22', remote: '10.0.2.2:51234' } }, { path: '/dev/ptmx', fd: 5, flags: O_RDWR }],
  });

  const bash = w.spawn({
    comm: 'bash', pid: 1203, parent: session, uid: 1000, gid: 1000, startTime: 101n * SEC,
    exe: '/usr/bin/bash', args: ['-bash'], cwd: '/home/alice',
    env: ['SHELL=/bin/bash', 'USER=alice', 'HOME=/home/alice', 'PATH=/usr/local/bin:/usr/bin:/bin', 'TERM=xterm-256color'],
    files: [tty(0), tty(1), tty(2), { path: '/dev/pts/0', fd: 255, flags: O_RDWR | O_LARGEFILE | O_CLOEXEC }],
  });

  w.spawn({
    comm: 'python3', pid: 1250, parent: bash, startTime: 200n * SEC,
    exe: '/usr/bin/python3.12', args: ['python3', 'report.py', '--input', '/home/alice/data.csv'], cwd: '/home/alice/reports',
    env: ['USER=alice', 'HOME=/home/alice', 'PYTHONUNBUFFERED=1'],
    files: [
      tty(0),
      { path: 'pipe:[8812]', fd: 1, flags: O_WRONLY },
      tty(2),
      { path: '/home/alice/data.csv', fd: 3, size: 52431, pos: 8192 },
      { path: 'socket:[8830]', fd: 4, socket: { family: 'inet', local: '10.0.2.15:40112', remote: '93.184.216.34:443' } },
      { path: 'anon_inode:[eventfd]', fd: 5, flags: O_RDWR | O_CLOEXEC },
      { path: '/home/alice/', fd: 6 },
    ],
    threads: 1,
  });

  w.spawn({
    comm: 'grep', pid: 1254, parent: bash, startTime: 200n * SEC + 5000n,
    exe: '/usr/bin/grep', args: ['grep', '--color=auto', 'ERROR'], cwd: '/home/alice',
    files: [{ path: 'pipe:[8812]', fd: 0, flags: 0 }, tty(1), tty(2)],
  });

  return bash;
}
