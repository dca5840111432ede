// Off-chip DRAM holding the golden weights. The initial weight load and every
// refresh of the weight SRAM are DMA bursts from here.
//
// Timing per burst: the row of its first byte is opened if it is not already
// (a row hit costs nothing; an empty bank tRCD; a bank holding another row
// tRP + tRCD), then the read latency CL before the first beat, then the bytes
// over the peak bandwidth. Further rows a burst crosses are opened in other
// banks while the data streams (rows interleave across banks: bank = row mod
// banks), so they cost activations but no time.
//
// A streamed burst (models/tlm/streamed_load.h) that repeats `loads` times is
// charged its first repetition's time, bytes and row activations `loads` times
// over: a streamed layer larger than the row buffers opens every row of each
// batch anyway.
//
// Energy: pj_per_bit for every bit read or written (I/O and core) plus
// activate_nj for every row activation (ACT + PRE). Presets cite their sources;
// the energies are order-of-magnitude device figures, to be replaced by a
// datasheet's (or a DRAMPower run's) where one is at hand.
#pragma once

#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "models/common/params.h"
#include "models/tlm/memory_array.h"

namespace lvsim {

// The device numbers come from a preset (dram.preset); the energies may be
// overridden by keys of their own.
struct DramParams {
  std::string preset;
  double bandwidth_gb_per_s{};  // peak data rate of the interface
  double trcd_ns{};             // ACT to READ
  double tcl_ns{};              // READ to first data (CL / RL)
  double trp_ns{};              // PRE to ACT
  uint64_t row_bytes{};         // row (page) across the devices read in lockstep
  int banks{};
  double pj_per_bit{};        // energy per bit read or written
  double activate_nj{};       // one row activation and its precharge
  uint64_t capacity_bytes{};  // the device's (dram.capacity_mib)
  uint64_t stored_bytes = 0;  // what the model holds, set by the platform; 0: capacity_bytes

  DramParams() { table().apply_defaults(*this); }
  static const ParamTable<DramParams>& table();
};

// A DRAM device as published: its timings, row buffers and energies, each
// with its source. A new device is one entry in dram_presets() (dram.cpp).
struct DramPreset {
  std::string name;
  std::string source;
  double bandwidth_gb_per_s = 0.0;
  double trcd_ns = 0.0, tcl_ns = 0.0, trp_ns = 0.0;
  uint64_t row_bytes = 0;
  int banks = 0;
  double pj_per_bit = 0.0;
  double activate_nj = 0.0;
};

const std::vector<DramPreset>& dram_presets();
// A preset's parameters; a FieldError naming the presets on an unknown name.
DramParams dram_preset(const std::string& name);
const std::vector<std::string>& dram_preset_names();

struct DramStats {
  uint64_t read_bytes = 0;
  uint64_t write_bytes = 0;
  uint64_t bursts = 0;
  uint64_t row_hits = 0;
  uint64_t row_empty = 0;      // activations into a closed bank
  uint64_t row_conflicts = 0;  // activations that first closed another row
  double busy_ns = 0.0;
  // Of the above, what streamed weights moved (models/tlm/streamed_load.h).
  uint64_t streamed_bytes = 0;
  uint64_t streamed_activations = 0;
  uint64_t activations() const { return row_empty + row_conflicts; }
};

class Dram : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<Dram> socket;

  Dram(const sc_core::sc_module_name& name, const DramParams& params);

  // What the host writes into DRAM before the accelerator starts.
  void preload(uint64_t address, const uint8_t* data, uint64_t bytes);
  const DramParams& params() const { return params_; }
  const DramStats& stats() const { return stats_; }
  void reset_stats() { stats_ = {}; }
  // Time of a burst of `bytes` at `address`; opens the rows it touches.
  sc_core::sc_time access(uint64_t address, uint64_t bytes);
  // Energy of the traffic so far, in pJ.
  double energy_pj() const;

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
  unsigned transport_dbg(tlm::tlm_generic_payload& trans);

  DramParams params_;
  MemoryArray memory_;
  DramStats stats_;
  std::vector<int64_t> open_row_;  // per bank, -1 when closed
};

}  // namespace lvsim
