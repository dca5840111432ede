#include "models/accelerator.h"

#include <algorithm>
#include <cstdio>

#include "workloads/error.h"

namespace lvsim {
namespace {

// Fills in what follows from the platform: one clock for every block, memories
// sized to what they must hold.
AcceleratorParams resolve(AcceleratorParams params, const Network& network,
                          const WeightLayout& layout) {
  if (!(params.clock_mhz > 0.0)) throw Error("accelerator.clock_mhz: expected a positive number");
  const sc_core::sc_time period = params.clock_period();
  params.weight_sram.clock_period = period;
  params.activation_buffer.clock_period = period;
  params.mac_array.clock_period = period;
  params.dram.capacity_bytes = layout.total_bytes;
  // One technology for every on-chip SRAM; the activation buffer sits at nominal voltage.
  params.weight_sram.circuit.tech_scale = params.energy.tech_scale;
  params.activation_buffer.circuit = params.weight_sram.circuit;
  if (params.energy.mac_format.empty()) params.energy.mac_format = layout.format->mac_format();
  horowitz_45nm(params.energy.mac_format);  // rejects an unknown format before the run
  const auto batch = static_cast<uint64_t>(params.mac_array.batch);
  if (batch == 0 || params.controller.images_per_stage % batch)
    throw Error(
        "controller.images_per_stage: " + std::to_string(params.controller.images_per_stage) +
        " is not a multiple of mac_array.batch = " + std::to_string(batch));
  if (params.controller.refresh_interval_images % batch)
    throw Error(
        "refresh.interval_images: " + std::to_string(params.controller.refresh_interval_images) +
        " is not a multiple of mac_array.batch = " + std::to_string(batch));
  if (layout.total_bytes > params.weight_sram.capacity_bytes)
    throw Error("weight_sram.capacity_kib: the network's weights need " +
                std::to_string((layout.total_bytes + 1023) / 1024) + " KiB but the SRAM holds " +
                std::to_string(params.weight_sram.capacity_bytes / 1024) + " KiB");
  // Voltage domains: layers out of the low-voltage array, layers on their own supply.
  std::string names;
  for (const WeightRegion& region : layout.regions)
    names += (names.empty() ? "" : ", ") + network.layers[region.layer].name;
  auto known = [&](const std::string& name, const char* key) {
    for (const WeightRegion& region : layout.regions)
      if (network.layers[region.layer].name == name) return;
    throw Error(std::string(key) + ": no layer with weights is named '" + name +
                "' (expected some of " + names + ")");
  };
  for (const std::string& name : params.weights.fault_layers) known(name, "weights.fault_layers");
  for (const auto& [name, volts] : params.weights.layer_vdd_v) known(name, "weights.layer_vdd_v");
  const std::vector<std::string>& low = params.weights.fault_layers;
  for (const WeightRegion& region : layout.regions) {
    const std::string& name = network.layers[region.layer].name;
    VoltageDomain domain;
    domain.first_word = region.weight_address / WeightLayout::kWordBytes;
    domain.end_word = region.end_address / WeightLayout::kWordBytes;
    const auto vdd = params.weights.layer_vdd_v.find(name);
    if (!low.empty() && std::find(low.begin(), low.end(), name) == low.end()) {
      domain.vdd_v = params.weight_sram.circuit.vnom_v;  // kept out of the low-voltage array
      domain.faults = false;
    } else if (vdd != params.weights.layer_vdd_v.end()) {
      domain.vdd_v = vdd->second;
    } else {
      continue;
    }
    params.weight_sram.domains.push_back(domain);
  }
  params.activation_buffer.capacity_bytes =
      std::max(params.activation_buffer.capacity_bytes,
               Controller::activation_bytes_needed(params.controller, network));
  return params;
}

}  // namespace

Accelerator::Accelerator(const sc_core::sc_module_name& name, AcceleratorParams params,
                         const Network& network, const Dataset& dataset,
                         Controller::Progress progress)
    : sc_module(name),
      layout_(WeightLayout::of(network, make_weight_format(params.weights.format),
                               params.weights.input_scales)),
      params_(resolve(std::move(params), network, layout_)),
      dram("dram", params_.dram),
      weight_sram("weight_sram", params_.weight_sram),
      activation_buffer("activation_buffer", params_.activation_buffer),
      mac_array("mac_array", params_.mac_array, network, layout_),
      controller("controller", params_.controller, network, dataset, layout_, mac_array,
                 std::move(progress)) {
  const std::vector<uint8_t> golden = layout_.image(network);
  dram.preload(0, golden.data(), golden.size());
  tlm::tlm_global_quantum::instance().set(params_.quantum);

  controller.dram_socket.bind(dram.socket);
  controller.sram_socket.bind(weight_sram.dma_socket);
  controller.activation_socket.bind(activation_buffer.dma_socket);
  mac_array.weight_socket.bind(weight_sram.array_socket);
  mac_array.activation_socket.bind(activation_buffer.array_socket);
}

EnergyReport Accelerator::energy_report() const {
  EnergyReport report;
  report.images = controller.stats().images;
  auto add = [&](const char* component, const char* event, double count, double pj_each) {
    report.terms.push_back({component, event, count, pj_each});
  };
  const double tech = params_.energy.tech_scale;
  add("mac", "MACs", static_cast<double>(mac_array.stats().macs),
      horowitz_45nm(params_.energy.mac_format).mac_pj() * tech);

  const WeightSramStats& sram = weight_sram.stats();
  const double word_pj = weight_sram.access_energy_pj();
  const double run_ns = sc_core::sc_time_stamp().to_seconds() * 1e9;
  const std::vector<DomainReport> domains = weight_sram.domains();
  if (domains.size() <= 1) {
    add("weight_sram_dynamic", "word reads", static_cast<double>(sram.words_read), word_pj);
    add("weight_sram_leakage", "ns powered (count) x mW (each)", run_ns, weight_sram.leakage_mw());
  } else {
    // Voltage domains: each domain's reads at its own energy, its words leak at its own supply.
    for (const DomainReport& d : domains) {
      char at[64];
      std::snprintf(at, sizeof at, " at %.3f V", d.vdd_v);
      add("weight_sram_dynamic", (std::string("word reads") + at).c_str(),
          static_cast<double>(d.words_read), d.access_pj);
      add("weight_sram_leakage", (std::string("ns powered (count) x mW (each)") + at).c_str(),
          run_ns, d.leakage_mw);
    }
  }

  const ActivationBufferStats& buffer = activation_buffer.stats();
  add("activation_buffer", "64-bit accesses",
      static_cast<double>(buffer.read_bytes + buffer.write_bytes) / 8.0,
      activation_buffer.access_energy_pj());
  add("activation_buffer", "ns powered (count) x mW (each)", run_ns,
      activation_buffer.leakage_mw());

  // Every weight load (the first, then each refresh) moves the same bytes over
  // the same DRAM rows into the same SRAM words, so each gets an equal share.
  const double loads = static_cast<double>(std::max<uint64_t>(1, controller.stats().weight_loads));
  const DramStats& dram_stats = dram.stats();
  const double bits = 8.0 * static_cast<double>(dram_stats.read_bytes + dram_stats.write_bytes);
  const double activations = static_cast<double>(dram_stats.activations());
  const double written = static_cast<double>(sram.words_written);
  double written_pj = 0.0;  // each domain's writes at its own supply
  for (const DomainReport& d : domains)
    written_pj += static_cast<double>(d.words_written) * d.access_pj;
  const double write_pj = written > 0.0 ? written_pj / written : word_pj;
  for (const auto& [component, share] : {std::pair{"dram_initial_load", 1.0 / loads},
                                         std::pair{"dram_refresh", 1.0 - 1.0 / loads}}) {
    if (share <= 0.0) continue;
    add(component, "DRAM bits moved", bits * share, dram.params().pj_per_bit);
    add(component, "DRAM row activations", activations * share, dram.params().activate_nj * 1e3);
    add(component, "weight SRAM word writes", written * share, write_pj);
  }

  const Mitigation& mitigation = weight_sram.mitigation();
  if (mitigation.uses_detector())
    add("detector_ecc", "detector word reads", static_cast<double>(sram.words_read),
        params_.energy.detector_pj_per_word * tech);
  if (mitigation.check_bits() > 0) {
    add("detector_ecc", "SEC-DED decodes", static_cast<double>(sram.words_read),
        params_.energy.ecc_decode_pj_per_word * tech);
    add("detector_ecc", "SEC-DED encodes", written, params_.energy.ecc_encode_pj_per_word * tech);
  }
  return report;
}

void fresh_simulation_context() {
  // The old context is left alive on purpose: modules of the previous run may
  // still refer to it while they are destroyed.
  sc_core::sc_curr_simcontext = new sc_core::sc_simcontext;
  sc_core::sc_default_global_context = sc_core::sc_curr_simcontext;
}

}  // namespace lvsim
