#include "models/dram.h"

#include <cstring>

#include "workloads/error.h"

namespace lvsim {

DramParams dram_preset(const std::string& name) {
  DramParams p;
  p.preset = name;
  if (name == "lpddr4-3200") {
    // One x32 LPDDR4 channel at 3200 MT/s: 3.2e9 * 4 B = 12.8 GB/s. tRCD = 18 ns and
    // read latency RL = 28 tCK at 1600 MHz = 17.5 ns (JESD209-4, Micron MT53E datasheet).
    p.bandwidth_gb_per_s = 12.8;
    p.access_latency_ns = 18.0 + 17.5;
  } else if (name == "ddr4-2400") {
    // One x64 DDR4-2400 DIMM: 2.4e9 * 8 B = 19.2 GB/s; speed bin 17-17-17 gives
    // tRCD = CL = 17 tCK at 1200 MHz = 14.16 ns each (JESD79-4, Micron MT40A datasheet).
    p.bandwidth_gb_per_s = 19.2;
    p.access_latency_ns = 2 * 14.16;
  } else {
    throw Error("dram.preset: unknown preset '" + name + "' (expected lpddr4-3200 or ddr4-2400)");
  }
  return p;
}

Dram::Dram(const sc_core::sc_module_name& name, const DramParams& params)
    : sc_module(name),
      socket("socket"),
      params_(params),
      memory_(std::string(this->name()), params.capacity_bytes) {
  if (!(params.bandwidth_gb_per_s > 0.0) || !(params.access_latency_ns >= 0.0))
    throw Error("dram: bandwidth must be > 0 and latency >= 0");
  socket.register_b_transport(this, &Dram::b_transport);
  socket.register_get_direct_mem_ptr(this, &Dram::get_direct_mem_ptr);
  socket.register_transport_dbg(this, &Dram::transport_dbg);
}

void Dram::preload(uint64_t address, const uint8_t* data, uint64_t bytes) {
  if (address + bytes > memory_.size())
    throw Error(std::string(name()) + ": preload beyond capacity");
  std::memcpy(memory_.data() + address, data, bytes);
}

sc_core::sc_time Dram::burst_latency(uint64_t bytes) const {
  // GB/s is bytes per ns.
  return sc_core::sc_time(params_.access_latency_ns + bytes / params_.bandwidth_gb_per_s,
                          sc_core::SC_NS);
}

void Dram::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  if (!memory_.execute(trans)) return;
  const uint64_t bytes = trans.get_data_length();
  const sc_core::sc_time latency = burst_latency(bytes);
  delay += latency;
  stats_.bursts += 1;
  stats_.busy_ns += latency.to_seconds() * 1e9;
  (trans.is_read() ? stats_.read_bytes : stats_.write_bytes) += bytes;
}

bool Dram::get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
  return memory_.grant_dmi(trans, dmi, burst_latency(0), burst_latency(0));
}

unsigned Dram::transport_dbg(tlm::tlm_generic_payload& trans) { return memory_.debug(trans); }

}  // namespace lvsim
