// Words wider than 32 bits (weight_sram.word_bits 64, 128): the (72,64) and
// (137,128) SEC-DED codes on chosen patterns, one decision per word over its
// 32-bit lanes in the SRAM (corrected singles, zeroed doubles, word-zero and
// parity over the whole word), what a read costs (72/64 of the data bits per
// word read), and the layout's interleaving against failing columns.
#include <catch2/catch.hpp>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "models/accelerator.h"
#include "models/weight_sram/mechanisms/fault_injector.h"
#include "models/weight_sram/mechanisms/weak_cell_map.h"
#include "models/weight_sram/mitigation/mitigation.h"
#include "models/weight_sram/mitigation/secded.h"
#include "models/weight_sram/sram_circuit.h"
#include "models/weight_sram/sram_contents.h"
#include "models/weight_sram/weight_sram.h"
#include "tests/support/weight_sram_bench.h"

using namespace lvsim;
using namespace lvsim::test;

namespace {

// Words of `lanes` lanes: hand-picked patterns and random ones.
std::vector<std::vector<uint32_t>> patterns(int lanes) {
  std::vector<std::vector<uint32_t>> words = {
      std::vector<uint32_t>(static_cast<size_t>(lanes), 0u),
      std::vector<uint32_t>(static_cast<size_t>(lanes), 0xffffffffu),
      std::vector<uint32_t>(static_cast<size_t>(lanes), 0x3f800000u)};  // 1.0f in every lane
  std::mt19937 rng(72);
  for (int i = 0; i < 12; ++i) {
    std::vector<uint32_t> word;
    for (int l = 0; l < lanes; ++l) word.push_back(static_cast<uint32_t>(rng()));
    words.push_back(word);
  }
  return words;
}

// Flips bit `bit` of a word's codeword (data bits, then check bits) in the
// masks a read hands the mitigation.
void fail(int bit, int lanes, std::vector<uint32_t>& data_masks, uint16_t& check_mask) {
  if (bit < 32 * lanes)
    data_masks[static_cast<size_t>(bit / 32)] ^= 1u << (bit % 32);
  else
    check_mask = static_cast<uint16_t>(check_mask ^ (1u << (bit - 32 * lanes)));
}

}  // namespace

TEST_CASE("the wide SEC-DED codes: (39,32) as before, (72,64) and (137,128)",
          "[mitigation][secded][word_bits]") {
  const auto secded = make_mitigation("secded");
  CHECK(secded->word_check_bits(1) == 7);
  CHECK(secded->word_check_bits(2) == 8);
  CHECK(secded->word_check_bits(4) == 9);
  // At one lane the wide construction is the 32-bit code, bit for bit.
  std::mt19937 rng(39);
  for (int i = 0; i < 200; ++i) {
    uint32_t word = static_cast<uint32_t>(rng());
    CHECK(secded::WideCode::of(1).encode(&word) == secded::encode(word));
  }
  for (int lanes : {2, 4}) {
    const int n = 32 * lanes + secded->word_check_bits(lanes);
    for (const std::vector<uint32_t>& word : patterns(lanes)) {
      const uint16_t check = secded->encode_word(word.data(), lanes);
      for (int a = 0; a < n; ++a) {
        INFO(lanes << " lanes, bit " << a);
        // Every single error is corrected: the word and its code come back.
        std::vector<uint32_t> data = word, masks(static_cast<size_t>(lanes), 0u);
        uint16_t read_check = check, check_mask = 0;
        fail(a, lanes, masks, check_mask);
        const WordOutcome single =
            secded->on_faulty_word(data.data(), read_check, masks.data(), check_mask, lanes, 32);
        CHECK(single.corrected);
        CHECK_FALSE(single.uncorrectable);
        CHECK(data == word);
        CHECK(read_check == check);
        // Every double error is detected and the whole word zeroed.
        for (int b = a + 1; b < n; b += (lanes == 4 ? 7 : 1)) {
          std::vector<uint32_t> twice = word, both(static_cast<size_t>(lanes), 0u);
          uint16_t twice_check = check, both_check = 0;
          fail(a, lanes, both, both_check);
          fail(b, lanes, both, both_check);
          const WordOutcome dbl =
              secded->on_faulty_word(twice.data(), twice_check, both.data(), both_check, lanes, 32);
          CHECK(dbl.uncorrectable);
          CHECK(twice == std::vector<uint32_t>(static_cast<size_t>(lanes), 0u));
        }
      }
    }
  }
}

TEST_CASE("a (72,64) word in the SRAM: one decision over both lanes, counted once",
          "[weight_sram][secded][word_bits]") {
  const auto secded = make_mitigation("secded");
  SramContents contents("wide", 64, *secded, false, false, 2);
  REQUIRE(contents.geometry().check_bits == 8);
  REQUIRE(contents.geometry().check_count(0) == 4);
  REQUIRE(contents.geometry().check_count(1) == 4);
  const uint32_t golden[16] = {0x3f800000u, 0xbf800000u, 0x12345678u, 0x9abcdef0u};
  REQUIRE(contents.write(0, reinterpret_cast<const unsigned char*>(golden), 64, 0));
  contents.reach_batch(0);
  FaultStats stats;
  std::vector<WordChange> changes;
  const auto read = [&](uint64_t lane0, uint64_t lane1) {
    WordFaults faults[2];
    faults[0].upsets = lane0;
    faults[1].upsets = lane1;
    return contents.read_word(2, faults, 0, 0, 32, &changes, stats);
  };
  SECTION("a single failing bit, in either lane or a check bit, is corrected") {
    read(0, uint64_t{1} << 7);
    read(uint64_t{1} << 33, 0);  // lane 0's second check bit: the code's check bit 1
    CHECK(stats.faulty_word_reads == 2);
    CHECK(stats.ecc_corrected == 2);
    CHECK(stats.silent_word_reads == 0);
    CHECK(static_cast<uint32_t>(contents.stored(2)) == golden[2]);
    CHECK(static_cast<uint32_t>(contents.stored(3)) == golden[3]);
    CHECK(changes.empty());
    CHECK(contents.faulty_bits() == 0);
  }
  SECTION("two failing bits, one in each lane, zero the whole word") {
    read(uint64_t{1} << 4, uint64_t{1} << 30);
    CHECK(stats.faulty_word_reads == 1);
    CHECK(stats.ecc_uncorrectable == 1);
    CHECK(stats.bit_faults == 2);
    CHECK(static_cast<uint32_t>(contents.stored(2)) == 0u);
    CHECK(static_cast<uint32_t>(contents.stored(3)) == 0u);
    CHECK(changes.size() == 2);  // both lanes read as 0 now
    CHECK(stats.words_written_back == 1);
    // The zeroed word stays wrong in store: the next read of it is silent.
    CHECK(contents.stale_lane_words(0, 4) == 1);
    // The lanes of the other word are untouched.
    CHECK(static_cast<uint32_t>(contents.stored(0)) == golden[0]);
  }
}

TEST_CASE("word-zero and parity decide over the whole wide word, zero bit by bit",
          "[weight_sram][mitigation][word_bits]") {
  const uint32_t golden[8] = {0x3f800000u, 0xbf800000u, 0x12345678u, 0x9abcdef0u,
                              0x0f0f0f0fu, 0xf0f0f0f0u, 0x01010101u, 0x80808080u};
  WordFaults faults[4];
  faults[1].upsets = uint64_t{1} << 4;  // one bit of lane 1 of the 128-bit word
  for (const char* name : {"word-zero", "parity", "zero"}) {
    const auto mitigation = make_mitigation(name);
    SramContents contents(name, 32, *mitigation, false, false, 4);
    REQUIRE(contents.write(0, reinterpret_cast<const unsigned char*>(golden), 32, 0));
    contents.reach_batch(0);
    FaultStats stats;
    contents.read_word(4, faults, 0, 0, 32, nullptr, stats);
    INFO(name);
    CHECK(stats.faulty_word_reads == 1);
    const bool whole = std::string(name) != "zero";
    for (uint64_t lane = 4; lane < 8; ++lane) {
      const uint32_t expected = whole ? 0u : lane == 5 ? golden[5] & ~(1u << 4) : golden[lane];
      CHECK(static_cast<uint32_t>(contents.stored(lane)) == expected);
    }
    for (uint64_t lane = 0; lane < 4; ++lane)
      CHECK(static_cast<uint32_t>(contents.stored(lane)) == golden[lane]);
  }
  CHECK(make_mitigation("parity")->word_check_bits(4) == 1);
}

TEST_CASE("(72,64) SEC-DED at nominal voltage charges 72/64 of the data bits per word read",
          "[weight_sram][word_bits][energy]") {
  WeightSramParams params;
  params.capacity_bytes = 1024;
  params.banks = 4;
  const double per_64_bits = sram_read_energy_64bit_pj(1024.0 / 4);
  for (const auto& [word_bits, mitigation, stored] :
       {std::tuple{32, "secded", 39}, std::tuple{64, "secded", 72}, std::tuple{128, "secded", 137},
        std::tuple{64, "flip", 64}, std::tuple{64, "parity", 65}}) {
    params.word_bits = word_bits;
    params.mitigation = mitigation;
    fresh_simulation_context();
    Bench bench("wide", params, 256);
    INFO(word_bits << "-bit words, " << mitigation);
    CHECK(bench.sram.stored_bits_per_word() == stored);
    // Per data bit: the stored bits over the data bits, of a 64-bit read's energy.
    CHECK(bench.sram.access_energy_pj() / word_bits ==
          Approx(per_64_bits / 64 * stored / word_bits));
    // One access per word: 256 lanes are 256 * 32 / word_bits words, on 4 banks.
    bench.read(1);
    CHECK(bench.sram.stats().words_read == 256u * 32 / static_cast<unsigned>(word_bits));
    CHECK(bench.sram.burst_cycles(256u * 32 / static_cast<unsigned>(word_bits)) ==
          (mitigation == std::string("flip") ? 1u : 2u) + 256u * 32 / word_bits / 4);
  }
}

TEST_CASE("a wide SEC-DED SRAM keeps single upsets per word from the data",
          "[weight_sram][faults][word_bits]") {
  for (int word_bits : {64, 128}) {
    WeightSramParams params = constant(1e-2, FaultUnit::kPerWord, "secded");
    params.word_bits = word_bits;
    fresh_simulation_context();
    Bench bench("ecc_wide", params, 2048);
    const std::vector<WordChange> changes = bench.read(20);
    INFO(word_bits);
    CHECK(changes.empty());
    CHECK(bench.contents() == bench.golden);
    const FaultStats& faults = bench.sram.stats().faults;
    CHECK(faults.ecc_corrected == faults.faulty_word_reads);
    // One upset per word read with p = 1e-2: 20 reads of 2048 * 32 / word_bits words.
    check_binomial(static_cast<double>(faults.faulty_word_reads), 20.0 * 2048 * 32 / word_bits,
                   1e-2);
  }
}

TEST_CASE("weak cells of a wide word: the same data cells, the code's check cells, one decision",
          "[weight_sram][faults][word_bits]") {
  // Minerva's p(0.5 V) ~ 1e-2: words with two failing cells are common.
  WeightSramParams params = weak_cells_at(0.5);
  params.mitigation = "secded";
  const auto run = [&](int word_bits) {
    params.word_bits = word_bits;
    fresh_simulation_context();
    Bench bench("weak_wide", params, 4096);
    bench.read(3);
    const FaultStats& f = bench.sram.stats().faults;
    INFO(word_bits);
    // Every faulty word read ends one way (the partition of fault_stats.h).
    CHECK(f.faulty_word_reads == f.ecc_corrected + f.ecc_uncorrectable + f.masked_word_reads +
                                     f.silent_word_reads - f.silent_stored_word_reads);
    return f;
  };
  const FaultStats narrow = run(32), wide = run(64);
  // The data cells are the chip's whatever the width; the check cells are 7
  // per 32 data bits against 8 per 64.
  CHECK(wide.weak_cells < narrow.weak_cells);
  CHECK(narrow.weak_cells - wide.weak_cells > 4096 / 2 * 6 * 1e-2 / 3);
  // A 72-bit word holds two failing cells more often than a 39-bit one.
  CHECK(wide.ecc_uncorrectable > narrow.ecc_uncorrectable);
}

TEST_CASE(
    "64-bit words interleaved by 4: one failing column puts at most one failing bit in a word",
    "[weight_sram][faults][columns][word_bits]") {
  const WordGeometry geometry{2, 8};
  int single = 0;
  for (uint64_t chip = 1; chip <= 60; ++chip) {
    WeakCellTraits traits;
    traits.chip_seed = chip;
    traits.column_fault_share = 1.0;
    traits.column_width = 2;
    traits.layout.interleave = 4;
    traits.layout.subarray_rows = 16;
    const WeakCellMap map(traits, geometry, cells_weak(128, 0.01));
    if (map.cells() == 0) continue;
    // Failing bits per 64-bit word (its two lanes), and the columns they lie in.
    std::vector<int> per_word(64, 0);
    std::set<int> columns;
    for (const WeakWord& w : map.words()) {
      per_word[w.word / 2] += __builtin_popcountll(w.permanent | w.intermittent);
      for (int bit = 0; bit < 64; ++bit)
        if ((w.permanent >> bit) & 1) {
          const int code_bit =
              bit < 32 ? static_cast<int>(w.word % 2) * 32 + bit
                       : 64 + geometry.check_first(static_cast<int>(w.word % 2)) + bit - 32;
          columns.insert(traits.layout.column(w.word / 2, code_bit));
        }
    }
    if (columns.size() > 2 || *columns.rbegin() - *columns.begin() > 1) continue;  // one cluster
    ++single;
    INFO("chip " << chip);
    CHECK(map.cells() == columns.size() * 16);  // every row of the subarray
    for (int bits : per_word) CHECK(bits <= 1);
  }
  CHECK(single >= 5);
}

TEST_CASE("a word width other than 32, 64 or 128 is refused by name", "[weight_sram][word_bits]") {
  WeightSramParams params;
  params.word_bits = 48;
  CHECK_THROWS_WITH(params.validate(), Catch::Matchers::Contains("word width 48 bits") &&
                                           Catch::Matchers::Contains("32, 64 or 128"));
}

TEST_CASE("the clean-word cache counts what reading every weak word counts, at every width",
          "[weight_sram][weak_cells][word_bits]") {
  // Permanent and intermittent weak cells at 1 %, with and without read
  // disturb changing the stored bits as the reads go: eight reads of 4,096
  // lanes, counted with the cache (and, one lane per word without disturb,
  // its known reads and one-pass walk) and by reading every weak word in
  // full on every read; the array must see the same changes in the same order.
  WeakCellTraits traits;
  traits.chip_seed = 5;
  traits.intermittent_share = 0.5;
  traits.intermittent_q = 0.5;
  std::vector<uint32_t> data(4096);
  std::mt19937 rng(7);
  for (uint32_t& word : data) word = static_cast<uint32_t>(rng());
  for (bool disturb : {true, false})
    for (int lanes : {1, 2, 4})
      for (const char* name : {"secded", "word-zero", "zero", "parity", "flip", "sign"}) {
        const auto mitigation = make_mitigation(name);
        const WordGeometry geometry{lanes, mitigation->word_check_bits(lanes)};
        const auto run = [&](bool every) {
          FaultDraws draws;
          draws.read_every_weak_word = every;
          FaultInjector injector(draws, traits, geometry, cells_weak(4096, 0.01));
          SramContents contents("cache", 4096 * 4, *mitigation, disturb, false, lanes);
          for (const WeakWord& w : injector.weak_words()) contents.mark_weak(w.word);
          contents.write(0, reinterpret_cast<const unsigned char*>(data.data()), 4096 * 4, 0);
          FaultStats stats;
          std::vector<WordChange> changes;
          WeightReadReport report;
          report.changes = &changes;
          for (int read = 0; read < 8; ++read)
            injector.read(0, 4096, 0.0, false, report, contents, stats);
          return std::tuple{stats, contents.faulty_bits_after_batch(), changes};
        };
        const auto [cached, cached_bits, cached_changes] = run(false);
        const auto [every, every_bits, every_changes] = run(true);
        INFO(lanes << " lanes, " << name << (disturb ? ", read disturb" : ""));
        CHECK(cached.faulty_word_reads > 100);
        CHECK(cached.bit_faults == every.bit_faults);
        CHECK(cached.faulty_word_reads == every.faulty_word_reads);
        CHECK(cached.ecc_corrected == every.ecc_corrected);
        CHECK(cached.ecc_uncorrectable == every.ecc_uncorrectable);
        CHECK(cached.masked_word_reads == every.masked_word_reads);
        CHECK(cached.silent_word_reads == every.silent_word_reads);
        CHECK(cached.silent_stored_word_reads == every.silent_stored_word_reads);
        CHECK(cached.words_written_back == every.words_written_back);
        CHECK(cached.words_changed == every.words_changed);
        CHECK(cached_bits == every_bits);
        REQUIRE(cached_changes.size() == every_changes.size());
        CHECK(cached.words_changed > 0);
        bool same = true;
        for (size_t i = 0; i < cached_changes.size(); ++i)
          same = same && cached_changes[i].word == every_changes[i].word &&
                 cached_changes[i].value == every_changes[i].value &&
                 cached_changes[i].old == every_changes[i].old &&
                 cached_changes[i].batch == every_changes[i].batch;
        CHECK(same);
      }
}
