#include "models/memory/dram.h"

#include <algorithm>
#include <cstring>

#include "models/tlm/streamed_load.h"
#include "workloads/common/error.h"

namespace lvsim {

const std::vector<DramPreset>& dram_presets() {
  static const std::vector<DramPreset> presets = {
      // Two x16 LPDDR4 channels in lockstep at 3200 MT/s: 3.2e9 * 4 B = 12.8 GB/s.
      // tRCD = 18 ns, tRPpb = 18 ns, read latency RL = 28 tCK at 1600 MHz = 17.5 ns;
      // 8 banks, 2 KB page per channel. 5 pJ/bit: an I/O-level figure, within the
      // 1.83 (read) to 5.68 (write) pJ/bit of an LPDDR4 controller interface (Kim et
      // al., IEEE TCAS-II 65(12), 2018); ~0.5 nJ per ACT/PRE of a 2 KB page per
      // channel (DRAMPower-order figure).
      {"lpddr4-3200",
       "JESD209-4, Micron MT53E datasheet; energy after Kim et al., IEEE TCAS-II 2018", 12.8, 18.0,
       17.5, 18.0, uint64_t{2} * 2048, 8, 5.0, 2 * 0.5},
      // One x64 DDR4-2400 rank of eight x8 devices: 2.4e9 * 8 B = 19.2 GB/s; speed bin
      // 17-17-17 gives tRCD = CL = tRP = 17 tCK at 1200 MHz = 14.16 ns; 16 banks, 1 KB
      // page per device. 17.5 pJ/bit: DDR memory I/O at 17.4 pJ/bit (Byun et al., IEEE
      // JSSC 47(1), 2012), below Horowitz's 20-40 pJ/bit for a whole DRAM access (ISSCC
      // 2014); ~0.25 nJ per ACT/PRE per device (DRAMPower-order figure).
      {"ddr4-2400", "JESD79-4, Micron MT40A datasheet; energy after Byun et al., IEEE JSSC 2012",
       19.2, 14.16, 14.16, 14.16, uint64_t{8} * 1024, 16, 17.5, 8 * 0.25},
  };
  return presets;
}

namespace {

const DramPreset* find_preset(const std::string& name) {
  for (const DramPreset& preset : dram_presets())
    if (preset.name == name) return &preset;
  return nullptr;
}

// The preset's numbers into `p` (`name` is one of dram_preset_names()).
void apply_preset(DramParams& p, const std::string& name) {
  p.preset = name;
  const DramPreset* preset = find_preset(name);
  if (preset == nullptr) return;
  p.bandwidth_gb_per_s = preset->bandwidth_gb_per_s;
  p.trcd_ns = preset->trcd_ns;
  p.tcl_ns = preset->tcl_ns;
  p.trp_ns = preset->trp_ns;
  p.row_bytes = preset->row_bytes;
  p.banks = preset->banks;
  p.pj_per_bit = preset->pj_per_bit;
  p.activate_nj = preset->activate_nj;
}

std::string preset_list() {
  std::string list;
  const std::vector<std::string>& names = dram_preset_names();
  for (size_t i = 0; i < names.size(); ++i)
    list += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  return list;
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
        .source(
            "I/O-level figures: LPDDR4 controller interface 1.83-5.68 pJ/bit (Kim et al., IEEE "
            "TCAS-II 2018), DDR memory I/O 17.4 pJ/bit (Byun et al., IEEE JSSC 2012)");
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
    invalid(&DramParams::preset, "DRAM preset '" + name + "'", preset_list());
  DramParams p;
  apply_preset(p, name);
  return p;
}

const std::vector<std::string>& dram_preset_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> list;
    for (const DramPreset& preset : dram_presets()) list.push_back(preset.name);
    return list;
  }();
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
