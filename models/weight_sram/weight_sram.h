// The on-chip weight SRAM at a reduced supply voltage: a TLM target with one
// handler per command (DMA writes and reads, the MAC array's read reports,
// the power-up self-test). The weights that fit stay resident; the rest
// stream through two buffers of it. For every reported read its FaultInjector
// decides which stored bits fail and its SramContents lets the Mitigation
// decide what the read returns; every changed word goes back to the array.
//
// Timing: a read takes A = ceil(t(V) / clock) cycles (t(V): the alpha-power
// law, sram_circuit.h), and a burst of W words on banks x ports lanes
//     burst(W) = A + detector or decoder latency + A * ceil(W / (banks * ports)).
// Writes (DMA loads, refreshes, streamed loads) run at the write supply
// (weight_sram.write_vdd_v, by default the read supply) with its A; when it
// is higher, the rail is raised before a load and lowered before the next
// read, each transition taking dV / slew (the rail's slew rate), and each
// raise drawing E = C dV V_write from the write supply (C: the rail's
// capacitance; lowering returns nothing).
// Energy is counted per voltage domain (words read, written, written back),
// not charged here (models/energy.h). The whole story: docs/MODELS.md.
#pragma once

#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <systemc>
#include <tlm>
#include <utility>
#include <vector>

#include "models/common/params.h"
#include "models/weight_sram/chip_condition.h"
#include "models/weight_sram/fault_models/fault_model.h"
#include "models/weight_sram/mechanisms/fault_injector.h"
#include "models/weight_sram/mitigation/mitigation.h"
#include "models/weight_sram/sram_circuit.h"
#include "models/weight_sram/sram_contents.h"
#include "models/weight_sram/sram_layout.h"
#include "models/weight_sram/sram_word.h"
#include "models/weight_sram/voltage_domain.h"
#include "models/weight_sram/weight_read_report.h"

namespace lvsim {

// Which fault mechanisms act (mechanisms/fault_injector.h): `fault.mechanism`.
struct FaultMechanisms {
  bool upset = true;        // per-read upsets, written back, cured by a refresh
  bool weak_cells = false;  // the chip's weak cells, which a refresh cannot heal
  bool operator==(const FaultMechanisms& o) const {
    return upset == o.upset && weak_cells == o.weak_cells;
  }
};

// What tells sign, zero, word-zero and weight-zero which bits failed:
// `weight_sram.detector`.
enum class FailureDetector {
  kRazor,    // double sampling at every read: every failing bit, upsets included
  kBistMap,  // a fault map from a power-up March C- self-test: the weak cells it found
};

struct WeightSramParams {
  uint64_t capacity_bytes{};
  int banks{};
  int word_bits{};
  int ports{};                // read/write ports per bank
  SramCircuitParams circuit;  // access time, energy and leakage versus V
  int detector_cycles{};      // detector or map lookup latency (sign, zero, word-zero, weight-zero)
  FailureDetector detector{};
  int bist_passes{};  // March C- passes of the power-up self-test (bist-map)
  // When the fault map was taken: at power-up (this run's condition, or the
  // chip bist_interval_years younger: the last periodic test), or at the
  // manufacturing test (before the chip aged). Cells weak since are unmapped.
  bool bist_at_manufacturing{};
  double bist_interval_years{};
  int ecc_cycles{};  // latency of the SEC-DED decoder (secded)
  double vdd_v{};    // supply voltage of the array
  // Supply of the writes (0: vdd_v); the rail moves to it around every load.
  double write_vdd_v{};
  double rail_slew_mv_per_ns{};
  double rail_capacitance_nf{};
  std::string mitigation;
  std::string fault_preset;  // models/weight_sram/fault_models/fault_presets.h
  FaultModelParams fault_model;
  FaultMechanisms mechanisms;
  FaultUnit fault_unit{};       // of upsets
  bool protect_sign{};          // seed 004 faulted bits 0-30 only
  uint64_t chip_seed{};         // the weak cells: one chip, one map
  ChipConditionParams chip;     // age, temperature, the population (chip_condition.h)
  double stuck_zero_share{};    // weak cells whose failing reads return 0
  double intermittent_share{};  // weak cells failing on a read with probability q
  double intermittent_q{};
  bool read_disturb{};          // a weak cell's failing read also corrupts the stored bit
  double write_fail_share{};    // weak cells that also fail writes (at the write supply)
  SramLayout layout;            // rows, columns and interleaving of the cell array
  double column_fault_share{};  // of the weak cells, those in failing columns
  int column_width{};           // adjacent columns one column defect fails

  // Set by the platform and the run, not by configuration keys:
  sc_core::sc_time clock_period = sc_core::sc_time(2, sc_core::SC_NS);
  uint64_t seed = 1;   // upset streams (sim.seed)
  uint64_t trial = 0;  // independent upset streams of the same seed
  // Words on other supplies (first_word, end_word, vdd_v and faults given);
  // the rest of the array is at vdd_v. Each domain has its own fault
  // probability, access time, access energy and leakage.
  std::vector<VoltageDomain> domains;
  // The words the model addresses: the resident weights and, past the
  // capacity when layers are streamed, the streamed ones (0: capacity_bytes).
  uint64_t address_bytes = 0;
  // Word ranges [first, end) of streamed layers, fresh before every batch.
  std::vector<std::pair<uint64_t, uint64_t>> streamed;
  // The words that pack weights narrower than 32 bits, by layer (fp16, bf16,
  // trunc-K, int-K, binary); the others hold one 32-bit weight or bias each.
  std::vector<PackedWords> packed;

  WeightSramParams() { table().apply_defaults(*this); }
  static const ParamTable<WeightSramParams>& table();
  // The declared ranges, and what the models need of the values together:
  // a supply above the access-time model's threshold, inside the fault
  // model's range; throws FieldError naming the member.
  void validate() const;
};

struct WeightSramStats {
  uint64_t words_read = 0;
  uint64_t words_written = 0;
  uint64_t words_streamed = 0;  // of words_written, by streamed loads
  uint64_t read_bursts = 0;
  uint64_t write_bursts = 0;
  uint64_t busy_cycles = 0;
  uint64_t self_test_cycles = 0;    // the power-up March test (bist-map)
  uint64_t self_test_accesses = 0;  // its word reads and writes
  uint64_t mapped_cells = 0;        // weak cells the fault map holds
  uint64_t rail_raises = 0;         // the rail raised to the write supply (write_vdd_v)
  FaultStats faults;
};

class WeightSram : public sc_core::sc_module {
 public:
  // Two ports: the controller's DMA traffic and the MAC array's.
  tlm_utils::simple_target_socket<WeightSram> dma_socket;
  tlm_utils::simple_target_socket<WeightSram> array_socket;

  WeightSram(const sc_core::sc_module_name& name, const WeightSramParams& params);

  const WeightSramParams& params() const { return params_; }
  const WeightSramStats& stats() const { return stats_; }
  // A word as read (weight_sram.word_bits data bits and its code's check
  // bits, in 32-bit lanes: sram_word.h), and the words `lanes` 32-bit lanes make.
  const WordGeometry& geometry() const { return contents_.geometry(); }
  int stored_bits_per_word() const { return contents_.geometry().stored_bits(); }
  uint64_t words_of(uint64_t lanes) const {
    return (lanes + static_cast<uint64_t>(contents_.geometry().lanes) - 1) /
           static_cast<uint64_t>(contents_.geometry().lanes);
  }
  // Of the array's own supply: p per bit or word read, and the weak-cell fraction.
  double upset_probability() const { return own_.upset_probability; }
  double weak_cell_fraction() const { return own_.weak_fraction; }
  const ChipDraws& chip_draws() const { return chip_draws_; }
  // How far the chip's condition moves its cells' Vmin at the array's own supply.
  double vmin_shift_v() const { return own_.vmin_shift_v; }
  const Mitigation& mitigation() const { return *mitigation_; }
  // Whether the mitigation learns the failing bits from a self-test's fault
  // map (weight_sram.detector = bist-map and a mitigation that uses a detector).
  bool uses_fault_map() const;
  // The fault map's size: one entry per mapped cell, its word address and bit
  // position; and its leakage, held at the nominal supply so that it is itself
  // fault-free.
  uint64_t fault_map_bits() const;
  double fault_map_leakage_mw() const;
  // Cycles to move `words` words through the banks, latency included.
  uint64_t burst_cycles(uint64_t words) const;
  double access_time_ns() const { return access_time_ns_; }
  int access_cycles() const { return own_.access_cycles; }  // A above
  int latency_cycles() const;                               // A + detector or decoder latency
  // Dynamic energy of one word access (all stored bits) at vdd_v in pJ, and
  // the array's leakage power at vdd_v in mW (sram_circuit.h).
  double access_energy_pj() const;
  double leakage_mw() const;
  // The rail between the read and the write supply (weight_sram.write_vdd_v):
  // one transition's time (0 when writes run at the read supply), the energy
  // of one raise, and the cycles of `transitions` transitions.
  double rail_transition_ns() const;
  double rail_raise_pj() const;
  uint64_t rail_cycles(uint64_t transitions) const;
  // Every domain, in address order, covering the whole array (the array's own
  // supply fills the gaps), with what was counted in it so far.
  const std::vector<VoltageDomain>& domains() const { return domains_; }
  // Stored bits that differ from what was last written, after each batch
  // since the start: element i is the count once batch i's reads are done.
  std::vector<uint64_t> faulty_bits_after_batch() const {
    return contents_.faulty_bits_after_batch();
  }
  uint64_t faulty_bits() const { return contents_.faulty_bits(); }

 private:
  // TLM: one handler per command.
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  void on_read_report(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);  // IGNORE
  void on_write(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);        // DMA WRITE
  void on_read(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);         // DMA READ
  void on_self_test(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);    // IGNORE
  // Time and counts of a DMA burst (which may cross domains).
  void charge_dma(const tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
  unsigned transport_dbg(tlm::tlm_generic_payload& trans);

  // A domain of words [first, end) at `vdd`, with what the models give there.
  VoltageDomain make_domain(uint64_t first, uint64_t end, double vdd, bool faults) const;
  // How far the chip's condition moves its cells' Vmin at supply `vdd` at
  // age `age_years`: aging, temperature and the chip's own offset.
  double vmin_shift_v(double vdd, double age_years) const;
  // The chip's age when its fault map was taken (bist_at, bist_interval_years).
  double self_test_age_years() const;
  void build_domains();
  void build_injector();
  VoltageDomain& domain_of(uint64_t word);
  uint64_t burst_cycles(int access_cycles, uint64_t words) const;
  bool streamed(uint64_t first_word, uint64_t words) const;
  // Physical words over addressed words: 1 unless streamed layers sit past the capacity.
  double physical_share() const;

  WeightSramParams params_;
  std::unique_ptr<Mitigation> mitigation_;
  std::unique_ptr<FaultModel> fault_model_;
  SramContents contents_;
  double access_time_ns_ = 0.0;
  double access_time_at(double vdd) const;
  int access_cycles_at(double vdd) const;  // A at supply `vdd`
  double access_pj_at(double vdd) const;
  double leakage_mw_at(double vdd, double bytes) const;
  ChipDraws chip_draws_;                // what this chip drew from its seed
  VoltageDomain own_;                   // the array's own supply
  std::vector<VoltageDomain> domains_;  // address order, covering the array
  std::unique_ptr<FaultInjector> injector_;
  WeightSramStats stats_;
  bool rail_at_write_ = false;  // a load raised the rail, no read has lowered it yet
};

}  // namespace lvsim
