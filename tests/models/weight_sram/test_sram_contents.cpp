// What the weight SRAM holds and what its reads return: upsets written back
// until a refresh restores the golden words, how every faulty read ends
// (detected, corrected, masked or silent), and a self-test's fault map that
// masks the mapped cells on every read and cannot see upsets.
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <vector>

#include "models/accelerator.h"
#include "models/weight_sram/mechanisms/weak_cell_map.h"
#include "models/weight_sram/sram_contents.h"
#include "tests/support/weight_sram_bench.h"

using namespace lvsim;
using namespace lvsim::test;

namespace {

// The weak cells `params` gives an SRAM of `words` words, rebuilt from the
// chip's seed as the SRAM builds them.
WeakCellMap chip_of(const WeightSramParams& params, size_t words) {
  WeakCellTraits traits;
  traits.chip_seed = params.chip_seed;
  traits.stuck_zero_share = params.stuck_zero_share;
  traits.intermittent_share = params.intermittent_share;
  traits.intermittent_q = params.intermittent_q;
  const double fraction = make_fault_model(params.fault_model)->weak_cell_fraction(params.vdd_v);
  return WeakCellMap(traits, 0, cells_weak(words, fraction));
}

}  // namespace

TEST_CASE("faults persist and accumulate, and a refresh restores the golden weights exactly",
          "[weight_sram][faults]") {
  fresh_simulation_context();
  Bench bench("persist", constant(2e-3, FaultUnit::kPerBit, "zero"), 2048);
  bench.read(10);
  bench.read(10);
  const std::vector<uint64_t> series = bench.sram.faulty_bits_after_batch();
  REQUIRE(series.size() == 20);
  for (size_t i = 1; i < series.size(); ++i) CHECK(series[i] >= series[i - 1]);  // zero only clears
  std::vector<uint32_t> now = bench.contents();
  uint64_t differing = 0;
  for (size_t i = 0; i < now.size(); ++i) {
    differing += __builtin_popcount(now[i] ^ bench.golden[i]);
    CHECK((now[i] & ~bench.golden[i]) == 0u);  // `zero` never sets a bit
  }
  CHECK(differing > 0);
  CHECK(series.back() == differing);

  bench.write_golden();  // the refresh
  CHECK(bench.contents() == bench.golden);
  CHECK(bench.sram.faulty_bits() == 0);
}

TEST_CASE("every faulty read is counted as detected, corrected, masked or silent",
          "[weight_sram][faults]") {
  fresh_simulation_context();
  auto ends = [](const char* name, const std::string& mitigation, FaultUnit unit) {
    Bench bench(name, constant(1e-2, unit, mitigation), 2048);
    bench.read(20);
    return bench.sram.stats().faults;
  };
  // One faulty bit per faulty word read.
  const FaultStats flip = ends("ends_flip", "flip", FaultUnit::kPerWord);
  CHECK(flip.faulty_word_reads > 100);
  CHECK(flip.masked_word_reads == 0);
  CHECK(flip.ecc_uncorrectable == 0);
  // Silent unless an upset restored a bit an earlier one had flipped.
  CHECK(flip.silent_word_reads <= flip.faulty_word_reads);
  CHECK(flip.silent_word_reads >= flip.faulty_word_reads * 9 / 10);
  const FaultStats zero = ends("ends_zero", "zero", FaultUnit::kPerWord);
  CHECK(zero.masked_word_reads == zero.faulty_word_reads);  // the ideal detector
  CHECK(zero.silent_word_reads == 0);
  const FaultStats parity = ends("ends_parity", "parity", FaultUnit::kPerWord);
  CHECK(parity.ecc_uncorrectable == parity.faulty_word_reads);  // single bits: all detected
  CHECK(parity.silent_word_reads == 0);
  const FaultStats secded = ends("ends_secded", "secded", FaultUnit::kPerWord);
  CHECK(secded.ecc_corrected == secded.faulty_word_reads);
  CHECK(secded.silent_word_reads + secded.masked_word_reads == 0);
  // Per-bit faults at 1e-2 put two or more faulty bits in many words: parity
  // misses the even ones, and they reach the array silently.
  const FaultStats parity_bits = ends("ends_parity_bits", "parity", FaultUnit::kPerBit);
  CHECK(parity_bits.silent_word_reads > 0);
  CHECK(parity_bits.ecc_uncorrectable > parity_bits.silent_word_reads);
}

TEST_CASE(
    "a self-test maps every permanent weak cell, and zero masks the mapped cells on "
    "every read",
    "[weight_sram][faults][weak_cells][fault_map]") {
  fresh_simulation_context();
  WeightSramParams params = weak_cells_at(0.5);
  params.mitigation = "zero";
  params.detector = FailureDetector::kBistMap;
  // Before a test, the map is empty: nothing is masked, every failing cell is silent.
  Bench untested("map_untested", params, 4096);
  untested.read(1);
  const FaultStats unmapped = untested.sram.stats().faults;
  REQUIRE(unmapped.faulty_word_reads > 50);
  CHECK(unmapped.silent_word_reads == unmapped.faulty_word_reads);
  Bench bench("map_zero", params, 4096);
  REQUIRE(self_test(bench).ok());
  CHECK(bench.sram.stats().mapped_cells == bench.sram.stats().faults.weak_cells);
  // After it, the array reads each word with its weak cells forced to 0, those
  // that read right included: exactly golden & ~cells.
  const WeakCellMap chip = chip_of(params, 4096);
  REQUIRE(chip.cells() == bench.sram.stats().faults.weak_cells);
  const std::vector<WordChange> changes = bench.read(1);
  std::map<uint32_t, uint32_t> read;
  for (const WordChange& c : changes) read[c.word] = c.value;
  size_t masked_right_bits = 0;
  for (const WeakWord& w : chip.words()) {
    const uint32_t expected = bench.golden[w.word] & ~static_cast<uint32_t>(w.permanent);
    const uint32_t got = read.count(w.word) ? read[w.word] : bench.golden[w.word];
    CHECK(got == expected);
    // Cells stuck at 1 that hold a 1 read right, and are masked all the same.
    masked_right_bits += __builtin_popcount(bench.golden[w.word] & w.permanent & w.stuck_ones);
  }
  CHECK(masked_right_bits > 0);
  const FaultStats after = bench.sram.stats().faults;
  CHECK(after.faulty_word_reads == unmapped.faulty_word_reads);
  CHECK(after.silent_word_reads == 0);
  CHECK(after.masked_word_reads == after.faulty_word_reads);
}

TEST_CASE("a fault map cannot see upsets: under bist-map they reach the array silently",
          "[weight_sram][faults][fault_map]") {
  fresh_simulation_context();
  WeightSramParams params = constant(1e-2, FaultUnit::kPerWord, "zero");
  params.detector = FailureDetector::kBistMap;
  Bench bench("map_upsets", params, 2048);
  REQUIRE(self_test(bench).ok());
  CHECK(bench.sram.stats().mapped_cells == 0);
  bench.read(20);
  const FaultStats& f = bench.sram.stats().faults;
  REQUIRE(f.faulty_word_reads > 100);
  CHECK(f.masked_word_reads == 0);
  // Silent unless an upset restored a bit an earlier one had flipped.
  CHECK(f.silent_word_reads >= f.faulty_word_reads * 9 / 10);
  // What was read is flipped and written back: bits are set as well as cleared.
  uint64_t set = 0;
  const std::vector<uint32_t> now = bench.contents();
  for (size_t i = 0; i < now.size(); ++i) set += __builtin_popcount(now[i] & ~bench.golden[i]);
  CHECK(set > 0);
}
