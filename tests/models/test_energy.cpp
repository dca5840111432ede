// The energy model (models/energy.h): Horowitz's arithmetic energies, and the
// joint report of real runs, every total recomputed here from the event counts
// and the cited constants.
#include <catch2/catch.hpp>
#include <cmath>

#include "models/accelerator.h"
#include "models/energy.h"
#include "models/weight_sram/sram_circuit.h"
#include "sim/run.h"
#include "tests/support/runs.h"
#include "workloads/network.h"

using namespace lvsim;
using Catch::Matchers::Contains;
using lvsim::test::small_run;

TEST_CASE("Horowitz's arithmetic energies", "[energy]") {
  CHECK(horowitz_45nm("fp32").mac_pj() == Approx(3.7 + 0.9));
  CHECK(horowitz_45nm("fp16").mac_pj() == Approx(1.1 + 0.4));
  CHECK(horowitz_45nm("int8").mac_pj() == Approx(0.2 + 0.03));
  CHECK(horowitz_45nm("int32").mac_pj() == Approx(3.1 + 0.1));
  CHECK_THROWS_WITH(horowitz_45nm("fp8"), Contains("fp8") && Contains("expected"));
}

namespace {

uint64_t parameters() {
  return Network::load(std::string(LVSIM_SOURCE_DIR) +
                       "/workloads/networks/safetensors/mnist_cnn.safetensors")
      .parameter_count();
}

}  // namespace

TEST_CASE("a run's energy is its event counts times the cited per-event energies",
          "[energy][end_to_end][data]") {
  const double v = 0.6;
  const RunResult r =
      small_run({"weight_sram.vdd_v=0.6", "weight_sram.mitigation=zero",
                 "refresh.interval_images=16", "fault.model=constant", "fault.p=0"});
  const EnergyReport& e = r.energy;
  REQUIRE(r.controller.weight_loads == 4);  // the initial load and 3 refreshes
  const double images = 64;
  const double words = static_cast<double>(parameters());
  // Independent recomputation from the module statistics and the constants.
  const double mac = static_cast<double>(r.mac_array.macs) * (3.7 + 0.9);
  const double word_pj = 100.0 * 32 / 64 * (v / 0.9) * (v / 0.9);  // 1 MiB banks
  const double sram_dynamic = words * images * word_pj;
  const double sram_leak = r.simulated_ns * 16384 * 1e-3 * (v / 0.9) * std::exp(3.0 * (v - 0.9));
  const double buffer_bank = 1024.0 * 1024 / 8;  // 1 MiB in 8 banks of 64 bits
  const double buffer = (r.activation_buffer.read_bytes + r.activation_buffer.write_bytes) / 8.0 *
                            sram_read_energy_64bit_pj(buffer_bank) +
                        r.simulated_ns * 1024 * 1e-3;
  const double load = 8.0 * words * 4 * 5.0 +
                      static_cast<double>(r.dram.activations()) / 4 * 1000.0 + words * word_pj;
  const double detector = words * images * 0.1;
  // Vector unit, per image: ReLUs of 25,088, 12,544 and 1,000 values (one compare
  // each), 2x2 max pools of 6,272 and 3,136 outputs (three compares each).
  const double vector = (25088 + 12544 + 1000 + 3 * (6272 + 3136)) * images * 0.9;
  CHECK(e.component_pj("vector") == Approx(vector));
  CHECK(e.component_pj("mac") == Approx(mac));
  CHECK(e.component_pj("weight_sram_dynamic") == Approx(sram_dynamic));
  CHECK(e.component_pj("weight_sram_leakage") == Approx(sram_leak));
  CHECK(e.component_pj("activation_buffer") == Approx(buffer));
  CHECK(e.component_pj("dram_initial_load") == Approx(load));
  CHECK(e.component_pj("dram_refresh") == Approx(3 * load));
  CHECK(e.component_pj("detector_ecc") == Approx(detector));
  CHECK(e.total_pj() ==
        Approx(mac + sram_dynamic + sram_leak + buffer + 4 * load + detector + vector));
  CHECK(e.per_inference_pj() == Approx(e.total_pj() / images));
  double sum = 0.0;
  for (const std::string& component : EnergyReport::components())
    sum += e.per_inference_pj(component);
  CHECK(sum == Approx(e.per_inference_pj()));
  for (const EnergyTerm& term : e.terms) {
    INFO(term.component << ": " << term.event);
    CHECK(std::isfinite(term.pj()));
    CHECK(term.count >= 0.0);
    CHECK(term.pj_each >= 0.0);
  }
  // Word masking, whole words or the failing weights only, is charged the same detector.
  for (const char* masking :
       {"weight_sram.mitigation=word-zero", "weight_sram.mitigation=weight-zero"})
    CHECK(small_run({masking}).energy.component_pj("detector_ecc") == Approx(detector));
  // SEC-DED: 39 stored bits per word, decoder on reads, encoder on writes; no detector.
  const RunResult ecc = small_run({"weight_sram.mitigation=secded"});
  CHECK(ecc.energy.component_pj("weight_sram_dynamic") == Approx(words * images * 100.0 * 39 / 64));
  CHECK(ecc.energy.component_pj("detector_ecc") == Approx(words * images * 0.4 + words * 0.2));
}

TEST_CASE("lowering the SRAM voltage saves dynamic and leakage energy and costs cycles",
          "[energy][end_to_end][data]") {
  const RunResult nominal = small_run({"fault.model=constant", "fault.p=0"});
  const RunResult low = small_run({"fault.model=constant", "fault.p=0", "weight_sram.vdd_v=0.5"});
  CHECK(low.energy.component_pj("weight_sram_dynamic") ==
        Approx(nominal.energy.component_pj("weight_sram_dynamic") * 0.25 / 0.81));
  CHECK(low.energy.component_pj("weight_sram_leakage") <
        nominal.energy.component_pj("weight_sram_leakage"));
  CHECK(low.weight_sram_access_cycles > nominal.weight_sram_access_cycles);
  CHECK(low.inference_ns > nominal.inference_ns);
  CHECK(low.energy.component_pj("mac") == nominal.energy.component_pj("mac"));
  CHECK(low.trials[0].predictions == nominal.trials[0].predictions);
}

TEST_CASE(
    "every word a read changes is written back, charged as a write access in energy and cycles",
    "[energy][end_to_end][data]") {
  const std::vector<std::string> upsets = {"weight_sram.vdd_v=0.6", "weight_sram.mitigation=zero",
                                           "fault.preset=seed004", "fault.p=1e-3"};
  const RunResult upset = small_run(upsets);
  std::vector<std::string> none = upsets;
  none.back() = "fault.p=0";
  const RunResult clean = small_run(none);
  const uint64_t written_back = upset.weight_sram.faults.words_written_back;
  REQUIRE(written_back > 1000);  // ~1e-3 of 3.3 M words x 64 images changed by zero
  const double word_pj = 100.0 * 32 / 64 * (0.6 / 0.9) * (0.6 / 0.9);
  CHECK(upset.energy.component_pj("weight_sram_writeback") ==
        Approx(static_cast<double>(written_back) * word_pj));
  CHECK(clean.energy.component_pj("weight_sram_writeback") == 0.0);
  // The reads cost the same; the write-backs occupy the 16 banks for 2-cycle accesses.
  CHECK(upset.weight_sram.words_read == clean.weight_sram.words_read);
  const uint64_t extra = upset.weight_sram.busy_cycles - clean.weight_sram.busy_cycles;
  CHECK(extra >= 2 * written_back / 16);
  CHECK(extra <= 2 * (written_back / 16 + upset.weight_sram.read_bursts));
  // Weak cells without read disturb change no stored word: nothing written back.
  const RunResult weak = small_run({"weight_sram.vdd_v=0.6", "weight_sram.mitigation=zero"});
  CHECK(weak.weight_sram.faults.weak_bit_faults > 0);
  CHECK(weak.weight_sram.faults.words_written_back == 0);
  CHECK(weak.energy.component_pj("weight_sram_writeback") == 0.0);
}

TEST_CASE("a fault map costs its self-test's time and accesses, its lookups and its storage",
          "[energy][fault_map][end_to_end][data]") {
  const std::vector<std::string> razor = {"weight_sram.vdd_v=0.6", "weight_sram.mitigation=zero"};
  std::vector<std::string> mapped = razor;
  mapped.insert(mapped.end(), {"weight_sram.detector=bist-map", "weight_sram.bist_passes=2"});
  const RunResult r = small_run(razor), m = small_run(mapped);
  const double v = 0.6, period = m.clock_period_ns;
  const double words = 16.0 * 1024 * 1024 / 4;  // March C- tests the whole array
  const double a = m.weight_sram_access_cycles;
  REQUIRE(a >= 2);
  // 2 passes x 10 accesses per word, 16 banks in parallel, before the weights load.
  CHECK(m.self_test_ns / period == Approx(2 * 10 * a * words / 16));
  CHECK(r.self_test_ns == 0.0);
  CHECK(m.simulated_ns - m.self_test_ns == Approx(r.simulated_ns));
  CHECK(m.inference_ns == r.inference_ns);
  // Every weak cell is mapped but the intermittent ones the reads missed.
  const uint64_t cells = m.weight_sram.faults.weak_cells, found = m.weight_sram.mapped_cells;
  REQUIRE(m.weight_sram.faults.intermittent_cells > 100);
  CHECK(found >= cells - m.weight_sram.faults.intermittent_cells);
  CHECK(found < cells);
  // An entry per mapped cell: 22 bits of word address and 5 of bit position.
  CHECK(m.fault_map_bits == found * (22 + 5));
  const double word_pj = 100.0 * 32 / 64 * (v / 0.9) * (v / 0.9);
  const double lookups = static_cast<double>(m.weight_sram.words_read) * 0.1;
  const double march = 2 * 10 * words * word_pj;
  const double storage = m.simulated_ns * (m.fault_map_bits / 8.0 / 1024) * 1e-3;  // at 0.9 V
  CHECK(m.energy.component_pj("detector_ecc") == Approx(lookups + march + storage));
  CHECK(r.energy.component_pj("detector_ecc") == Approx(lookups));
}
