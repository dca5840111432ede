// Energy accounting: every joule lvsim reports is an event count taken from the
// simulated modules times a per-event energy from the models below.
//
// Arithmetic, per operation, 45 nm (Horowitz, ISSCC 2014, "Computing's energy
// problem (and what we can do about it)", Fig. 1.1.9), scaled by tech_scale:
//     int8 add 0.03 pJ, int32 add 0.1 pJ, fp16 add 0.4 pJ, fp32 add 0.9 pJ,
//     int8 mult 0.2 pJ, int32 mult 3.1 pJ, fp16 mult 1.1 pJ, fp32 mult 3.7 pJ.
// One MAC = one multiplication + one addition in the datapath's format.
// int16 (not in the table) is interpolated: a multiplier's energy grows with
// the square of its width (int8 -> int32: x15.5 for x16), so int16 mult =
// 0.2 x 4 = 0.8 pJ, and an adder's linearly, int16 add = 0.05 pJ. A binary
// weight only selects +x or -x: "binary" = no multiplication, one fp32 add.
//
// SRAMs: models/weight_sram/sram_circuit.h (Horowitz's table, V^2 scaling, leakage). DRAM:
// models/memory/dram.h.
//
// The fault detector that `sign`, `zero`, `word-zero` and `weight-zero` presume
// is Razor-style double sampling (Ernst et al., MICRO 2003): a shadow latch per
// bit and a comparator tree over the word, about the logic of a 32-bit adder,
// so it is charged one int32 add (0.1 pJ) per word read. The SEC-DED (39,32) encoder is
// 7 parity trees over ~18 bits each (~126 XOR2), the decoder the same syndrome
// trees plus a syndrome decoder and correction XORs, about twice that: charged
// 0.2 pJ per word written and 0.4 pJ per word read (estimates scaled from the
// 32-bit adder's 0.1 pJ; override them in the config with your own numbers).
// With a fault map instead of the detector (weight_sram.detector = bist-map),
// each word read is charged a map lookup at the detector's 0.1 pJ, the
// power-up March C- test its word accesses at the SRAM's access energy, and
// the map (an entry per mapped cell) the leakage of an SRAM of its size at the
// nominal supply for the whole run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/common/params.h"

namespace lvsim {

struct OperationEnergy {
  double mult_pj = 0.0;
  double add_pj = 0.0;
  double mac_pj() const { return mult_pj + add_pj; }
};

// Horowitz's 45 nm energies for a number format: int8, int16, int32, fp16,
// fp32 or binary (see above).
// Throws lvsim::Error on an unknown format.
OperationEnergy horowitz_45nm(const std::string& format);

struct EnergyParams {
  double tech_scale{};              // all on-chip energies relative to 45 nm
  double detector_pj_per_word{};    // Razor-style fault detector, per word read
  double ecc_encode_pj_per_word{};  // SEC-DED encoder, per word written
  double ecc_decode_pj_per_word{};  // SEC-DED decoder, per word read
  double vector_op_pj{};            // an element operation of the vector unit (at 45 nm)
  std::string mac_format;           // the datapath's arithmetic; empty: the weight format's

  EnergyParams() { table().apply_defaults(*this); }
  static const ParamTable<EnergyParams>& table();
};

// One component of the energy: how many events of which energy.
struct EnergyTerm {
  std::string component;  // one of the breakdown's names
  std::string event;      // what is counted
  double count = 0.0;
  double pj_each = 0.0;  // per event; for leakage, the power in mW and count in ns
  double pj() const { return count * pj_each; }
};

// The breakdown of a run. Components: mac, weight_sram_dynamic,
// weight_sram_leakage, weight_sram_writeback (words a read changed, written
// back: upsets, read disturb, ECC scrubbing), activation_buffer,
// dram_initial_load, dram_refresh, detector_ecc, vector (the element
// operations of pools, activations and adds: models/array/mac_array.h). The initial weight load and
// the refreshes include the SRAM writes at their far end.
struct EnergyReport {
  std::vector<EnergyTerm> terms;
  uint64_t images = 0;

  void add(const std::string& component, const std::string& event, double count, double pj_each) {
    terms.push_back({component, event, count, pj_each});
  }
  static const std::vector<std::string>& components();
  double component_pj(const std::string& component) const;  // whole run
  double total_pj() const;                                  // whole run
  // Per inference: the run's energy over its images, so the initial load is
  // amortised over this run's images and refreshes over the images between them.
  double per_inference_pj(const std::string& component) const;
  double per_inference_pj() const;
};

}  // namespace lvsim
