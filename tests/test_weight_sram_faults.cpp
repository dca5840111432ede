// The low-voltage weight SRAM: fault rates against the model (binomial 99.9 %
// intervals), persistence and accumulation, refresh, weak cells, determinism.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <random>

#include "models/accelerator.h"
#include "models/weight_sram.h"
#include "tests/tlm_harness.h"

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

  std::vector<WordChange> read(uint32_t passes) {
    std::vector<WordChange> changes;
    WeightReadReport report;
    report.passes = passes;
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

WeightSramParams constant(double p, FaultUnit unit, const std::string& mitigation) {
  WeightSramParams params;
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
  // Each pass's changes are in word order, passes in order.
  for (size_t i = 1; i < changes.size(); ++i)
    CHECK((changes[i - 1].pass < changes[i].pass ||
           (changes[i - 1].pass == changes[i].pass && changes[i - 1].word < changes[i].word)));
}

TEST_CASE("faults persist and accumulate, and a refresh restores the golden weights exactly",
          "[weight_sram][faults]") {
  fresh_simulation_context();
  Bench bench("persist", constant(2e-3, FaultUnit::kPerBit, "zero"), 2048);
  bench.read(10);
  bench.read(10);
  const std::vector<uint64_t> series = bench.sram.faulty_bits_after_pass();
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

TEST_CASE("the weak-cell fraction follows the model, and weak cells fail on every read",
          "[weight_sram][faults]") {
  fresh_simulation_context();
  WeightSramParams params;  // default gaussian-vmin model
  params.vdd_v = 0.55;
  params.transient_upsets = false;
  params.weak_cells = true;
  Bench bench("weak", params, 16384);
  const double q = make_fault_model(params.fault_model)->probability(0.55);
  const uint64_t cells = bench.sram.stats().faults.weak_cells;
  check_binomial(static_cast<double>(cells), 16384.0 * 32, q);
  bench.read(3);
  CHECK(bench.sram.stats().faults.bit_faults == 3 * cells);
  // The same chip seed gives the same map, another chip another one.
  params.chip_seed = 2;
  Bench other("weak2", params, 16384);
  CHECK(other.sram.stats().faults.weak_cells != cells);
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
