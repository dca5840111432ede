// The low-voltage weight SRAM: fault rates against the model (binomial 99.9 %
// intervals), persistence and accumulation, refresh, weak cells, determinism.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <map>
#include <random>

#include "models/accelerator.h"
#include "models/weight_sram/fault_models/fault_presets.h"
#include "models/weight_sram/weak_cell_map.h"
#include "models/weight_sram/weight_sram.h"
#include "tests/support/tlm_harness.h"

using namespace lvsim;

namespace {

// A small SRAM holding `words` random fp32-like words, with a host bound to
// both ports (port 0: DMA, port 1: the array's).
struct Bench {
  WeightSram sram;
  test::TlmHarness host;
  std::vector<uint32_t> golden;

  Bench(const char* name, WeightSramParams params, size_t words)
      : sram((std::string(name) + "_sram").c_str(), with_capacity(params, words)),
        host((std::string(name) + "_host").c_str(), 2),
        golden(words) {
    host.port(0).bind(sram.dma_socket);
    host.port(1).bind(sram.array_socket);
    std::mt19937 rng(11);
    std::normal_distribution<float> weight(0.0f, 0.05f);
    for (uint32_t& w : golden) {
      const float value = weight(rng);
      std::memcpy(&w, &value, 4);
    }
    write_golden();
  }

  static WeightSramParams with_capacity(WeightSramParams params, size_t words) {
    params.capacity_bytes = words * 4;
    return params;
  }

  void write_golden() {
    REQUIRE(host.send(0, tlm::TLM_WRITE_COMMAND, 0, reinterpret_cast<unsigned char*>(golden.data()),
                      golden.size() * 4)
                .ok());
  }

  std::vector<WordChange> read(uint32_t batches) {
    std::vector<WordChange> changes;
    WeightReadReport report;
    report.batches = batches;
    report.changes = &changes;
    REQUIRE(host.report(1, 0, golden.size() * 4, report).ok());
    return changes;
  }

  std::vector<uint32_t> contents() {
    std::vector<unsigned char> bytes(golden.size() * 4);
    REQUIRE(host.debug_read(0, 0, bytes) == bytes.size());
    std::vector<uint32_t> words(golden.size());
    std::memcpy(words.data(), bytes.data(), bytes.size());
    return words;
  }
};

// Upsets at a constant rate (seed 004's reading).
WeightSramParams constant(double p, FaultUnit unit, const std::string& mitigation) {
  WeightSramParams params;
  params.mechanisms = {true, false};
  params.protect_sign = false;
  params.fault_model.name = "constant";
  params.fault_model.p = p;
  params.fault_unit = unit;
  params.mitigation = mitigation;
  return params;
}

// |observed - n p| within the two-sided 99.9 % normal interval of Binomial(n, p).
void check_binomial(double observed, double n, double p) {
  const double mean = n * p, sd = std::sqrt(n * p * (1 - p));
  INFO("observed " << observed << ", expected " << mean << " +- " << 3.29 * sd);
  CHECK(std::fabs(observed - mean) <= 3.29 * sd);
}

}  // namespace

namespace {

// One voltage domain of `words` words whose cells are weak with `fraction`.
std::vector<VoltageDomain> cells_weak(uint64_t words, double fraction) {
  VoltageDomain domain;
  domain.end_word = words;
  domain.weak_fraction = fraction;
  return {domain};
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

namespace {

// Permanent weak cells of the minerva-40nm model (p(0.5 V) ~ 1e-2).
WeightSramParams weak_cells_at(double vdd_v) {
  WeightSramParams params;
  apply_model_preset(params.fault_model, fault_preset("minerva-40nm"));
  params.vdd_v = vdd_v;
  params.mechanisms = {false, true};
  params.intermittent_share = 0.0;
  params.mitigation = "flip";
  return params;
}

// Golden bits that differ from what the array last read, word by word.
uint64_t differing_bits(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  uint64_t bits = 0;
  for (size_t i = 0; i < a.size(); ++i) bits += __builtin_popcount(a[i] ^ b[i]);
  return bits;
}

}  // namespace

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

TEST_CASE("weak cells read 0 with the stuck-at-zero share", "[weight_sram][faults][weak_cells]") {
  WeakCellTraits traits;
  traits.stuck_zero_share = 0.8;
  const WeakCellMap map(traits, 0, cells_weak(1 << 16, 0.01));
  uint64_t ones = 0;
  for (const WeakWord& w : map.words()) ones += __builtin_popcountll(w.stuck_ones);
  check_binomial(static_cast<double>(ones), static_cast<double>(map.cells()), 0.2);
}

TEST_CASE("a chip's weak cells are the same at every voltage and nested across voltages",
          "[weight_sram][faults][weak_cells]") {
  auto cells = [](double fraction, uint64_t chip, bool protect_sign, int check_bits) {
    WeakCellTraits traits;
    traits.chip_seed = chip;
    traits.protect_sign = protect_sign;
    const WeakCellMap map(traits, check_bits, cells_weak(1 << 15, fraction));
    std::vector<uint64_t> keys;
    for (const WeakWord& w : map.words())
      for (int bit = 0; bit < 64; ++bit)
        if ((w.permanent | w.intermittent) >> bit & 1) keys.push_back(uint64_t{w.word} * 64 + bit);
    return keys;
  };
  const std::vector<uint64_t> high_v = cells(3e-4, 1, false, 0), low_v = cells(2e-3, 1, false, 0);
  CHECK(high_v == cells(3e-4, 1, false, 0));  // the same chip, the same cells
  REQUIRE(high_v.size() > 100);
  CHECK(std::includes(low_v.begin(), low_v.end(), high_v.begin(), high_v.end()));
  CHECK(low_v.size() > 3 * high_v.size());
  CHECK(cells(3e-4, 2, false, 0) != high_v);  // another chip
  // Check bits (SEC-DED) add cells of their own and leave the data bits' cells alone.
  std::vector<uint64_t> data_only;
  for (uint64_t key : cells(3e-4, 1, false, 7))
    if (key % 64 < 32) data_only.push_back(key);
  CHECK(data_only == high_v);
  // Protecting the sign bit only leaves out the sign bit's cells.
  std::vector<uint64_t> unsigned_cells;
  for (uint64_t key : high_v)
    if (key % 64 != 31) unsigned_cells.push_back(key);
  CHECK(cells(3e-4, 1, true, 0) == unsigned_cells);
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

TEST_CASE("SEC-DED in the SRAM: single faults per word never reach the data",
          "[weight_sram][faults]") {
  fresh_simulation_context();
  Bench bench("ecc", constant(1e-2, FaultUnit::kPerWord, "secded"), 2048);
  const std::vector<WordChange> changes = bench.read(20);
  CHECK(changes.empty());
  CHECK(bench.contents() == bench.golden);
  CHECK(bench.sram.stats().faults.ecc_corrected == bench.sram.stats().faults.faulty_word_reads);
  CHECK(bench.sram.stats().faults.ecc_corrected > 0);
  CHECK(bench.sram.stored_bits_per_word() == 39);
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

namespace {

// Asks the SRAM to test itself, as the controller does at power-up.
test::Response self_test(Bench& bench) {
  SelfTestRequest request;
  return bench.host.report(0, 0, 0, request);
}

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

TEST_CASE("a self-test finds an intermittent cell with probability 1 - (1 - q)^k",
          "[weight_sram][faults][weak_cells][fault_map]") {
  WeakCellTraits traits;
  traits.intermittent_share = 1.0;
  traits.intermittent_q = 0.3;
  WeakCellMap map(traits, 0, cells_weak(1 << 16, 0.01));
  REQUIRE(map.intermittent_cells() == map.cells());
  for (int passes : {1, 2, 4}) {
    map.self_test({7, 0, passes});
    // Stuck at 1: revealed by the 3 reads expecting 0 per pass; stuck at 0 by the 2 expecting 1.
    uint64_t ones = 0, ones_found = 0, zeros = 0, zeros_found = 0;
    for (const WeakWord& w : map.words()) {
      ones += __builtin_popcountll(w.intermittent & w.stuck_ones);
      ones_found += __builtin_popcountll(w.mapped & w.stuck_ones);
      zeros += __builtin_popcountll(w.intermittent & ~w.stuck_ones);
      zeros_found += __builtin_popcountll(w.mapped & ~w.stuck_ones);
    }
    INFO(passes << " pass(es)");
    check_binomial(static_cast<double>(ones_found), static_cast<double>(ones),
                   1.0 - std::pow(0.7, 3 * passes));
    check_binomial(static_cast<double>(zeros_found), static_cast<double>(zeros),
                   1.0 - std::pow(0.7, 2 * passes));
    CHECK(map.mapped_cells() == ones_found + zeros_found);
  }
  // The same run's test finds the same cells; another trial's test others.
  map.self_test({7, 0, 1});
  std::vector<uint64_t> first;
  for (const WeakWord& w : map.words()) first.push_back(w.mapped);
  map.self_test({7, 0, 1});
  std::vector<uint64_t> again, other;
  for (const WeakWord& w : map.words()) again.push_back(w.mapped);
  map.self_test({7, 1, 1});
  for (const WeakWord& w : map.words()) other.push_back(w.mapped);
  CHECK(again == first);
  CHECK(other != first);
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

TEST_CASE("the self-test takes passes x 10 accesses per word on the banks, and only with a map",
          "[weight_sram][fault_map]") {
  fresh_simulation_context();
  WeightSramParams params = weak_cells_at(0.55);
  params.mitigation = "word-zero";
  params.detector = FailureDetector::kBistMap;
  params.bist_passes = 3;
  params.banks = 4;
  Bench bench("map_time", params, 4096);
  const test::Response response = self_test(bench);
  REQUIRE(response.ok());
  const uint64_t a = static_cast<uint64_t>(bench.sram.access_cycles());
  const uint64_t cycles = 3 * 10 * a * (4096 / 4);
  CHECK(bench.sram.stats().self_test_cycles == cycles);
  CHECK(bench.sram.stats().self_test_accesses == 3 * 10 * 4096);
  CHECK(response.delay == params.clock_period * static_cast<double>(cycles));
  CHECK(bench.sram.uses_fault_map());
  // 4096 words: 12 address bits; 32 stored bits: 5 bit-position bits.
  CHECK(bench.sram.fault_map_bits() == bench.sram.stats().mapped_cells * (12 + 5));
  // A mitigation without a detector (or the Razor detector) has no map to test.
  for (const auto& [mitigation, detector] :
       {std::pair{"flip", FailureDetector::kBistMap}, std::pair{"zero", FailureDetector::kRazor}}) {
    fresh_simulation_context();
    WeightSramParams other = params;
    other.mitigation = mitigation;
    other.detector = detector;
    Bench none("map_none", other, 4096);
    const test::Response answer = self_test(none);
    CHECK(answer.ok());
    CHECK(answer.delay == sc_core::SC_ZERO_TIME);
    CHECK(none.sram.stats().mapped_cells == 0);
    CHECK(none.sram.fault_map_bits() == 0);
  }
}
