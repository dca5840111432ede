// The weight SRAM's test bench: a small SRAM of random fp32-like words with a
// host bound to its two ports, the fault settings the tests use, and the
// binomial check their statistical cases share (fixed seeds, a 99.9 % interval).
#pragma once

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "models/weight_sram/fault_models/fault_presets.h"
#include "models/weight_sram/weight_sram.h"
#include "tests/support/tlm_harness.h"

namespace lvsim::test {

// A small SRAM holding `words` random fp32-like words, with a host bound to
// both ports (port 0: DMA, port 1: the array's).
struct Bench {
  WeightSram sram;
  TlmHarness host;
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

  // Reads every word `batches` times, the words packing weights of `field_bits` bits.
  std::vector<WordChange> read(uint32_t batches, int field_bits = 32) {
    std::vector<WordChange> changes;
    WeightReadReport report;
    report.batches = batches;
    report.field_bits = field_bits;
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
inline WeightSramParams constant(double p, FaultUnit unit, const std::string& mitigation) {
  WeightSramParams params;
  params.mechanisms = {true, false};
  params.protect_sign = false;
  params.fault_model.name = "constant";
  params.fault_model.p = p;
  params.fault_unit = unit;
  params.mitigation = mitigation;
  return params;
}

// Permanent weak cells of the minerva-40nm model (p(0.5 V) ~ 1e-2).
inline WeightSramParams weak_cells_at(double vdd_v) {
  WeightSramParams params;
  apply_model_preset(params.fault_model, fault_preset("minerva-40nm"));
  params.vdd_v = vdd_v;
  params.mechanisms = {false, true};
  params.intermittent_share = 0.0;
  params.mitigation = "flip";
  return params;
}

// One voltage domain of `words` words whose cells are weak with `fraction`.
inline std::vector<VoltageDomain> cells_weak(uint64_t words, double fraction) {
  VoltageDomain domain;
  domain.end_word = words;
  domain.weak_fraction = fraction;
  return {domain};
}

// Asks the SRAM to test itself, as the controller does at power-up.
inline Response self_test(Bench& bench) {
  SelfTestRequest request;
  return bench.host.report(0, 0, 0, request);
}

// |observed - n p| within the two-sided 99.9 % normal interval of Binomial(n, p).
inline void check_binomial(double observed, double n, double p) {
  const double mean = n * p, sd = std::sqrt(n * p * (1 - p));
  INFO("observed " << observed << ", expected " << mean << " +- " << 3.29 * sd);
  CHECK(std::fabs(observed - mean) <= 3.29 * sd);
}

}  // namespace lvsim::test
