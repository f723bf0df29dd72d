// Kernel constants the world writes into its objects (values as in Linux's headers).

export const PF_IDLE = 0x00000002;
export const PF_EXITING = 0x00000004;
export const PF_FORKNOEXEC = 0x00000040;
export const PF_SUPERPRIV = 0x00000100;
export const PF_KTHREAD = 0x00200000;
export const PF_RANDOMIZE = 0x00400000;

export const TASK_RUNNING = 0;
export const TASK_INTERRUPTIBLE = 1;
export const TASK_UNINTERRUPTIBLE = 2;
export const TASK_NOLOAD = 0x400;
export const TASK_IDLE = TASK_UNINTERRUPTIBLE | TASK_NOLOAD;

export const SIGCHLD = 17;

// file type bits of i_mode
export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;

// open flags (f_flags)
export const O_RDONLY = 0;
export const O_WRONLY = 1;
export const O_RDWR = 2;
export const O_ACCMODE = 3;
export const O_CREAT = 0o100;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_DIRECTORY = 0o200000;
export const O_LARGEFILE = 0o100000;
export const O_CLOEXEC = 0o2000000;

// f_mode
export const FMODE_READ = 0x1;
export const FMODE_WRITE = 0x2;
export const FMODE_LSEEK = 0x4;
export const FMODE_PREAD = 0x8;
export const FMODE_PWRITE = 0x10;
export const FMODE_CAN_READ = 0x20000;
export const FMODE_CAN_WRITE = 0x40000;

// vm_flags
export const VM_READ = 0x1n;
export const VM_WRITE = 0x2n;
export const VM_EXEC = 0x4n;
export const VM_SHARED = 0x8n;
export const VM_MAYREAD = 0x10n;
export const VM_MAYWRITE = 0x20n;
export const VM_MAYEXEC = 0x40n;
export const VM_MAYSHARE = 0x80n;
export const VM_GROWSDOWN = 0x100n;
export const VM_PFNMAP = 0x400n;
export const VM_DONTEXPAND = 0x40000n;
export const VM_ACCOUNT = 0x100000n;
export const VM_IO = 0x4000n;
export const VM_DONTDUMP = 0x4000000n;

// inode numbers of the initial namespaces (PROC_*_INIT_INO; net and mnt are allocated at boot)
export const PROC_IPC_INIT_INO = 0xefffffff;
export const PROC_UTS_INIT_INO = 0xeffffffe;
export const PROC_USER_INIT_INO = 0xeffffffd;
export const PROC_PID_INIT_INO = 0xeffffffc;
export const PROC_CGROUP_INIT_INO = 0xeffffffb;
export const PROC_TIME_INIT_INO = 0xeffffffa;
export const INIT_NET_INO = 0xf0000000;
export const INIT_MNT_INO = 0xf0000001;
/** CAP_FULL_SET for the 41 capabilities of Linux 6.18 */
export const CAP_FULL_SET = (1n << 41n) - 1n;

export const TASK_SIZE = 0x00007ffffffff000n;
export const PAGE_SIZE = 4096n;
