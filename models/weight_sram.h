// The on-chip weight SRAM. It holds the whole model (as seed 004 assumes) and
// is read by the MAC array once per weight per image pass.
//
// Data path: the DMA engine fills it with WRITE bursts; the MAC array reads its
// words through a DMI pointer and reports each burst of reads with an
// IGNORE-command transaction carrying a WeightReadExtension, so the SRAM
// accounts every read (and, at low voltage, decides which of them fault).
//
// Timing: `banks` independent banks each deliver one word per cycle, so a burst
// of W word reads costs ceil(W / banks) cycles plus the access latency.
#pragma once

#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <systemc>
#include <tlm>

#include "models/memory_target.h"

namespace lvsim {

struct WeightSramParams {
  uint64_t capacity_bytes = 16ull << 20;  // whole seed-004 model (12.9 MB) resident
  int banks = 16;                         // one word per bank per cycle: 16 words/cycle
  int word_bits = 32;                     // fp32 words
  int access_latency_cycles = 1;          // single-cycle SRAM macro at nominal voltage
  sc_core::sc_time clock_period = sc_core::sc_time(2, sc_core::SC_NS);  // 500 MHz
};

// "The initiator read `bytes` of words at `address` through its DMI pointer,
// `passes` times over" (one pass per image in a batch-1 weight-stationary array).
struct WeightReadExtension : tlm::tlm_extension<WeightReadExtension> {
  uint32_t passes = 1;

  tlm::tlm_extension_base* clone() const override { return new WeightReadExtension(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    passes = static_cast<const WeightReadExtension&>(other).passes;
  }
};

struct WeightSramStats {
  uint64_t words_read = 0;
  uint64_t words_written = 0;
  uint64_t read_bursts = 0;
  uint64_t write_bursts = 0;
  uint64_t busy_cycles = 0;
};

class WeightSram : public sc_core::sc_module {
 public:
  // Two ports: the controller's DMA/staging traffic and the MAC array's.
  tlm_utils::simple_target_socket<WeightSram> dma_socket;
  tlm_utils::simple_target_socket<WeightSram> array_socket;

  WeightSram(const sc_core::sc_module_name& name, const WeightSramParams& params);

  const WeightSramParams& params() const { return params_; }
  const WeightSramStats& stats() const { return stats_; }
  void reset_stats() { stats_ = {}; }
  uint64_t word_bytes() const { return static_cast<uint64_t>(params_.word_bits) / 8; }
  // Cycles to move `words` words through the banks.
  uint64_t burst_cycles(uint64_t words) const;

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
  unsigned transport_dbg(tlm::tlm_generic_payload& trans);

  WeightSramParams params_;
  MemoryArray memory_;
  WeightSramStats stats_;
};

}  // namespace lvsim
