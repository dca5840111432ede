// The weight SRAM's physical bit layout: where each stored bit of each word
// sits among the rows and columns of the cell array, for the faults that
// follow the array's wires (failing columns, mechanisms/weak_cell_map.h).
//
// A row holds I = `interleave` words side by side bit by bit, as an SRAM
// compiler's column multiplexer lays them out (1, 2, 4, 8 or 16 words per row
// in OpenRAM's configuration, its words_per_row): physical column
//     c = bit * I + k
// of row r holds bit `bit` of word r * I + k, so the B stored bits of a word
// (32 data bits, then the mitigation's check bits, sram_word.h) lie I columns
// apart and a row has B * I columns. The words fill the rows in address order
// (word w in row w / I), and the rows are cut into subarrays of R =
// `subarray_rows` rows: a column's bitline and sense amplifier serve the R
// rows of one subarray. R = 512 is the height of the IBM 14 nm arrays whose
// failures lvsim's ibm-14nm preset reproduces (512 x 64 cells, Stutz et al.,
// MLSys 2021, who profiled 32 of them); put your macro's.
#pragma once

#include <cstdint>

#include "models/common/params.h"

namespace lvsim {

struct SramLayout {
  int interleave{};     // words per row, bit-interleaved (I)
  int subarray_rows{};  // rows one bitline runs through (R)

  SramLayout() { table().apply_defaults(*this); }
  static const ParamTable<SramLayout>& table();

  uint64_t rows(uint64_t words) const {
    const auto per_row = static_cast<uint64_t>(interleave);
    return (words + per_row - 1) / per_row;
  }
  uint64_t subarrays(uint64_t words) const {
    const auto per_subarray = static_cast<uint64_t>(subarray_rows);
    return (rows(words) + per_subarray - 1) / per_subarray;
  }
  // Columns of a row of words of `stored_bits` bits.
  int columns(int stored_bits) const { return stored_bits * interleave; }
  // The row and column holding bit `bit` of word `word`, and what column
  // `column` of row `row` holds.
  uint64_t row(uint64_t word) const { return word / static_cast<uint64_t>(interleave); }
  int column(uint64_t word, int bit) const {
    return bit * interleave + static_cast<int>(word % static_cast<uint64_t>(interleave));
  }
  uint64_t word_at(uint64_t row, int column) const {
    return row * static_cast<uint64_t>(interleave) + static_cast<uint64_t>(column % interleave);
  }
  int bit_at(int column) const { return column / interleave; }
};

}  // namespace lvsim
