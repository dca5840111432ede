// Large arrays the simulator reads at scattered places (the SRAM's references
// and check bits, the working copy of the weights, the planner's slot marks)
// on 2 MiB pages where the kernel offers them (Linux transparent huge pages,
// in `madvise` or `always` mode): a read of a scattered word then costs a
// cache miss, not a cache miss and a page walk. A simulator speed device;
// results never depend on it.
//
// Measured (ibm-14nm weak cells at 0.62 V with `zero`, 2,000 images on one
// thread, with the fault reads' two-step prefetch, weak_read_cache.h): 4.1-4.7
// s of simulation before, 3.8-4.7 s after on this noisy machine, peak RSS
// 220-243 MiB against 223. The SRAM's own words (models/tlm/memory_array.h)
// stay on small pages: on huge pages they added about 24 MiB at p = 1 for no
// measurable speed.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <new>
#include <vector>

namespace lvsim {

constexpr size_t kHugePageBytes = size_t{2} << 20;

// Allocates `bytes` aligned to a huge page and asks for huge pages, before
// any page is touched. Arrays under one huge page come from operator new.
inline void* allocate_huge(size_t bytes) {
  if (bytes < kHugePageBytes) return ::operator new(bytes);
  const size_t rounded = (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
  void* p = std::aligned_alloc(kHugePageBytes, rounded);
  if (p == nullptr) throw std::bad_alloc();
  (void)madvise(p, rounded, MADV_HUGEPAGE);  // advice only: small pages if refused
  return p;
}

inline void free_huge(void* p, size_t bytes) {
  if (bytes < kHugePageBytes)
    ::operator delete(p);
  else
    std::free(p);  // NOLINT(cppcoreguidelines-no-malloc): aligned_alloc's pair
}

template <typename T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>& /*other*/) {
  }  // NOLINT(google-explicit-constructor)
  T* allocate(size_t n) { return static_cast<T*>(allocate_huge(n * sizeof(T))); }
  void deallocate(T* p, size_t n) { free_huge(p, n * sizeof(T)); }
  template <typename U>
  bool operator==(const HugePageAllocator<U>& /*other*/) const {
    return true;
  }
  template <typename U>
  bool operator!=(const HugePageAllocator<U>& /*other*/) const {
    return false;
  }
};

template <typename T>
using HugeVector = std::vector<T, HugePageAllocator<T>>;

}  // namespace lvsim
