#include "models/weight_sram/sram_layout.h"

namespace lvsim {

const ParamTable<SramLayout>& SramLayout::table() {
  static const ParamTable<SramLayout> table = [] {
    ParamTable<SramLayout> t;
    t.choice("weight_sram.interleave", &SramLayout::interleave, "1",
             {{"1", 1}, {"2", 2}, {"4", 4}, {"8", 8}, {"16", 16}})
        .help(
            "words per physical row, side by side bit by bit: column bit * interleave + k "
            "holds bit `bit` of the row's word k, so a failing cluster of at most this many "
            "adjacent columns puts at most one failing bit in any word (fault.column_width)")
        .source(
            "1: none, the array lvsim modelled before failing columns; 2 to 16: the column "
            "multiplexings an SRAM compiler offers (OpenRAM's words_per_row)");
    t.integer("weight_sram.subarray_rows", &SramLayout::subarray_rows, 512, 1, 1 << 20)
        .help(
            "rows one bitline and sense amplifier serve: the cells a failing column fails "
            "(fault.column_fault_share)")
        .source("the IBM 14 nm arrays of 512 x 64 cells, Stutz et al. MLSys 2021");
    return t;
  }();
  return table;
}

}  // namespace lvsim
