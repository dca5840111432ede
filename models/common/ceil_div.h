// Integer division rounded up, and rounding up to a multiple: folds, bursts,
// chunks and lanes are counted this way throughout the models.
#pragma once

#include <type_traits>

namespace lvsim {

template <typename A, typename B>
constexpr std::common_type_t<A, B> ceil_div(A a, B b) {
  using T = std::common_type_t<A, B>;
  return (static_cast<T>(a) + static_cast<T>(b) - 1) / static_cast<T>(b);
}

template <typename A, typename B>
constexpr std::common_type_t<A, B> round_up(A value, B multiple) {
  return ceil_div(value, multiple) * static_cast<std::common_type_t<A, B>>(multiple);
}

}  // namespace lvsim
