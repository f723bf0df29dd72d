#!/usr/bin/env bash
# Compile every test/progs/*.bpf.c into *.bpf.o (+ *.objdump) next to it.
#
# The objects are committed, and CI rebuilds them and runs `git diff --exit-code`, so the build
# must be reproducible: we compile from inside this directory with relative names and map the
# compilation directory to ".", so no absolute path of the checkout ends up in DWARF or BTF.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

CLANG=${CLANG:-clang-19}
OBJDUMP=${OBJDUMP:-llvm-objdump-19}

CFLAGS=(
  -O2 -g -target bpf -mcpu=v4
  -D__TARGET_ARCH_x86
  -Wall -Wno-unused-variable -Wno-unused-function -Wno-incompatible-pointer-types-discards-qualifiers
  -fdebug-compilation-dir=.
  "-fdebug-prefix-map=$PWD=."
  "-ffile-prefix-map=$PWD=."
  -fno-ident
)

# The simulated kernel's own vmlinux.h, for CO-RE programs: regenerated on every build so a
# change in the kernel's type tables shows up as a diff CI refuses.
node ../../bin/bpfwasm.js btf dump --kernel --format c > vmlinux.h.new
mv vmlinux.h.new vmlinux.h

status=0
shopt -s nullglob
for src in *.bpf.c; do
  obj="${src%.c}.o"
  dump="${src%.bpf.c}.objdump"
  if ! "$CLANG" "${CFLAGS[@]}" -c "$src" -o "$obj"; then
    echo "build.sh: failed to compile $src" >&2
    status=1
    continue
  fi
  "$OBJDUMP" -d "$obj" > "$dump"
done
exit $status
