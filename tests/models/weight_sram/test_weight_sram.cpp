// The weight SRAM as a TLM target: burst timing (latency plus words over
// banks, wait cycles at low voltage, the detector's and decoder's latency),
// malformed payloads refused, SEC-DED keeping single faults from the data and
// what interleaving does to it against failing columns, and the power-up
// self-test's time.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <set>
#include <utility>

#include "models/accelerator.h"
#include "models/weight_sram/weight_sram.h"
#include "tests/support/tlm_harness.h"
#include "tests/support/weight_sram_bench.h"

using namespace lvsim;
using namespace lvsim::test;
using Catch::Matchers::Contains;

TEST_CASE("weight SRAM bursts: latency plus words over banks, wait cycles at low voltage",
          "[weight_sram]") {
  WeightSramParams params;
  params.capacity_bytes = 1024;
  params.banks = 4;
  SECTION("nominal voltage: one cycle per access") {
    fresh_simulation_context();
    WeightSram sram("sram", params);
    CHECK(sram.access_cycles() == 1);
    CHECK(sram.burst_cycles(10) == 1 + 3);
    CHECK(sram.burst_cycles(4) == 1 + 1);
    CHECK(sram.burst_cycles(0) == 1);
  }
  SECTION("two ports per bank double the words per access") {
    params.ports = 2;
    fresh_simulation_context();
    WeightSram sram("sram", params);
    CHECK(sram.burst_cycles(10) == 1 + 2);
  }
  SECTION("a slower array costs wait cycles on every access") {
    // t(0.6 V) = 1.8 ns * (0.6/0.9) * (0.6/0.3)^1.3 = 2.955 ns: two 2 ns cycles.
    params.vdd_v = 0.6;
    fresh_simulation_context();
    WeightSram sram("sram", params);
    CHECK(sram.access_time_ns() == Approx(1.8 * (0.6 / 0.9) * std::pow(2.0, 1.3)));
    CHECK(sram.access_cycles() == 2);
    CHECK(sram.burst_cycles(10) == 2 + 2 * 3);
  }
  SECTION("the detector and the SEC-DED decoder add their latency") {
    params.mitigation = "zero";
    params.detector_cycles = 1;
    fresh_simulation_context();
    WeightSram zero("zero", params);
    CHECK(zero.burst_cycles(10) == 1 + 1 + 3);
    for (const char* masking : {"word-zero", "weight-zero"}) {
      params.mitigation = masking;
      WeightSram masked(masking, params);
      CHECK(masked.burst_cycles(10) == 1 + 1 + 3);
    }
    params.mitigation = "secded";
    params.ecc_cycles = 2;
    WeightSram secded("secded", params);
    CHECK(secded.burst_cycles(10) == 1 + 2 + 3);
    params.mitigation = "flip";
    WeightSram flip("flip", params);
    CHECK(flip.burst_cycles(10) == 1 + 3);
  }
  SECTION("no read at or below the threshold voltage") {
    params.vdd_v = 0.3;
    fresh_simulation_context();
    CHECK_THROWS_WITH(WeightSram("sram", params),
                      Contains("weight SRAM supply 0.3 V") && Contains("threshold"));
  }
}

TEST_CASE("the weight SRAM refuses malformed payloads with error responses", "[tlm]") {
  fresh_simulation_context();
  WeightSram sram("sram", small_sram(256));
  TlmHarness host("host", 2);
  host.port(0).bind(sram.dma_socket);
  host.port(1).bind(sram.array_socket);
  const auto none = [](Burst&) {};
  unsigned char enables[4] = {0xff, 0, 0xff, 0};

  SECTION("DMA bursts: misaligned, byte enables, streaming, beyond the end") {
    check_refused(host, 0, tlm::TLM_WRITE_COMMAND, 2, 8, tlm::TLM_ADDRESS_ERROR_RESPONSE, none);
    check_refused(host, 0, tlm::TLM_WRITE_COMMAND, 0, 6, tlm::TLM_ADDRESS_ERROR_RESPONSE, none);
    check_refused(host, 0, tlm::TLM_WRITE_COMMAND, 0, 8, tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE,
                  [&](Burst& b) {
                    b.payload().set_byte_enable_ptr(enables);
                    b.payload().set_byte_enable_length(4);
                  });
    check_refused(host, 0, tlm::TLM_WRITE_COMMAND, 0, 8, tlm::TLM_BURST_ERROR_RESPONSE,
                  [](Burst& b) { b.payload().set_streaming_width(4); });
    check_refused(host, 0, tlm::TLM_READ_COMMAND, 252, 8, tlm::TLM_ADDRESS_ERROR_RESPONSE, none);
    check_refused(host, 0, tlm::TLM_READ_COMMAND, ~uint64_t{0} - 3, 8,
                  tlm::TLM_ADDRESS_ERROR_RESPONSE, none);
  }
  SECTION("read reports: no extension, a foreign one, bad fields, bad ranges") {
    check_refused(host, 1, tlm::TLM_IGNORE_COMMAND, 0, 64, tlm::TLM_GENERIC_ERROR_RESPONSE, none);
    ActivationTrafficExtension foreign;
    check_refused(host, 1, tlm::TLM_IGNORE_COMMAND, 0, 64, tlm::TLM_GENERIC_ERROR_RESPONSE,
                  [&](Burst& b) { b.carrying(foreign); });
    for (const auto& [reads_per_batch, field_bits] :
         {std::pair{0u, 32}, std::pair{1u, 0}, std::pair{1u, 33}, std::pair{1u, -4}}) {
      WeightReadReport report;
      report.reads_per_batch = reads_per_batch;
      report.field_bits = field_bits;
      check_refused(host, 1, tlm::TLM_IGNORE_COMMAND, 0, 64, tlm::TLM_GENERIC_ERROR_RESPONSE,
                    [&](Burst& b) { b.carrying(report); });
    }
    WeightReadReport report;
    for (const auto& [address, bytes] :
         {std::pair{uint64_t{2}, uint64_t{8}}, std::pair{uint64_t{0}, uint64_t{6}},
          std::pair{uint64_t{252}, uint64_t{8}}, std::pair{~uint64_t{0} - 3, uint64_t{8}}})
      check_refused(host, 1, tlm::TLM_IGNORE_COMMAND, address, bytes,
                    tlm::TLM_ADDRESS_ERROR_RESPONSE, [&](Burst& b) { b.carrying(report); });
  }
  CHECK(untouched(sram.stats()));
  CHECK(sram.stats().read_bursts == 0);
  CHECK(sram.stats().faults.faulty_word_reads == 0);

  // A well-formed report after all of that is served, one burst per read.
  WeightReadReport report;
  report.batches = 3;
  const Response served = host.report(1, 0, 64, report);
  CHECK(served.ok());
  CHECK(sram.stats().read_bursts == 3);
  CHECK(sram.stats().words_read == 3 * 16);
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

TEST_CASE("SEC-DED against failing column pairs: detected at interleave 1, corrected at 4",
          "[weight_sram][faults][columns]") {
  // Failing columns only, in pairs of adjacent columns, subarrays of 16 rows:
  // a few pairs per chip (p ~ 8e-4), and on chip 3 no two in one subarray.
  auto run = [](int interleave) {
    WeightSramParams params = weak_cells_at(0.56);
    params.chip_seed = 3;
    params.mitigation = "secded";
    params.column_fault_share = 1.0;
    params.column_width = 2;
    params.layout.interleave = interleave;
    params.layout.subarray_rows = 16;
    fresh_simulation_context();
    Bench bench("columns", params, 4096);
    bench.read(1);
    INFO("interleave " << interleave);
    CHECK(bench.sram.stats().faults.column_fault_cells == bench.sram.stats().faults.weak_cells);
    return bench.sram.stats().faults;
  };
  const FaultStats side_by_side = run(1), interleaved = run(4);
  // Side by side, a pair fails two adjacent bits of each word it crosses:
  // SEC-DED detects the words whose two cells both read wrong and zeroes them.
  CHECK(side_by_side.ecc_uncorrectable > 20);
  CHECK(side_by_side.ecc_corrected > 20);
  // Four words per row: a pair fails one bit in each of two words, corrected.
  CHECK(interleaved.ecc_uncorrectable == 0);
  CHECK(interleaved.ecc_corrected > 20);
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

TEST_CASE("an aged chip keeps its weak cells and gains new ones, which a manufacturing map misses",
          "[weight_sram][chip]") {
  // Minerva's p(V) at 0.55 V, 10 years of aging at full duty and 85 C.
  WeightSramParams young = weak_cells_at(0.55);
  young.chip.temperature_c = 85.0;
  WeightSramParams old = young;
  old.chip.age_years = 10.0;
  const auto faulty_words = [](WeightSramParams params, const char* name) {
    fresh_simulation_context();
    Bench bench(name, params, 1 << 14);
    std::set<uint32_t> words;
    for (const WordChange& change : bench.read(1)) words.insert(change.word);
    return std::pair{bench.sram.stats().faults.weak_cells, words};
  };
  const auto [young_cells, young_words] = faulty_words(young, "age0");
  const auto [old_cells, old_words] = faulty_words(old, "age10");
  CHECK(old_cells > young_cells);
  CHECK(std::includes(old_words.begin(), old_words.end(), young_words.begin(), young_words.end()));
  CHECK(old_words.size() > young_words.size());
  // The fault map: at power-up it maps every (permanent) weak cell of the aged
  // chip; taken at the manufacturing test it knows only those weak back then.
  old.mitigation = "zero";
  old.detector = FailureDetector::kBistMap;
  for (const bool manufacturing : {false, true}) {
    fresh_simulation_context();
    old.bist_at_manufacturing = manufacturing;
    Bench bench(manufacturing ? "map_factory" : "map_power_up", old, 1 << 14);
    REQUIRE(self_test(bench).ok());
    const uint64_t mapped = bench.sram.stats().mapped_cells;
    CHECK(bench.sram.stats().faults.weak_cells == old_cells);
    if (manufacturing)
      CHECK(mapped == young_cells);
    else
      CHECK(mapped == old_cells);
  }
  // A periodic test two years back maps the cells of the 8-year-old chip:
  // more than at manufacturing, fewer than now.
  fresh_simulation_context();
  old.bist_at_manufacturing = false;
  old.bist_interval_years = 2.0;
  Bench periodic("map_periodic", old, 1 << 14);
  REQUIRE(self_test(periodic).ok());
  CHECK(periodic.sram.stats().mapped_cells > young_cells);
  CHECK(periodic.sram.stats().mapped_cells < old_cells);
}

TEST_CASE("a read slower than the simulator counts is refused, not wrapped to a fast one",
          "[weight_sram]") {
  fresh_simulation_context();
  // 1e6 ns at nominal, stretched by the alpha-power law just above the
  // threshold, at a 0.1 ns clock: about 1.4e10 cycles, which an int wraps.
  WeightSramParams params = constant(0.0, FaultUnit::kPerWord, "flip");
  params.circuit.access_time_ns = 1e6;
  params.clock_period = sc_core::sc_time(0.1, sc_core::SC_NS);
  params.vdd_v = 0.301;
  CHECK_THROWS_WITH(
      Bench("slow_read", params, 64),
      Contains("weight SRAM supply 0.301 V") && Contains("a read takes at most 1048576 cycles"));
  // 1e6 cycles are still counted exactly.
  fresh_simulation_context();
  params.vdd_v = 0.9;
  params.clock_period = sc_core::sc_time(1.0, sc_core::SC_NS);
  Bench bench("slow_but_counted", params, 64);
  CHECK(bench.sram.access_cycles() == 1000000);
}
