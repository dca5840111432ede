// A simulator speed device shared by the loops that visit words or weight
// slots scattered over megabytes (the fault injector's faulty words, the host
// engine's changed slots): each fetches the cache lines of the element this
// many places ahead before it works on the current one.
#pragma once

#include <cstddef>

namespace lvsim {

constexpr size_t kPrefetchAhead = 16;

}  // namespace lvsim
