// What the weight SRAM holds and what its reads return: upsets written back
// until a refresh restores the golden words, how every faulty read ends
// (detected, corrected, masked or silent), and a self-test's fault map that
// masks the mapped cells on every read and cannot see upsets.
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <tuple>
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

namespace {

// The faulty reads that ended silent (silent_word_reads also counts the
// reads of wrong stored data in which no bit failed).
uint64_t faulty_silent(const FaultStats& f) {
  return f.silent_word_reads - f.silent_stored_word_reads;
}

}  // namespace

TEST_CASE("every faulty read is counted as detected, corrected, masked or silent",
          "[weight_sram][faults]") {
  fresh_simulation_context();
  auto ends = [](const char* name, const std::string& mitigation, FaultUnit unit) {
    Bench bench(name, constant(1e-2, unit, mitigation), 2048);
    bench.read(20);
    const FaultStats f = bench.sram.stats().faults;
    INFO(mitigation);
    CHECK(f.faulty_word_reads ==
          f.ecc_uncorrectable + f.ecc_corrected + f.masked_word_reads + faulty_silent(f));
    return f;
  };
  // One faulty bit per faulty word read.
  const FaultStats flip = ends("ends_flip", "flip", FaultUnit::kPerWord);
  CHECK(flip.faulty_word_reads > 100);
  CHECK(flip.masked_word_reads == 0);
  CHECK(flip.ecc_uncorrectable == 0);
  // Silent unless an upset restored a bit an earlier one had flipped.
  CHECK(faulty_silent(flip) <= flip.faulty_word_reads);
  CHECK(faulty_silent(flip) >= flip.faulty_word_reads * 9 / 10);
  const FaultStats zero = ends("ends_zero", "zero", FaultUnit::kPerWord);
  CHECK(zero.masked_word_reads == zero.faulty_word_reads);  // the ideal detector
  CHECK(faulty_silent(zero) == 0);
  const FaultStats parity = ends("ends_parity", "parity", FaultUnit::kPerWord);
  CHECK(parity.ecc_uncorrectable == parity.faulty_word_reads);  // single bits: all detected
  CHECK(faulty_silent(parity) == 0);
  const FaultStats secded = ends("ends_secded", "secded", FaultUnit::kPerWord);
  CHECK(secded.ecc_corrected == secded.faulty_word_reads);
  CHECK(faulty_silent(secded) + secded.masked_word_reads == 0);
  // Per-bit faults at 1e-2 put two or more faulty bits in many words: parity
  // misses the even ones, and they reach the array silently.
  const FaultStats parity_bits = ends("ends_parity_bits", "parity", FaultUnit::kPerBit);
  CHECK(faulty_silent(parity_bits) > 0);
  CHECK(parity_bits.ecc_uncorrectable > faulty_silent(parity_bits));
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
  CHECK(faulty_silent(after) == 0);
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
  CHECK(faulty_silent(f) >= f.faulty_word_reads * 9 / 10);
  // What was read is flipped and written back: bits are set as well as cleared.
  uint64_t set = 0;
  const std::vector<uint32_t> now = bench.contents();
  for (size_t i = 0; i < now.size(); ++i) set += __builtin_popcount(now[i] & ~bench.golden[i]);
  CHECK(set > 0);
}

TEST_CASE("a read of wrong stored data that nothing flags is silent, whatever made it wrong",
          "[weight_sram][faults][silent]") {
  fresh_simulation_context();
  // Upsets written back: `zero` masks each faulty read, but the zeroed bit is
  // stored, and every later read of that word in which no bit fails returns
  // it unflagged. Stale words only grow under zero, and a read's faulty words
  // are the only stale ones it does not count.
  Bench bench("silent_zero", constant(1e-2, FaultUnit::kPerWord, "zero"), 2048);
  auto stale = [&] {
    uint64_t words = 0;
    const std::vector<uint32_t> now = bench.contents();
    for (size_t i = 0; i < now.size(); ++i) words += now[i] != bench.golden[i];
    return words;
  };
  uint64_t silent_reads = 0;
  for (int read = 0; read < 10; ++read) {
    const uint64_t stale_before = stale();
    const FaultStats before = bench.sram.stats().faults;
    bench.read(1);
    const FaultStats& after = bench.sram.stats().faults;
    const uint64_t faulty = after.faulty_word_reads - before.faulty_word_reads;
    const uint64_t silent = after.silent_stored_word_reads - before.silent_stored_word_reads;
    CHECK(silent <= stale_before);
    CHECK(silent + faulty >= stale_before);
    silent_reads += silent;
  }
  const FaultStats& f = bench.sram.stats().faults;
  CHECK(f.silent_word_reads == f.silent_stored_word_reads);  // zero masks every faulty read
  CHECK(silent_reads > 100);
  CHECK(silent_reads == f.silent_stored_word_reads);
  // A refresh makes every word right again: the next read has no stale word.
  bench.write_golden();
  const uint64_t silent_before = f.silent_word_reads;
  bench.read(1);
  CHECK(bench.sram.stats().faults.silent_word_reads == silent_before);
}

TEST_CASE("with read disturb, the stored stuck values are read silently, and ECC corrects them",
          "[weight_sram][faults][weak_cells][silent]") {
  fresh_simulation_context();
  for (const std::string& mitigation : std::vector<std::string>{"zero", "flip", "secded"}) {
    INFO(mitigation);
    WeightSramParams params = weak_cells_at(0.55);
    params.mitigation = mitigation;
    params.read_disturb = true;
    Bench bench(("disturb_silent_" + mitigation).c_str(), params, 4096);
    // The words whose permanent weak cells hold a data bit other than their stuck value.
    WeakCellTraits traits;
    traits.chip_seed = params.chip_seed;
    traits.stuck_zero_share = params.stuck_zero_share;
    const double fraction = make_fault_model(params.fault_model)->weak_cell_fraction(params.vdd_v);
    const WeakCellMap chip(traits, mitigation == "secded" ? 7 : 0, cells_weak(4096, fraction));
    uint64_t disturbed = 0;
    for (const WeakWord& w : chip.words()) {
      const auto data_cells = static_cast<uint32_t>(w.permanent);
      disturbed += ((bench.golden[w.word] ^ static_cast<uint32_t>(w.stuck_ones)) & data_cells) != 0;
    }
    REQUIRE(disturbed > 20);
    bench.read(1);
    const FaultStats first = bench.sram.stats().faults;
    CHECK(first.silent_stored_word_reads == 0);
    bench.read(1);  // the disturbed cells now hold their stuck values: none reads wrong
    const FaultStats& f = bench.sram.stats().faults;
    const uint64_t silent = f.silent_stored_word_reads - first.silent_stored_word_reads;
    if (mitigation == "secded") {
      // The decoder sees a stored error as a failing bit: corrected, not silent
      // (two or more errors in a word are detected, three may miscorrect).
      CHECK(silent <= disturbed / 10);
      CHECK(f.ecc_corrected - first.ecc_corrected >= disturbed * 8 / 10);
    } else {
      CHECK(silent == disturbed);
      CHECK(f.silent_word_reads - first.silent_word_reads == disturbed);
    }
  }
}

TEST_CASE(
    "a cell that fails writes stores its stuck value, read back consistently and silently, "
    "and written at a supply where it is not weak, it holds the data",
    "[weight_sram][faults][weak_cells][write_fail]") {
  fresh_simulation_context();
  WeightSramParams params = weak_cells_at(0.5);
  params.mitigation = "zero";  // with the Razor detector: it sees failing reads only
  params.write_fail_share = 1.0;
  Bench bench("write_fail", params, 4096);
  WeakCellTraits traits;
  traits.chip_seed = params.chip_seed;
  traits.stuck_zero_share = params.stuck_zero_share;
  const double fraction = make_fault_model(params.fault_model)->weak_cell_fraction(params.vdd_v);
  const WeakCellMap chip(traits, 0, cells_weak(4096, fraction));
  REQUIRE(chip.cells() > 100);
  CHECK(bench.sram.stats().faults.write_failing_cells == chip.cells());
  // After the load, each weak cell holds its stuck value: what the array reads.
  const std::vector<uint32_t> stored = bench.contents();
  uint64_t wrong_bits = 0, wrong_words = 0;
  std::vector<uint32_t> expected = bench.golden;
  for (const WeakWord& w : chip.words()) {
    const auto cells = static_cast<uint32_t>(w.permanent);
    expected[w.word] =
        (bench.golden[w.word] & ~cells) | (static_cast<uint32_t>(w.stuck_ones) & cells);
    wrong_bits += __builtin_popcount(expected[w.word] ^ bench.golden[w.word]);
    wrong_words += expected[w.word] != bench.golden[w.word];
  }
  CHECK(stored == expected);
  CHECK(bench.sram.stats().faults.write_failed_bits == wrong_bits);
  CHECK(bench.sram.faulty_bits() == wrong_bits);
  // Every read returns the stuck values; no read fails (the cell reads what
  // it holds), so the detector flags nothing and each wrong word is silent.
  bench.read(3);
  const FaultStats& f = bench.sram.stats().faults;
  CHECK(f.faulty_word_reads == 0);
  CHECK(f.silent_word_reads == 3 * wrong_words);
  CHECK(f.silent_stored_word_reads == 3 * wrong_words);
  // A refresh at the same supply fails the same way.
  bench.write_golden();
  CHECK(bench.contents() == expected);
  CHECK(bench.sram.stats().faults.write_failed_bits == 2 * wrong_bits);

  // Writing at 0.9 V, where no cell is weak: the data is held, and the rail
  // is raised once for the load (0.5 -> 0.9 V at 5 mV/ns: 80 ns; 100 nF x 0.4 V x 0.9 V).
  params.write_vdd_v = 0.9;
  Bench high("write_high", params, 4096);
  CHECK(high.contents() == high.golden);
  CHECK(high.sram.stats().faults.write_failing_cells == 0);
  CHECK(high.sram.stats().rail_raises == 1);
  CHECK(high.sram.rail_transition_ns() == Approx(80.0));
  CHECK(high.sram.rail_raise_pj() == Approx(1e3 * 100.0 * 0.4 * 0.9));
  const uint64_t busy = high.sram.stats().busy_cycles;
  high.read(1);
  const uint64_t read_cycles = high.sram.stats().busy_cycles - busy;
  WeightSramParams read_supply = weak_cells_at(0.5);
  read_supply.mitigation = "zero";
  Bench low("write_low", read_supply, 4096);
  const uint64_t low_busy = low.sram.stats().busy_cycles;
  low.read(1);
  // The first read after the load lowers the rail: 80 ns = 40 cycles of 2 ns.
  CHECK(read_cycles == low.sram.stats().busy_cycles - low_busy + 40);
  high.read(1);
  CHECK(high.sram.stats().rail_raises == 1);
}

TEST_CASE("a share of the weak cells fails writes, ECC corrects them and a fault map masks them",
          "[weight_sram][faults][weak_cells][write_fail]") {
  fresh_simulation_context();
  WeightSramParams params = weak_cells_at(0.5);
  params.write_fail_share = 0.3;
  Bench bench("write_share", params, 4096);
  const FaultStats& f = bench.sram.stats().faults;
  check_binomial(static_cast<double>(f.write_failing_cells), static_cast<double>(f.weak_cells),
                 0.3);
  // SEC-DED decodes the stored error on every read: corrected, never silent
  // where a word holds one failing cell.
  params.write_fail_share = 1.0;
  params.mitigation = "secded";
  params.vdd_v = 0.55;
  Bench ecc("write_ecc", params, 4096);
  REQUIRE(ecc.sram.stats().faults.write_failed_bits > 20);
  ecc.read(1);
  const FaultStats& e = ecc.sram.stats().faults;
  CHECK(e.ecc_corrected > 0);
  CHECK(e.silent_word_reads <= e.ecc_uncorrectable);  // only miscorrected triples could be silent
  // A self-test finds every cell failing writes: zero masks them on every read.
  params.mitigation = "zero";
  params.detector = FailureDetector::kBistMap;
  Bench mapped("write_map", params, 4096);
  REQUIRE(self_test(mapped).ok());
  CHECK(mapped.sram.stats().mapped_cells >= mapped.sram.stats().faults.write_failing_cells);
  mapped.read(1);
  CHECK(mapped.sram.stats().faults.silent_word_reads == 0);
}

TEST_CASE("a run of upset words reads as word-by-word reads do", "[weight_sram][faults]") {
  // read_upsets_run (p = 1: every word fails) against read_upsets word by
  // word: the same stored words, counts, changes in order and faulty-bit
  // series, over reads that zero, copy or flip bits and write them back, for
  // every mitigation (those with check bits take the general read); and with
  // the words no single failing bit can change only counted (the bits that
  // may fail are bits 0-3, so that `zero`, `sign` and the others reach such
  // words within the reads).
  std::vector<uint32_t> data(3000);
  std::mt19937 rng(11);
  for (uint32_t& word : data) word = static_cast<uint32_t>(rng());
  const uint32_t may_fail = 0xF;
  for (const std::string& name : mitigation_names()) {
    const auto mitigation = make_mitigation(name);
    uint64_t counted_unchanged = 0;
    const auto run = [&](int how) {  // 0: word by word; 1: runs; 2: runs, unchanged words counted
      SramContents contents("runs", data.size() * 4, *mitigation, false);
      contents.write(0, reinterpret_cast<const unsigned char*>(data.data()), data.size() * 4, 0);
      FaultStats stats;
      std::vector<WordChange> changes;
      std::vector<uint64_t> rewritten;
      std::mt19937 draws(3);
      for (uint32_t read = 0; read < 24; ++read) {
        contents.reach_batch(read);
        std::vector<uint32_t> masks(data.size());
        for (uint32_t& mask : masks) mask = 1u << (draws() % 4);
        stats.silent_word_reads += contents.stale_words(0, data.size());  // as read_once counts
        stats.silent_stored_word_reads += contents.stale_words(0, data.size());
        if (how == 0) {
          for (size_t word = 0; word < data.size(); ++word) {
            const uint64_t before = contents.stored(word);
            if (contents.read_upsets(word, masks[word], read, read, 32, &changes, stats) != before)
              rewritten.push_back(word);
          }
          continue;
        }
        for (size_t first = 0; first < data.size(); first += 1000) {
          uint64_t unchanged[16];
          const bool known =
              how == 2 && contents.unchanged_words(first, 1000, may_fail, 32, unchanged);
          for (size_t g = 0; known && g < 16; ++g)
            counted_unchanged += static_cast<uint64_t>(
                __builtin_popcountll(g < 15 ? unchanged[g] : unchanged[g] & 0xFFFFFFFFFFull));
          contents.read_upsets_run(first, 1000, masks.data() + first, known ? unchanged : nullptr,
                                   read, read, 32, &changes, stats, &rewritten);
        }
      }
      std::vector<uint64_t> stored(data.size());
      for (size_t word = 0; word < data.size(); ++word) stored[word] = contents.stored(word);
      return std::tuple{stats,
                        changes,
                        rewritten,
                        stored,
                        contents.faulty_bits_after_batch(),
                        contents.stale_words()};
    };
    const auto [s2, c2, r2, m2, f2, t2] = run(0);
    for (int how : {1, 2}) {
      const auto [s1, c1, r1, m1, f1, t1] = run(how);
      INFO(name << (how == 2 ? ", unchanged words counted" : ""));
      CHECK(s1.bit_faults == s2.bit_faults);
      CHECK(s1.faulty_word_reads == s2.faulty_word_reads);
      CHECK(s1.ecc_corrected == s2.ecc_corrected);
      CHECK(s1.ecc_uncorrectable == s2.ecc_uncorrectable);
      CHECK(s1.masked_word_reads == s2.masked_word_reads);
      CHECK(s1.silent_word_reads == s2.silent_word_reads);
      CHECK(s1.silent_stored_word_reads == s2.silent_stored_word_reads);
      CHECK(s1.words_written_back == s2.words_written_back);
      CHECK(s1.words_changed == s2.words_changed);
      if (name != "secded") CHECK(s1.words_changed > 0);  // SEC-DED corrects every single bit
      CHECK(r1 == r2);
      CHECK(m1 == m2);
      CHECK(f1 == f2);
      CHECK(t1 == t2);
      REQUIRE(c1.size() == c2.size());
      bool same = true;
      for (size_t i = 0; i < c1.size(); ++i)
        same = same && c1[i].word == c2[i].word && c1[i].value == c2[i].value &&
               c1[i].old == c2[i].old && c1[i].batch == c2[i].batch;
      CHECK(same);
    }
    // zero, sign, word-zero and weight-zero tell their unchanged words, and
    // most words become such within 24 reads.
    if (name == "zero" || name == "sign" || name == "word-zero" || name == "weight-zero")
      CHECK(counted_unchanged > 24 * 3000 / 4);
    else
      CHECK(counted_unchanged == 0);
  }
}
