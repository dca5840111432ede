// The fault injector's two mechanisms as the SRAM's reads meet them: upsets at
// rate p per bit or per word read, weak cells at the model's fraction failing
// on every read (or a share q of them), written back only with read disturb,
// and the same faults for the same seed. Rates are checked against binomial
// 99.9 % intervals.
#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "models/accelerator.h"
#include "models/weight_sram/mechanisms/fault_injector.h"
#include "tests/support/weight_sram_bench.h"

using namespace lvsim;
using namespace lvsim::test;

namespace {

// Golden bits that differ from what the array last read, word by word.
uint64_t differing_bits(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  uint64_t bits = 0;
  for (size_t i = 0; i < a.size(); ++i) bits += __builtin_popcount(a[i] ^ b[i]);
  return bits;
}

}  // namespace

TEST_CASE("per-bit faults occur at rate p per stored bit read", "[weight_sram][faults]") {
  fresh_simulation_context();
  Bench bench("perbit", constant(1e-3, FaultUnit::kPerBit, "flip"), 4096);
  bench.read(50);
  check_binomial(static_cast<double>(bench.sram.stats().faults.bit_faults), 4096.0 * 32 * 50, 1e-3);
  CHECK(bench.sram.stats().words_read == 4096u * 50);
}

TEST_CASE("per-word faults: one bit in a word with probability p", "[weight_sram][faults]") {
  fresh_simulation_context();
  WeightSramParams params = constant(1e-2, FaultUnit::kPerWord, "flip");
  params.protect_sign = true;
  Bench bench("perword", params, 4096);
  const std::vector<WordChange> changes = bench.read(50);
  const WeightSramStats& stats = bench.sram.stats();
  check_binomial(static_cast<double>(stats.faults.faulty_word_reads), 4096.0 * 50, 1e-2);
  CHECK(stats.faults.bit_faults ==
        stats.faults.faulty_word_reads);  // exactly one bit per faulty word read
  // The sign bit never changes when it is protected.
  const std::vector<uint32_t> now = bench.contents();
  for (size_t i = 0; i < now.size(); ++i) CHECK((now[i] >> 31) == (bench.golden[i] >> 31));
  // Each batch's changes are in word order, batches in order.
  for (size_t i = 1; i < changes.size(); ++i)
    CHECK((changes[i - 1].batch < changes[i].batch ||
           (changes[i - 1].batch == changes[i].batch && changes[i - 1].word < changes[i].word)));
}

TEST_CASE(
    "a protected sign keeps every packed weight's sign bit: upsets never fail bits 7, 15, "
    "23, 31 of int-8 words",
    "[weight_sram][faults][format]") {
  constexpr uint32_t kInt8Signs = 0x80808080u;
  fresh_simulation_context();
  WeightSramParams per_bit = constant(0.05, FaultUnit::kPerBit, "flip");
  per_bit.protect_sign = true;
  Bench bits("signs_bit", per_bit, 4096);
  bits.read(1, 8);
  // 28 of the 32 bits of a word may fail.
  check_binomial(static_cast<double>(bits.sram.stats().faults.bit_faults), 4096.0 * 28, 0.05);
  for (size_t i = 0; i < bits.golden.size(); ++i)
    CHECK(((bits.contents()[i] ^ bits.golden[i]) & kInt8Signs) == 0u);
  // Per word: the one failing bit is any of the 28 others, never a sign.
  WeightSramParams per_word = constant(0.5, FaultUnit::kPerWord, "flip");
  per_word.protect_sign = true;
  Bench word("signs_word", per_word, 4096);
  uint32_t failed = 0;  // bit positions that failed at least once
  for (int read = 0; read < 4; ++read)
    for (const WordChange& c : word.read(1, 8)) failed |= c.value ^ c.old;
  CHECK(failed == ~kInt8Signs);
  // The same SRAM read as 32-bit words keeps bit 31 only.
  failed = 0;
  for (const WordChange& c : word.read(1, 32)) failed |= c.value ^ c.old;
  CHECK(failed == 0x7FFFFFFFu);
}

TEST_CASE(
    "a protected sign keeps every packed weight's sign bit: no weak cell at bits 7, 15, 23, "
    "31 of the words that hold int-8 weights",
    "[weight_sram][faults][weak_cells][format]") {
  fresh_simulation_context();
  WeightSramParams params = weak_cells_at(0.5);
  params.protect_sign = true;
  params.packed = {{1024, 3072, 8}};  // words 1024-3071 hold int-8 weights; the rest 32-bit ones
  Bench bench("signs_weak", params, 4096);
  uint32_t failed_packed = 0, failed_wide = 0;  // bit positions read wrong
  for (const WordChange& c : bench.read(1, 8))
    (c.word >= 1024 && c.word < 3072 ? failed_packed : failed_wide) |= c.value ^ c.old;
  CHECK((failed_packed & 0x80808080u) == 0u);
  CHECK((failed_packed & 0x7F7F7F7Fu) != 0u);
  CHECK((failed_wide & 0x80000000u) == 0u);
  CHECK((failed_wide & 0x00808080u) == 0x00808080u);  // fail where no sign is kept
}

TEST_CASE("a read drawn in pieces fails every word once at p = 1", "[weight_sram][faults]") {
  // More upsets than one piece (FaultInjector::kUpsetPiece) per read: the
  // pieces must neither lose a word nor read one twice.
  fresh_simulation_context();
  const size_t words = 3 * FaultInjector::kUpsetPiece + 123;
  Bench per_word("pieces_word", constant(1.0, FaultUnit::kPerWord, "flip"), words);
  per_word.read(3);
  CHECK(per_word.sram.stats().faults.faulty_word_reads == 3 * words);
  CHECK(per_word.sram.stats().faults.bit_faults == 3 * words);
  // Per bit: a piece ends only with a whole word, every bit of it failing.
  Bench per_bit("pieces_bit", constant(1.0, FaultUnit::kPerBit, "flip"), 1000);
  per_bit.read(2);
  CHECK(per_bit.sram.stats().faults.bit_faults == 2u * 1000 * 32);
  CHECK(per_bit.sram.stats().faults.faulty_word_reads == 2u * 1000);
  for (size_t i = 0; i < per_bit.golden.size(); ++i)  // flipped twice: as written
    CHECK(per_bit.contents()[i] == per_bit.golden[i]);
}

TEST_CASE("the weak-cell fraction follows the model", "[weight_sram][faults][weak_cells]") {
  fresh_simulation_context();
  const WeightSramParams params = weak_cells_at(0.55);
  Bench bench("weak", params, 16384);
  const double q = make_fault_model(params.fault_model)->probability(0.55);
  check_binomial(static_cast<double>(bench.sram.stats().faults.weak_cells), 16384.0 * 32, q);
  CHECK(bench.sram.stats().faults.intermittent_cells == 0);
}

TEST_CASE("a permanent weak cell reads its stuck value on every read, and a refresh cannot heal it",
          "[weight_sram][faults][weak_cells]") {
  fresh_simulation_context();
  Bench bench("stuck", weak_cells_at(0.5), 4096);
  const std::vector<WordChange> first = bench.read(1);
  REQUIRE(!first.empty());
  // Nothing is written back without read disturb: the stored words stay golden.
  CHECK(bench.contents() == bench.golden);
  // Each change is the golden word with some weak bits set to their stuck values.
  for (const WordChange& c : first) {
    CHECK(c.old == bench.golden[c.word]);
    CHECK(c.value != c.old);
  }
  // Read again: the same cells read the same wrong values, so the array sees no change.
  CHECK(bench.read(5).empty());
  const uint64_t faulty = bench.sram.faulty_bits();
  CHECK(faulty > 0);
  // The faults are counted on every read, though only the first changed anything.
  CHECK(bench.sram.stats().faults.weak_bit_faults == 6 * faulty);
  // A refresh rewrites the golden data, which changes no stored bit: the array
  // keeps reading what it read, and no read after it changes anything.
  const int invalidations = bench.host.invalidations();
  bench.write_golden();
  CHECK(bench.host.invalidations() == invalidations);
  CHECK(bench.read(1).empty());
  CHECK(bench.sram.faulty_bits() == faulty);
  // A write that does change stored bits makes the array read everything
  // again: the weak cells fail anew, the same way.
  std::vector<uint32_t> other = bench.golden;
  other[0] ^= 1u;
  bench.golden.swap(other);
  bench.write_golden();
  bench.golden.swap(other);
  bench.write_golden();
  CHECK(bench.host.invalidations() == invalidations + 2);
  const std::vector<WordChange> again = bench.read(1);
  REQUIRE(again.size() == first.size());
  for (size_t i = 0; i < first.size(); ++i) {
    CHECK(again[i].word == first[i].word);
    CHECK(again[i].value == first[i].value);
  }
  CHECK(bench.sram.faulty_bits() == faulty);
}

TEST_CASE("with read disturb a failing weak cell keeps its stuck value until rewritten",
          "[weight_sram][faults][weak_cells]") {
  fresh_simulation_context();
  WeightSramParams params = weak_cells_at(0.5);
  params.read_disturb = true;
  Bench bench("disturb", params, 4096);
  const std::vector<WordChange> changes = bench.read(1);
  REQUIRE(!changes.empty());
  const std::vector<uint32_t> stored = bench.contents();
  // The stored words now are what the array read (flip: the stuck values).
  for (const WordChange& c : changes) CHECK(stored[c.word] == c.value);
  CHECK(differing_bits(stored, bench.golden) == bench.sram.faulty_bits());
  CHECK(bench.sram.stats().faults.words_written_back == changes.size());
  bench.write_golden();
  CHECK(bench.contents() == bench.golden);
}

TEST_CASE("intermittent weak cells fail on a share q of their reads",
          "[weight_sram][faults][weak_cells]") {
  fresh_simulation_context();
  WeightSramParams params = weak_cells_at(0.5);
  params.intermittent_share = 1.0;
  params.intermittent_q = 0.3;
  Bench bench("intermittent", params, 4096);
  const uint64_t cells = bench.sram.stats().faults.weak_cells;
  CHECK(bench.sram.stats().faults.intermittent_cells == cells);
  // Half of the cells hold their own stuck value and never read wrong; count
  // the others from a first read in which every cell failed (q = 1).
  WeightSramParams every = params;
  every.intermittent_q = 1.0;
  Bench always("always", every, 4096);
  always.read(1);
  const double wrong_cells = static_cast<double>(always.sram.stats().faults.weak_bit_faults);
  REQUIRE(wrong_cells > 100);
  bench.read(200);
  check_binomial(static_cast<double>(bench.sram.stats().faults.weak_bit_faults), 200 * wrong_cells,
                 0.3);
  // A cell that stops failing reads right again: the array's view follows.
  CHECK(bench.sram.stats().faults.words_changed > 0);
  CHECK(bench.contents() == bench.golden);
}

TEST_CASE("the same seed gives the same faults, another trial other faults",
          "[weight_sram][faults]") {
  fresh_simulation_context();
  const WeightSramParams params = constant(1e-3, FaultUnit::kPerBit, "flip");
  Bench a("det_a", params, 1024), b("det_b", params, 1024);
  WeightSramParams trial = params;
  trial.trial = 1;
  Bench c("det_c", trial, 1024);
  const auto changes_a = a.read(5), changes_b = b.read(5), changes_c = c.read(5);
  REQUIRE(!changes_a.empty());
  CHECK(changes_a.size() == changes_b.size());
  bool same = changes_a.size() == changes_b.size();
  for (size_t i = 0; same && i < changes_a.size(); ++i)
    same = changes_a[i].word == changes_b[i].word && changes_a[i].value == changes_b[i].value;
  CHECK(same);
  CHECK(a.contents() != c.contents());
}
