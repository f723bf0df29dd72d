// Iterator targets and the seq_file read loop of SEC("iter/<target>") programs.
export { ITER_CTX_SIZE, ITER_TARGET_NAMES, iterSource, type IterLinkInfo, type IterObject, type IterSource, type IterTargetName } from './targets.js';
export { IterReadError, IterSession, type IterRunFn } from './session.js';
