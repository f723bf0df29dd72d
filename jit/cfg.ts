// The control-flow graph of one wasm function: the basic blocks reachable from a subprogram's
// entry, their reverse postorder, dominator tree, loop headers and merge nodes — what the
// structuring pass (structure.ts) needs, computed in (near) linear time.
//
// Blocks are found by reachability from the entry over the flat slot space, exactly as the
// interpreter's pc moves: a function that runs off its end into the next subprogram simply
// contains that code too. Slot `n` (one past the end) is the "fell off the program" trap block.
import { INVALID, type DecodedProgram } from '../src/interp/decode.js';

export type TermKind = 'fall' | 'cond' | 'exit' | 'trap';

export interface Block {
  id: number;
  /** first slot */
  start: number;
  /** slot of the terminator (cond jump / exit / trap), or the last slot for 'fall' */
  last: number;
  term: TermKind;
  /** 'fall': [next]; 'cond': [taken, fallthrough]; others: [] (block ids) */
  succs: number[];
  preds: number[];
  rpo: number;
}

export interface Cfg {
  blocks: Block[];
  /** block ids in reverse postorder; order[0] is the entry */
  order: number[];
  idom: Int32Array;
  domChildren: number[][];
  loopHeader: Uint8Array;
  merge: Uint8Array;
  reducible: boolean;
}

/** Conditional jumps (and may_goto): two successors. */
export function isCondJump(op: number): boolean {
  const cls = op & 7;
  if (cls !== 0x05 && cls !== 0x06) return false;
  return op !== 0x05 && op !== 0x06 && op !== 0x85 && op !== 0x95;
}

/** Length in slots of the instruction at i. */
function len(d: DecodedProgram, i: number): number {
  return d.op[i] === 0x18 ? 2 : 1;
}

export function buildCfg(d: DecodedProgram, entry: number): Cfg {
  const n = d.n;
  const op = d.op;
  const reach = new Uint8Array(n + 1);
  const leader = new Uint8Array(n + 1);
  leader[entry] = 1;
  const work: number[] = [entry];
  reach[entry] = 1;
  const visit = (t: number, lead: boolean): void => {
    if (lead) leader[t] = 1;
    if (!reach[t]) {
      reach[t] = 1;
      work.push(t);
    }
  };
  while (work.length > 0) {
    const i = work.pop()!;
    if (i >= n) continue;
    const o = op[i]!;
    if (o === INVALID || o === 0x95) continue;
    if (o === 0x05 || o === 0x06) visit(d.tgt[i]!, true);
    else if (isCondJump(o)) {
      visit(d.tgt[i]!, true);
      visit(i + 1, true);
    } else visit(Math.min(n, i + len(d, i)), false);
  }

  // form blocks
  const blockOf = new Int32Array(n + 1).fill(-1);
  const blocks: Block[] = [];
  for (let s = 0; s <= n; s++) {
    if (!reach[s] || !leader[s]) continue;
    blockOf[s] = blocks.length;
    blocks.push({ id: blocks.length, start: s, last: s, term: 'trap', succs: [], preds: [], rpo: -1 });
  }
  // a slot reached only by straight-line flow belongs to its predecessor's block; a reached slot
  // that is no leader cannot start one, so walking from each leader covers every reached slot
  const succSlots: number[][] = blocks.map(() => []);
  for (const b of blocks) {
    let i = b.start;
    for (;;) {
      if (i >= n) {
        b.term = 'trap';
        b.last = i;
        break;
      }
      const o = op[i]!;
      if (o === INVALID) {
        b.term = 'trap';
        b.last = i;
        break;
      }
      if (o === 0x95) {
        b.term = 'exit';
        b.last = i;
        break;
      }
      if (o === 0x05 || o === 0x06) {
        b.term = 'fall';
        b.last = i;
        succSlots[b.id] = [d.tgt[i]!];
        break;
      }
      if (isCondJump(o)) {
        b.term = 'cond';
        b.last = i;
        succSlots[b.id] = [d.tgt[i]!, i + 1];
        break;
      }
      const nx = Math.min(n, i + len(d, i));
      if (leader[nx]) {
        b.term = 'fall';
        b.last = i;
        succSlots[b.id] = [nx];
        break;
      }
      i = nx;
    }
  }
  for (const b of blocks) {
    b.succs = succSlots[b.id]!.map((s) => blockOf[s]!);
    const seen = new Set<number>();
    for (const s of b.succs) {
      if (seen.has(s)) continue;
      seen.add(s);
      blocks[s]!.preds.push(b.id);
    }
  }

  // reverse postorder (iterative DFS)
  const nb = blocks.length;
  const order: number[] = [];
  const state = new Uint8Array(nb);
  const entryId = blockOf[entry]!;
  const stack: number[] = [entryId];
  const idx: number[] = [0];
  state[entryId] = 1;
  while (stack.length > 0) {
    const top = stack.length - 1;
    const b = blocks[stack[top]!]!;
    const k = idx[top]!;
    if (k < b.succs.length) {
      idx[top] = k + 1;
      const s = b.succs[k]!;
      if (!state[s]) {
        state[s] = 1;
        stack.push(s);
        idx.push(0);
      }
    } else {
      order.push(b.id);
      stack.pop();
      idx.pop();
    }
  }
  order.reverse();
  order.forEach((id, k) => (blocks[id]!.rpo = k));

  // dominators: Cooper, Harvey & Kennedy over RPO numbers
  const idom = new Int32Array(nb).fill(-1);
  idom[entryId] = entryId;
  const intersect = (a: number, b: number): number => {
    while (a !== b) {
      while (blocks[a]!.rpo > blocks[b]!.rpo) a = idom[a]!;
      while (blocks[b]!.rpo > blocks[a]!.rpo) b = idom[b]!;
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let k = 1; k < order.length; k++) {
      const b = blocks[order[k]!]!;
      let nd = -1;
      for (const p of b.preds) {
        if (idom[p] === -1) continue;
        nd = nd === -1 ? p : intersect(p, nd);
      }
      if (nd !== idom[b.id]) {
        idom[b.id] = nd;
        changed = true;
      }
    }
  }
  const domChildren: number[][] = blocks.map(() => []);
  for (const id of order) if (id !== entryId) domChildren[idom[id]!]!.push(id);

  // pre/post numbers of the dominator tree: a dominates b iff pre[a] <= pre[b] && post[b] <= post[a]
  const pre = new Int32Array(nb);
  const post = new Int32Array(nb);
  {
    let clock = 0;
    const st: number[] = [entryId];
    const it: number[] = [0];
    pre[entryId] = clock++;
    while (st.length > 0) {
      const top = st.length - 1;
      const kids = domChildren[st[top]!]!;
      const k = it[top]!;
      if (k < kids.length) {
        it[top] = k + 1;
        pre[kids[k]!] = clock++;
        st.push(kids[k]!);
        it.push(0);
      } else {
        post[st[top]!] = clock++;
        st.pop();
        it.pop();
      }
    }
  }
  const dominates = (a: number, b: number): boolean => pre[a]! <= pre[b]! && post[b]! <= post[a]!;
  const loopHeader = new Uint8Array(nb);
  const merge = new Uint8Array(nb);
  let reducible = true;
  for (const b of blocks) {
    let fwd = 0;
    for (const p of b.preds) {
      if (blocks[p]!.rpo >= b.rpo) {
        loopHeader[b.id] = 1;
        if (reducible && !dominates(b.id, p)) reducible = false;
      } else fwd++;
    }
    if (fwd >= 2) merge[b.id] = 1;
  }
  return { blocks, order, idom, domChildren, loopHeader, merge, reducible };
}
