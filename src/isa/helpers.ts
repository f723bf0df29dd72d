// Helper id <-> name, Linux numbering (enum bpf_func_id). Names carry the "bpf_" prefix as the
// kernel's verifier log and libbpf's bpf_helper_defs.h spell them: bpf_map_lookup_elem = 1.

import { BPF_HELPER_NAMES } from './helper-ids.js';

/** Highest helper id known (211 = bpf_cgrp_storage_delete in Linux 6.18). */
export const BPF_FUNC_MAX_ID = BPF_HELPER_NAMES.length - 1;

const byName = new Map<string, number>();
for (let id = 1; id < BPF_HELPER_NAMES.length; id++) {
  byName.set('bpf_' + BPF_HELPER_NAMES[id], id);
  byName.set(BPF_HELPER_NAMES[id], id);
}

/** "bpf_map_lookup_elem" for 1; undefined for 0 and unknown ids. */
export function helperName(id: number): string | undefined {
  return id >= 1 && id <= BPF_FUNC_MAX_ID ? 'bpf_' + BPF_HELPER_NAMES[id] : undefined;
}

/** Helper id by name, with or without the "bpf_" prefix. */
export function helperId(name: string): number | undefined {
  return byName.get(name);
}
