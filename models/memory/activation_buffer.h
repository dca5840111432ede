// Nominal-voltage on-chip SRAM for activations. The controller stages a batch
// of input images in it and reads the logits back; the MAC array reads the
// inputs and writes the logits through a DMI pointer and reports the traffic of
// every layer's activations (see MacArray), so the buffer's statistics hold all
// activation traffic.
#pragma once

#include <tlm_utils/simple_target_socket.h>

#include <algorithm>
#include <cstdint>
#include <systemc>
#include <tlm>

#include "models/common/params.h"
#include "models/tlm/memory_array.h"
#include "models/weight_sram/sram_circuit.h"

namespace lvsim {

// Energy: each 64-bit access to one of its bytes_per_cycle / 8 banks costs
// sram_access_energy_pj at nominal voltage (models/weight_sram/sram_circuit.h); it leaks at its
// nominal-voltage leakage.
struct ActivationBufferParams {
  uint64_t capacity_bytes{};  // grown by the platform to what a stage needs
  int bytes_per_cycle{};
  // Set by the platform: its clock, and the weight SRAM's circuit at nominal voltage.
  sc_core::sc_time clock_period = sc_core::sc_time(2, sc_core::SC_NS);
  SramCircuitParams circuit;
  int banks() const { return std::max(1, bytes_per_cycle / 8); }

  ActivationBufferParams() { table().apply_defaults(*this); }
  static const ParamTable<ActivationBufferParams>& table();
};

struct ActivationBufferStats {
  uint64_t read_bytes = 0;
  uint64_t write_bytes = 0;
  uint64_t busy_cycles = 0;
};

// "The initiator moved these bytes through its DMI pointer": a timing-and-
// accounting report carried by an IGNORE-command transaction.
struct ActivationTrafficExtension : tlm::tlm_extension<ActivationTrafficExtension> {
  uint64_t read_bytes = 0;
  uint64_t write_bytes = 0;

  tlm::tlm_extension_base* clone() const override { return new ActivationTrafficExtension(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const ActivationTrafficExtension&>(other);
  }
};

class ActivationBuffer : public sc_core::sc_module {
 public:
  // Two ports: the controller's DMA/staging traffic and the MAC array's.
  tlm_utils::simple_target_socket<ActivationBuffer> dma_socket;
  tlm_utils::simple_target_socket<ActivationBuffer> array_socket;

  ActivationBuffer(const sc_core::sc_module_name& name, const ActivationBufferParams& params);

  const ActivationBufferStats& stats() const { return stats_; }
  void reset_stats() { stats_ = {}; }
  uint64_t transfer_cycles(uint64_t bytes) const;
  const ActivationBufferParams& params() const { return params_; }
  // Energy of one 64-bit access in pJ, and the leakage power in mW.
  double access_energy_pj() const;
  double leakage_mw() const;

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
  unsigned transport_dbg(tlm::tlm_generic_payload& trans);

  ActivationBufferParams params_;
  MemoryArray memory_;
  ActivationBufferStats stats_;
};

}  // namespace lvsim
