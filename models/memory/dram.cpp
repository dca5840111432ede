#include "models/memory/dram.h"

#include <algorithm>
#include <cstring>

#include "models/tlm/streamed_load.h"
#include "workloads/common/error.h"

namespace lvsim {

namespace {

// The preset's numbers into `p` (`name` is one of dram_preset_names()).
void apply_preset(DramParams& p, const std::string& name) {
  p.preset = name;
  if (name == "lpddr4-3200") {
    // Two x16 LPDDR4 channels in lockstep at 3200 MT/s: 3.2e9 * 4 B = 12.8 GB/s.
    // tRCD = 18 ns, tRPpb = 18 ns, read latency RL = 28 tCK at 1600 MHz = 17.5 ns
    // (JESD209-4, Micron MT53E datasheet); 8 banks, 2 KB page per channel.
    // ~5 pJ/bit: the 4-6 pJ/bit commonly quoted for LPDDR4 (the brief); ~0.5 nJ
    // per ACT/PRE of a 2 KB page per channel (DRAMPower-order figure).
    p.bandwidth_gb_per_s = 12.8;
    p.trcd_ns = 18.0;
    p.tcl_ns = 17.5;
    p.trp_ns = 18.0;
    p.row_bytes = uint64_t{2} * 2048;
    p.banks = 8;
    p.pj_per_bit = 5.0;
    p.activate_nj = 2 * 0.5;
  } else if (name == "ddr4-2400") {
    // One x64 DDR4-2400 rank of eight x8 devices: 2.4e9 * 8 B = 19.2 GB/s; speed
    // bin 17-17-17 gives tRCD = CL = tRP = 17 tCK at 1200 MHz = 14.16 ns
    // (JESD79-4, Micron MT40A datasheet); 16 banks, 1 KB page per device.
    // ~17.5 pJ/bit: the 15-20 pJ/bit commonly quoted for DDR4 (the brief);
    // ~0.25 nJ per ACT/PRE per device (DRAMPower-order figure).
    p.bandwidth_gb_per_s = 19.2;
    p.trcd_ns = 14.16;
    p.tcl_ns = 14.16;
    p.trp_ns = 14.16;
    p.row_bytes = uint64_t{8} * 1024;
    p.banks = 16;
    p.pj_per_bit = 17.5;
    p.activate_nj = 8 * 0.25;
  }
}

}  // namespace

const ParamTable<DramParams>& DramParams::table() {
  static const ParamTable<DramParams> table = [] {
    using P = DramParams;
    ParamTable<P> t;
    t.preset("dram.preset", &P::preset, "lpddr4-3200", dram_preset_names(), apply_preset)
        .help("DRAM device: JEDEC timings, row buffers, energies (models/memory/dram.cpp)")
        .source("JESD209-4 LPDDR4, JESD79-4 DDR4; Micron MT53E, MT40A datasheets");
    t.number("dram.pj_per_bit", &P::pj_per_bit, 5.0, 0.0, 1e6)
        .unit("pJ")
        .or_preset("dram.preset")
        .help("energy per bit read or written; empty: the preset's (LPDDR4 5, DDR4 17.5)")
        .source("4-6 pJ/bit commonly quoted for LPDDR4, 15-20 for DDR4 (the brief)");
    t.number("dram.activate_nj", &P::activate_nj, 1.0, 0.0, 1e6)
        .unit("nJ")
        .or_preset("dram.preset")
        .help("energy per row activation and precharge; empty: the preset's (LPDDR4 1, DDR4 2)")
        .source("DRAMPower-order figures");
    t.integer("dram.capacity_mib", &P::capacity_bytes, 2048, 1, 1 << 20, int64_t{1024} * 1024)
        .unit("MiB")
        .help(
            "DRAM capacity for the weights; a network whose weights need more is refused (2 "
            "GiB: two x16 LPDDR4 channels of 8 Gb dies)")
        .source("Micron MT53E 8 Gb LPDDR4 dies");
    return t;
  }();
  return table;
}

DramParams dram_preset(const std::string& name) {
  const auto& names = dram_preset_names();
  if (std::find(names.begin(), names.end(), name) == names.end())
    invalid(&DramParams::preset, "DRAM preset '" + name + "'", "lpddr4-3200 or ddr4-2400");
  DramParams p;
  apply_preset(p, name);
  return p;
}

const std::vector<std::string>& dram_preset_names() {
  static const std::vector<std::string> names = {"lpddr4-3200", "ddr4-2400"};
  return names;
}

Dram::Dram(const sc_core::sc_module_name& name, const DramParams& params)
    : sc_module(name),
      socket("socket"),
      params_(params),
      memory_(std::string(this->name()),
              params.stored_bytes ? params.stored_bytes : params.capacity_bytes) {
  DramParams::table().check(params);
  if (!(params.bandwidth_gb_per_s > 0.0) || !(params.trcd_ns >= 0.0) || !(params.tcl_ns >= 0.0) ||
      !(params.trp_ns >= 0.0) || params.row_bytes == 0 || params.banks <= 0)
    invalid(&DramParams::preset, "DRAM device " + params.preset,
            "a bandwidth, row size and banks above 0 and latencies of at least 0");
  open_row_.assign(static_cast<size_t>(params.banks), -1);
  socket.register_b_transport(this, &Dram::b_transport);
  socket.register_get_direct_mem_ptr(this, &Dram::get_direct_mem_ptr);
  socket.register_transport_dbg(this, &Dram::transport_dbg);
}

void Dram::preload(uint64_t address, const uint8_t* data, uint64_t bytes) {
  if (address + bytes > memory_.size())
    throw Error(std::string(name()) + ": preload beyond capacity");
  std::memcpy(memory_.data() + address, data, bytes);
}

sc_core::sc_time Dram::access(uint64_t address, uint64_t bytes) {
  const uint64_t banks = static_cast<uint64_t>(params_.banks);
  const uint64_t first_row = address / params_.row_bytes;
  const uint64_t last_row = (address + (bytes ? bytes - 1 : 0)) / params_.row_bytes;
  double open_ns = 0.0;
  for (uint64_t row = first_row; row <= last_row; ++row) {
    int64_t& open = open_row_[row % banks];
    const auto wanted = static_cast<int64_t>(row / banks);
    double cost = 0.0;
    if (open == wanted) {
      stats_.row_hits += 1;
    } else if (open < 0) {
      stats_.row_empty += 1;
      cost = params_.trcd_ns;
    } else {
      stats_.row_conflicts += 1;
      cost = params_.trp_ns + params_.trcd_ns;
    }
    open = wanted;
    if (row == first_row) open_ns = cost;  // later rows open behind the data
  }
  // GB/s is bytes per ns.
  return sc_core::sc_time(open_ns + params_.tcl_ns + bytes / params_.bandwidth_gb_per_s,
                          sc_core::SC_NS);
}

double Dram::energy_pj() const {
  return 8.0 * static_cast<double>(stats_.read_bytes + stats_.write_bytes) * params_.pj_per_bit +
         static_cast<double>(stats_.activations()) * params_.activate_nj * 1e3;
}

void Dram::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  if (!memory_.execute(trans)) return;
  if (trans.get_command() == tlm::TLM_IGNORE_COMMAND) return;  // nothing moved, nothing charged
  const StreamedLoad* stream = trans.get_extension<StreamedLoad>();
  const uint64_t loads = stream ? stream->loads : 1;
  const uint64_t bytes = trans.get_data_length();
  const DramStats before = stats_;
  const sc_core::sc_time latency = access(trans.get_address(), bytes);
  // The repetitions of a streamed burst: the first's rows and time again.
  stats_.row_hits += (stats_.row_hits - before.row_hits) * (loads - 1);
  stats_.row_empty += (stats_.row_empty - before.row_empty) * (loads - 1);
  stats_.row_conflicts += (stats_.row_conflicts - before.row_conflicts) * (loads - 1);
  delay += latency * static_cast<double>(loads);
  stats_.bursts += loads;
  stats_.busy_ns += latency.to_seconds() * 1e9 * static_cast<double>(loads);
  (trans.is_read() ? stats_.read_bytes : stats_.write_bytes) += bytes * loads;
  if (stream) {
    stats_.streamed_bytes += bytes * loads;
    stats_.streamed_activations += stats_.activations() - before.activations();
  }
}

bool Dram::get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
  const sc_core::sc_time first_beat(params_.trcd_ns + params_.tcl_ns, sc_core::SC_NS);
  return memory_.grant_dmi(trans, dmi, first_beat, first_beat);
}

unsigned Dram::transport_dbg(tlm::tlm_generic_payload& trans) { return memory_.debug(trans); }

}  // namespace lvsim
