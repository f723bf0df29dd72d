// Text dump in the format of `bpftool btf dump file X format raw`, line for line.

import type { Btf } from './btf.js';
import type { BtfType } from './types.js';

const q = (name: string): string => `'${name === '' ? '(anon)' : name}'`;

function intEncoding(enc: number): string {
  switch (enc) {
    case 0:
      return '(none)';
    case 1:
      return 'SIGNED';
    case 2:
      return 'CHAR';
    case 4:
      return 'BOOL';
    default:
      return 'UNKN';
  }
}

const FUNC_LINKAGE = ['static', 'global', 'extern'];
const VAR_LINKAGE = ['static', 'global', 'extern'];

export function dumpRawType(btf: Btf, t: BtfType): string {
  const head = `[${t.id}] ${t.kind.toUpperCase()} ${q(t.name)}`;
  switch (t.kind) {
    case 'void':
      return `[0] VOID`;
    case 'int':
      return `${head} size=${t.size} bits_offset=${t.bitsOffset} nr_bits=${t.bits} encoding=${intEncoding(t.encoding)}`;
    case 'ptr':
    case 'typedef':
    case 'volatile':
    case 'const':
    case 'restrict':
    case 'type_tag':
      return `${head} type_id=${t.type}`;
    case 'array':
      return `${head} type_id=${t.type} index_type_id=${t.indexType} nr_elems=${t.nelems}`;
    case 'struct':
    case 'union':
      return [
        `${head} size=${t.size} vlen=${t.members.length}`,
        ...t.members.map(
          (m) =>
            `\t${q(m.name)} type_id=${m.type} bits_offset=${m.bitOffset}` +
            (m.bitfieldSize ? ` bitfield_size=${m.bitfieldSize}` : ''),
        ),
      ].join('\n');
    case 'enum':
      return [
        `${head} encoding=${t.signed ? 'SIGNED' : 'UNSIGNED'} size=${t.size} vlen=${t.values.length}`,
        ...t.values.map((v) => `\t${q(v.name)} val=${v.value}`),
      ].join('\n');
    case 'enum64':
      return [
        `${head} encoding=${t.signed ? 'SIGNED' : 'UNSIGNED'} size=${t.size} vlen=${t.values.length}`,
        ...t.values.map((v) => `\t${q(v.name)} val=${v.value}${t.signed ? 'LL' : 'ULL'}`),
      ].join('\n');
    case 'fwd':
      return `${head} fwd_kind=${t.fwdKind}`;
    case 'func':
      return `${head} type_id=${t.type} linkage=${FUNC_LINKAGE[t.linkage] ?? 'UNKN'}`;
    case 'func_proto': {
      const params = t.params.map((p) => `\t${q(p.name)} type_id=${p.type}`);
      if (t.variadic) params.push(`\t'(anon)' type_id=0`);
      return [`${head} ret_type_id=${t.ret} vlen=${params.length}`, ...params].join('\n');
    }
    case 'var':
      return `${head} type_id=${t.type}, linkage=${VAR_LINKAGE[t.linkage] ?? 'UNKN'}`;
    case 'datasec':
      return [
        `${head} size=${t.size} vlen=${t.vars.length}`,
        ...t.vars.map((v) => {
          const vt = btf.get(v.type);
          return `\ttype_id=${v.type} offset=${v.offset} size=${v.size} (${vt.kind.toUpperCase()} ${q(vt.name)})`;
        }),
      ].join('\n');
    case 'float':
      return `${head} size=${t.size}`;
    case 'decl_tag':
      return `${head} type_id=${t.type} component_idx=${t.componentIdx}`;
  }
}

/** All types of this layer (split BTF: without the base's), one per line as bpftool prints. */
export function dumpRaw(btf: Btf): string {
  const out: string[] = [];
  for (let id = btf.startId; id < btf.length; id++) out.push(dumpRawType(btf, btf.get(id)));
  return out.join('\n') + '\n';
}
