// Off-chip DRAM holding the golden weights. Every weight load and refresh of
// the weight SRAM is a DMA burst from here.
//
// Timing per burst: access latency (tRCD + CL of the first beat) plus bytes over
// the peak bandwidth. The row-buffer model comes with the timing/energy work.
#pragma once

#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <string>
#include <systemc>
#include <tlm>

#include "models/memory_target.h"

namespace lvsim {

struct DramParams {
  std::string preset = "lpddr4-3200";
  double bandwidth_gb_per_s = 12.8;  // peak data rate of the interface
  double access_latency_ns = 36.0;   // tRCD + read latency before the first beat
  uint64_t capacity_bytes = 0;       // sized by the platform to what it stores
};

// Named presets (JEDEC JESD79-4 DDR4, JESD209-4 LPDDR4); throws on an unknown name.
DramParams dram_preset(const std::string& name);

struct DramStats {
  uint64_t read_bytes = 0;
  uint64_t write_bytes = 0;
  uint64_t bursts = 0;
  double busy_ns = 0.0;
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
  sc_core::sc_time burst_latency(uint64_t bytes) const;

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
  unsigned transport_dbg(tlm::tlm_generic_payload& trans);

  DramParams params_;
  MemoryArray memory_;
  DramStats stats_;
};

}  // namespace lvsim
