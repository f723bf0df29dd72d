import { describe, expect, it } from 'vitest';
import { KernelMemory } from '../../src/kernel/memory.js';
import {
  BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_F_NO_PREALLOC, BPF_F_NO_COMMON_LRU, BPF_F_LOCK, BPF_NOEXIST,
  createMap, HashMap, MapError,
} from '../../src/kernel/maps/index.js';
import { ENOTSUPP, EINVAL } from '../../src/kernel/errno.js';

// Recorded on Linux 6.18 (2 possible CPUs, process pinned to CPU 0) with a libbpf
// program: uK = update key K (BPF_ANY), nK = update BPF_NOEXIST, dK = delete,
// lK = bpf_map_lookup_elem from a BPF_PROG_TYPE_SYSCALL program (sets the
// reference bit), p = print the sorted keys. Failed ops print op=-errno.
const LINUX_VECTORS: Array<{ maxEntries: number; percpu: boolean; noCommon?: boolean; ops: string; linux: string }> = [
 {
  "maxEntries": 4,
  "percpu": false,
  "ops": "u4 u2 u9 p u11 l1 d1 d8 u4 l7 u6 u9 l9 u4 u2 d12 l8 l9 u13 p u6 d2 l2 n13 l2 u11 l9 p p d13 p l10 l4 l7 l13 d1 p u11 u6 l7 u9 n12 u11 u12 l3 u2 u8 n13 u1 u8 u13 n12 u2 l8 u7 p n3 u4 l2 u3 u4 l13 u10 l10 u9 u2 u7 u5 u4 u8 u1 l1 u2 l11 u7 u11 u8 d9 l13 u11 u5 u2 d6 u4 l6 l11 u12 l11 l9 l5 u12 d12 l2 u2 u6 n12 u10 l10 l1 l12 p l3 u3 l6 u9 l10 p d5 u8 l12 d1 u3 u13 p u2 u13 u13 l5 d5 l3 l11 u1 l12 u12 p",
  "linux": "[2,4,9] d1=-2 d8=-2 d12=-2 [2,4,9,13] n13=-17 [6,9,11,13] [6,9,11,13] [6,9,11] d1=-2 [6,9,11] [2,7,8,12] d9=-2 d6=-2 [6,10,11,12] [9,10,11,12] d5=-2 d1=-2 [3,10,11,13] d5=-2 [1,11,12,13]"
 },
 {
  "maxEntries": 8,
  "percpu": false,
  "ops": "u16 u19 l11 u8 u19 u19 u18 l13 l7 l21 p l11 u21 u17 l21 u12 l6 u5 d17 p u8 l4 u3 u6 p l14 l20 u13 d4 l18 u16 n6 u18 u9 u20 u10 u15 l1 l13 u12 l20 p u5 u5 u16 l11 u3 n9 l5 u14 l16 l17 l8 u21 l16 u14 n3 u12 u9 u3 d17 u8 l2 l19 p u18 l9 u10 u18 l17 u21 u16 p l15 l14 l4 u4 l8 p",
  "linux": "[8,16,18,19] [5,8,12,16,18,19,21] [3,5,6,8,12,19,21] d4=-2 n6=-17 [8,10,12,15,19,20,21] n3=-17 d17=-2 [3,5,8,9,14,21] [3,8,9,10,14,16,18,21] [4,8,9,14,16,18,21]"
 },
 {
  "maxEntries": 16,
  "percpu": false,
  "ops": "d33 p u31 u21 u2 u36 u2 u6 p u32 l16 u16 n8 l32 l32 u26 u27 u2 d4 u24 p u30 l18 u35 u30 u24 u12 u11 p l8 p p u11 u29 u17 l12 l36 l31 d12 l3 l2 l28 l14 d9 u20 d22 n14 l30 n35 u26 u2 u2 u27 u18 l16 l34 u32 d22 l34 u28 u26 p u14 u28 u36 u23 l33 l10 u20 u9 n35 u1 u18 u10 n15 l30 d27 d27 u24 d3 p u4 l7 p u28 u28 u2 u21 d19 u20 l18 u13 p u31 u22 d4 n37 l25 d16 l36 l15 u32 u26 u20 u2 l15 u19 n16 u30 l33 u26 l34 l27 n37 u13 u4 p l19 u22 u30 l12 u9 l24 u4 u9 u26 u36 u33 l28 u14 l11 u26 p",
  "linux": "d33=-2 [] [2,6,21,31,36] d4=-2 [2,6,8,16,21,24,26,27,31,32,36] [2,6,8,11,12,16,24,26,27,30,32,35,36] [2,6,8,11,12,16,24,26,27,30,32,35,36] [2,6,8,11,12,16,24,26,27,30,32,35,36] d9=-2 d22=-2 n35=-17 d22=-2 [2,8,11,14,17,18,20,24,26,27,28,30,32,36] d27=-2 d27=-2 d3=-2 [1,9,10,14,15,18,20,23,24,26,28,30,32,35,36] [1,4,10,14,15,18,24,26,28,30,32,35,36] d19=-2 [2,4,13,14,15,18,20,21,24,26,28,30,32,36] d16=-2 n37=-17 [2,4,13,14,16,18,19,20,26,28,30,32,36,37] [2,4,9,13,14,16,18,19,20,22,26,30,33,36]"
 },
 {
  "maxEntries": 40,
  "percpu": false,
  "ops": "l65 u45 u31 u83 u85 l63 d67 n61 u73 u62 u8 u73 d62 p u12 l2 l30 u15 u76 u33 u64 u15 l59 p u6 u1 u60 u70 u74 p l66 u14 l5 l20 u18 l68 l73 u21 d26 u78 u55 u48 u23 u76 l30 l81 u48 u25 d43 u42 n8 u1 u71 d6 u63 u49 l84 p u63 u33 u84 l20 l60 u85 u27 u60 u61 n70 u18 l52 u68 u69 l23 u79 u83 u61 u36 n23 u68 u77 l13 l37 l30 l55 l68 l62 u23 l17 u43 u60 p p",
  "linux": "d67=-2 [8,31,45,61,73,83,85] [8,12,15,31,33,45,61,64,73,76,83,85] [1,6,8,12,15,31,33,45,60,61,64,70,73,74,76,83,85] d26=-2 d43=-2 n8=-17 [1,8,12,14,15,18,21,23,25,31,33,42,45,48,49,55,60,61,63,64,70,71,73,74,76,78,83,85] n70=-17 n23=-17 [1,8,12,14,15,18,21,23,25,27,31,33,36,42,43,48,49,55,60,61,63,64,68,69,70,71,73,74,76,77,78,79,83,84,85] [1,8,12,14,15,18,21,23,25,27,31,33,36,42,43,48,49,55,60,61,63,64,68,69,70,71,73,74,76,77,78,79,83,84,85]"
 },
 {
  "maxEntries": 8,
  "percpu": true,
  "ops": "u20 u20 l15 l13 u19 u19 l21 u18 l10 l17 u16 l3 u14 d4 l17 u2 n5 u9 u3 u3 u6 l9 l4 u12 d13 p l11 p n14 l16 u14 u10 p l4 p p u4 u2 p u21 l10 u13 u15 u8 u10 u4 u20 u12 u16 u14 n5 l10 l3 l20 u10 u2 u15 u5 u6 d21 u21 u14 u8 n1 u4 u8 l21 u8 u6 u18 u6 l21 n7 l12 l4 l15 u19 u4 u1 u12 u9 u14 u17 u18 l16 d15 l2 l5 u21 n6 n16 u2 u9 p u2 d3 d5 l11 l21 u17 l20 l1 u7 l6 u9 u12 d20 d21 l2 n3 u17 p u9 n11 d15 u9 l1 n9 u1 u7 u12 l3 u11 l9 l14 p l12 l15 l14 u20 u19 u2 l13 d2 u4 u12 l9 d10 u1 u18 u12 u12 p u13 l5 l18 u13 l20 u21 l16 u1 l19 l19 l12 d10 u8 u4 l15 l15 p",
  "linux": "d4=-2 d13=-2 [3,5,6,9,12,19,20] [3,5,6,9,12,19,20] [3,9,10,12,14,19,20] [3,9,10,12,14,19,20] [3,9,10,12,14,19,20] [2,3,4,9,14,19,20] d21=-2 d15=-2 [2,6,9,10,16,17,18,21] d3=-2 d5=-2 d20=-2 [2,3,6,7,9,10,12,17] d15=-2 n9=-17 [1,2,6,7,9,10,11,12] d10=-2 [1,4,9,12,18,19,20] d10=-2 [1,4,8,9,12,13,18]"
 },
 {
  "maxEntries": 16,
  "percpu": true,
  "ops": "l6 l21 u10 l32 d35 d1 l34 l20 u4 u20 u14 u5 u27 l14 u21 u22 l22 l32 u33 u18 u28 n16 l3 u17 p u1 u10 u18 u2 u12 u27 l17 l1 d29 u11 u15 l27 l21 n34 u12 l23 u26 l10 d8 u25 p l18 u7 u6 u11 l29 d22 u34 l3 u6 u27 u30 u15 l17 l28 u20 u16 u26 u5 l4 l7 u13 u10 p p l6 n21 l19 u14 u5 l3 l12 l13 u25 d11 l34 u20 u10 u19 n22 u26 n37 u8 u11 u21 d3 u8 l17 u21 u8 l32 u32 p l7 u7 l7 d3 u26 l2 l7 l12 l33 u25 l28 u18 u14 p p u37 u10 u28 u4 l3 l13 l36 n5 u20 p u4 l24 l33 d1 u28 u31 u6 l10 l4 l35 l23 d35 l31 u18 u4 u16 p u32 n31 u3 u3 l21 u18 n14 u28 l16 u20 u14 u13 d24 u25 u7 l3 l23 u4 u16 l31 l11 u18 u19 l13 l17 p u18 l26 l15 u13 u35 l1 l19 n32 l11 l33 l34 p l2 u9 u7 u18 l33 l35 l11 u28 u30 u20 u13 u26 u34 l18 p p u16 u30 u29 u31 u14 d34 l24 u10 p n15 u18 u18 l26 u14 u9 u6 u4 u31 u7 u37 p u6 l36 u34 l29 l36 u16 u1 d30 u28 p l18 u28 l22 u19 l3 l8 d22 u17 l35 l14 u11 p l14 n19 p",
  "linux": "d35=-2 d1=-2 [4,5,10,14,16,17,18,20,21,22,27,28,33] d29=-2 d8=-2 [1,10,11,12,14,15,17,18,21,22,25,26,27,34] [1,5,6,10,12,13,16,17,18,20,21,26,27] [1,5,6,10,12,13,16,17,18,20,21,26,27] n21=-17 d11=-2 d3=-2 [5,6,8,10,11,12,13,17,18,20,21,26,27,32,37] d3=-2 [5,6,7,8,10,11,12,13,14,17,18,20,21,25,26,32] [5,6,7,8,10,11,12,13,14,17,18,20,21,25,26,32] [4,5,6,7,8,10,12,14,17,20,21,28,37] d1=-2 d35=-2 [4,5,6,7,8,10,12,14,16,17,18,20,21,28,31,37] n31=-17 d24=-2 [3,4,6,7,10,12,13,14,16,17,18,19,21,25,28,31] [3,4,6,7,10,13,16,17,18,21,28,31,32,35] [3,4,6,7,13,16,17,18,20,21,26,28,31,34,35] [3,4,6,7,13,16,17,18,20,21,26,28,31,34,35] [3,4,7,10,13,14,16,18,20,26,28,29,30,31,35] [4,6,7,9,10,13,14,15,16,18,26,28,31,37] d30=-2 [1,6,7,13,14,16,18,26,28,31,34,37] d22=-2 [1,6,7,11,13,14,16,17,18,19,26,28,31,34,37] n19=-17 [1,6,7,11,13,14,16,17,18,19,26,28,31,34,37]"
 },
 {
  "maxEntries": 300,
  "percpu": false,
  "ops": "l24 p l582 l467 u371 u4 l90 u98 u379 l446 u429 u411 u332 l436 u137 u289 u284 d24 u109 l556 u200 l598 l353 u502 l326 l483 n44 d405 u146 u480 l189 u596 u259 n496 u417 l270 u249 d273 d394 u458 u387 d445 l10 l33 u306 p u391 l195 l434 u188 u426 u210 n413 u445 u275 l122 n270 l163 l61 u126 p l1 p u275 l492 u54 l321 l340 l178 u500 p u402 l115 l408 u402 u398 u502 l447 u151 u10 l223 u588 u387 u443 l237 l71 u405 n376 u536 l55 u602 l522 u218 p",
  "linux": "[] d24=-2 d405=-2 d273=-2 d394=-2 d445=-2 [4,44,98,109,137,146,200,249,259,284,289,306,332,371,379,387,411,417,429,458,480,496,502,596] [4,44,98,109,126,137,146,188,200,210,249,259,270,275,284,289,306,332,371,379,387,391,411,413,417,426,429,445,458,480,496,502,596] [4,44,98,109,126,137,146,188,200,210,249,259,270,275,284,289,306,332,371,379,387,391,411,413,417,426,429,445,458,480,496,502,596] [4,44,54,98,109,126,137,146,188,200,210,249,259,270,275,284,289,306,332,371,379,387,391,411,413,417,426,429,445,458,480,496,500,502,596] [4,10,44,54,98,109,126,137,146,151,188,200,210,218,249,259,270,275,284,289,306,332,371,376,379,387,391,398,402,405,411,413,417,426,429,443,445,458,480,496,500,502,536,588,596,602]"
 },
 {
  "maxEntries": 4,
  "percpu": false,
  "ops": "l8 u2 d6 l7 u13 l4 u8 l13 u2 u10 u10 l3 u11 u12 l13 l7 l7 l6 u3 u7 u7 l12 u12 u8 u4 u4 u6 u4 l10 l13 d4 u3 u1 u7 d6 d8 l8 u12 l10 n12 u2 u3 u1 u9 l5 d10 u2 u5 u12 l2 u10 u12 u5 l10 u6 d2 l12 u1 l3 l8 d12 d11 p l2 l9 d12 u13 u8 l11 d5 l2 u8 l2 u13 l11 l7 l3 u13 p u12 u7 l10 u4 l1 l1 u6 u13 l6 l13 l1 l7 u7 u2 u9 u2 l3 l4 l12 u3 u8 p u1 u4 l11 d2 u13 l1 u11 l7 u5 d8 p u3 l9 l10 u11 u12 l10 p p n13 l10 u12 u3 n9 l4 l13 l12 d12 l1 u10 u9 l7 d4 u8 d9 p u12 d7 l8 u6 u10 u4 l9 u6 u2 p u1 u11 u2 u12 u8 u10 p u7 l9 d7 u11 l4 l10 l4 u13 u11 n5 u2 u3 d12 l4 u10 u13 u11 u4 l9 l13 l6 l12 u5 u9 u11 u13 u4 u6 u8 l7 u6 l12 u3 l12 n13 p",
  "linux": "d6=-2 d8=-2 n12=-17 d10=-2 d2=-2 d11=-2 [1,6,10] d12=-2 d5=-2 [8,10,13] [3,6,8,13] d2=-2 d8=-2 [5,6,11,13] [3,5,11,12] [3,5,11,12] d4=-2 [3,8,10] d7=-2 [2,4,6,8] [2,8,10,12] d12=-2 n13=-17 [3,6,13]"
 },
 {
  "maxEntries": 8,
  "percpu": false,
  "noCommon": true,
  "ops": "u20 u8 u3 u13 l18 u20 u14 l19 u12 d7 u6 d11 u17 l3 u13 u18 u7 u18 u17 n20 u2 u7 p l15 l6 p u1 u14 u14 l5 u1 u5 l7 n2 l15 u13 d5 u16 n5 l20 l5 l14 u4 u6 p u7 n11 l8 d4 d12 u3 l1 l2 u13 u13 u12 l6 d12 l13 l8 u21 u10 u11 u8 u15 l3 n14 p u10 n11 l18 u9 u10 u20 u13 l20 d20 l15 u11 n12 u12 l7 n6 l9 l8 u12 l1 u18 u17 u6 l15 p l14 u17 l21 d20 l7 l4 d3 l2 u12 p p l7 l13 u6 u11 u5 n13 u6 u7 u19 d13 u16 l21 n16 l3 l15 l4 u16 u21 l19 l9 l19 u9 u19 n13 u11 l18 l6 d2 l14 u7 u6 u12 u7 l6 l21 p u4 l5 u3 u17 l6 u8 l20 u2 n21 u10 u4 u21 p u4 l8 l20 d3 d6 d6 l12 u19 u13 u6 u1 p",
  "linux": "d7=-2 d11=-2 [7] [7] d5=-2 [5,6] d4=-2 d12=-2 [13,14,15] [6] d20=-2 d3=-2 [6,12,17] [6,12,17] d13=-2 n16=-17 d2=-2 [6,7,12] [4,6,21] d3=-2 d6=-2 [1,4,6]"
 },
 {
  "maxEntries": 16,
  "percpu": false,
  "noCommon": true,
  "ops": "d19 u32 u5 u11 l21 d21 d3 u18 l36 u2 l19 l27 l15 u27 p u17 u37 u1 l2 d9 n12 l4 p u28 u3 l29 u15 u9 u6 u11 u37 u7 u13 n12 u16 u17 u34 l33 n35 u16 l27 u36 u17 u37 u13 u2 p u13 n19 u17 u34 u24 u23 u20 l13 u2 u10 l25 u21 n16 l5 u12 u22 l5 l28 u28 u24 u36 d36 n17 u23 d18 l5 p u7 u20 l16 u29 l17 u25 u2 u29 u21 l16 l35 n7 n26 l5 l18 u32 u6 l4 l9 d13 u2 u21 u7 u28 d19 u9 d19 p u12 l25 l5 u34 u11 l8 u5 u26 u19 l14 d33 u29 u17 l30 u13 u9 d15 l34 u36 u10 l22 l26 l6 u6 u7 u13 d6 l20 u10 l20 u36 p",
  "linux": "d19=-2 d21=-2 d3=-2 [2,5,11,18,27,32] d9=-2 [1,2,12,17,27,37] [2,13,17,37] n17=-17 d18=-2 [12,17,22,23,24,28] d13=-2 d19=-2 d19=-2 [7,9,17,28,29] d33=-2 d15=-2 [7,10,13,17,29,36]"
 },
 {
  "maxEntries": 40,
  "percpu": true,
  "noCommon": true,
  "ops": "u15 u28 u43 l57 l33 u79 u45 u42 l71 p d81 l55 l21 l72 u67 d69 u3 l45 u56 u69 u72 u47 u43 l13 l38 u44 u82 u23 l61 u70 l48 l49 u27 p u34 l1 u41 l76 u38 p u17 u17 u85 l4 l69 u32 u71 u39 u50 u45 u63 u84 u39 u65 p u9 n72 p n46 l69 p u28 l2 u83 l59 u1 u6 l20 p u17 p u78 u5 u81 u32 l48 p l37 l20 l5 l74 d69 d54 p u33 u11 u53 l34 p u72 u4 l30 u3 u29 u42 u52 u34 u22 u71 u36 l62 l81 u73 u79 u52 l76 u60 u16 p",
  "linux": "[15,28,42,43,45,79] d81=-2 d69=-2 [3,15,23,27,28,42,43,44,45,47,56,67,69,70,72,79,82] [3,15,23,27,28,34,38,41,42,43,44,45,47,56,67,69,70,72,79,82] [17,23,27,32,34,38,39,41,43,45,50,63,65,69,70,71,84,85] [9,17,23,27,32,34,38,39,41,43,45,50,63,65,69,70,71,72,84,85] [9,17,32,38,39,41,43,45,46,50,63,65,69,71,72,84,85] [1,6,9,17,28,39,43,45,46,50,63,65,69,71,72,83,84] [1,6,9,17,28,39,43,45,46,50,63,65,69,71,72,83,84] [1,5,6,9,17,28,32,39,43,45,46,65,69,72,78,81,83] d54=-2 [1,5,6,9,17,28,32,39,43,45,46,65,72,78,81,83] [1,5,6,9,11,17,28,32,33,39,43,45,46,53,65,72,78,81,83] [5,16,17,22,29,34,36,39,42,43,45,52,60,71,72,73,79]"
 }
];

function env2() {
  const mem = new KernelMemory({ initialBytes: 1 << 20 });
  return { mem, nrCpus: 2, currentCpu: () => 0 };
}

function k4(k: number): Uint8Array {
  return new Uint8Array(new Uint32Array([k]).buffer);
}

function replay(maxEntries: number, percpu: boolean, ops: string, noCommon = false): string {
  const env = env2();
  const m = createMap({ type: percpu ? BPF_MAP_TYPE_LRU_PERCPU_HASH : BPF_MAP_TYPE_LRU_HASH, keySize: 4, valueSize: 8, maxEntries, flags: noCommon ? BPF_F_NO_COMMON_LRU : 0 }, env) as HashMap;
  const keyOff = env.mem.alloc(8);
  const out: string[] = [];
  for (const op of ops.split(' ')) {
    const c = op[0];
    const k = Number(op.slice(1));
    try {
      if (c === 'u') m.update(k4(k), new Uint8Array(8), 0);
      else if (c === 'n') m.update(k4(k), new Uint8Array(8), BPF_NOEXIST);
      else if (c === 'd') m.delete(k4(k));
      else if (c === 'l') {
        env.mem.writeU32(keyOff, k);
        m.lookupElem(keyOff);
      } else if (c === 'p') {
        out.push('[' + m.keys().map((b) => new DataView(b.buffer).getUint32(0, true)).sort((a, b) => a - b).join(',') + ']');
      }
    } catch (e) {
      out.push(`${op}=-${(e as MapError).errno}`);
    }
  }
  return out.join(' ');
}

describe('LRU hash eviction (model of bpf_lru_list common LRU)', () => {
  it('evicts target_free = clamp(max/nrCpus/2, 1, 128) oldest elements at a time', () => {
    const env = env2();
    const m = createMap({ type: BPF_MAP_TYPE_LRU_HASH, keySize: 4, valueSize: 8, maxEntries: 8 }, env);
    for (let k = 1; k <= 8; k++) m.update(k4(k), new Uint8Array(8));
    expect(m.keys().length).toBe(8);
    m.update(k4(9), new Uint8Array(8));
    // the refill evicted two (8 / 2 CPUs / 2) from the inactive tail: 1 and 2
    expect(m.lookup(k4(1))).toBeUndefined();
    expect(m.lookup(k4(2))).toBeUndefined();
    expect(m.lookup(k4(3))).toBeDefined();
    m.update(k4(10), new Uint8Array(8));
    expect(m.keys().length).toBe(8);
  });

  it('BPF_F_NO_COMMON_LRU: each CPU owns max_entries / nrCpus elements and evicts 4 at a time', () => {
    const env = env2();
    const m = createMap({ type: BPF_MAP_TYPE_LRU_HASH, keySize: 4, valueSize: 8, maxEntries: 7, flags: BPF_F_NO_COMMON_LRU }, env);
    expect(m.maxEntries).toBe(8); // rounded up to a multiple of the CPU count
    for (let k = 1; k <= 5; k++) m.update(k4(k), new Uint8Array(8));
    expect(m.keys().map((b) => b[0])).toEqual([5]); // Linux 6.18 gives [5] too
  });

  it('a program lookup (reference bit) protects an element; a syscall lookup does not', () => {
    const env = env2();
    const m = createMap({ type: BPF_MAP_TYPE_LRU_HASH, keySize: 4, valueSize: 8, maxEntries: 4 }, env) as HashMap;
    const keyOff = env.mem.alloc(8);
    for (let k = 1; k <= 4; k++) m.update(k4(k), new Uint8Array(8));
    m.lookup(k4(1)); // syscall: no ref
    env.mem.writeU32(keyOff, 2);
    expect(m.lookupElem(keyOff)).not.toBe(0);
    expect(m.lruState(k4(2))!.ref).toBe(true);
    for (let k = 5; k <= 7; k++) m.update(k4(k), new Uint8Array(8));
    expect(m.lookup(k4(2))).toBeDefined();
    expect(m.lookup(k4(1))).toBeUndefined();
    expect(m.lruState(k4(2))!.list).toBe('active');
  });

  it.each(LINUX_VECTORS.map((v, i) => [i, v] as const))('matches Linux 6.18 on recorded sequence %i', (_i, v) => {
    expect(replay(v.maxEntries, v.percpu, v.ops, v.noCommon)).toBe(v.linux);
  });

  it('create checks: NO_PREALLOC is ENOTSUPP, F_LOCK updates EINVAL, NO_COMMON_LRU accepted', () => {
    const env = env2();
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as MapError).errno;
      }
      return 0;
    };
    expect(err(() => createMap({ type: BPF_MAP_TYPE_LRU_HASH, keySize: 4, valueSize: 8, maxEntries: 4, flags: BPF_F_NO_PREALLOC }, env))).toBe(ENOTSUPP);
    const m = createMap({ type: BPF_MAP_TYPE_LRU_HASH, keySize: 4, valueSize: 8, maxEntries: 4, spinLockOff: 0 }, env);
    expect(err(() => m.update(k4(1), new Uint8Array(8), BPF_F_LOCK))).toBe(EINVAL);
    const p = createMap({ type: BPF_MAP_TYPE_LRU_PERCPU_HASH, keySize: 4, valueSize: 8, maxEntries: 4, flags: BPF_F_NO_COMMON_LRU }, env);
    p.update(k4(1), [new Uint8Array(8).fill(1), new Uint8Array(8).fill(2)]);
    expect(p.lookupPerCpu(k4(1))!.map((v) => v[0])).toEqual([1, 2]);
  });
});
