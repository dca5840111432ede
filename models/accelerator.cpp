#include "models/accelerator.h"

#include <algorithm>
#include <cstdio>
#include <optional>

namespace lvsim {
namespace {

// "conv1:0.9, fc2:0.9" -> {conv1: 0.9, fc2: 0.9}; nothing when malformed.
std::optional<std::map<std::string, double>> parse_layer_volts(const std::string& text) {
  std::map<std::string, double> volts;
  for (const std::string& pair : split_list(text)) {
    const size_t colon = pair.find(':');
    if (colon == std::string::npos || colon == 0) return std::nullopt;
    const std::string number = pair.substr(colon + 1);
    size_t used = 0;
    double value = 0.0;
    try {
      value = std::stod(number, &used);
    } catch (const std::logic_error&) {
      return std::nullopt;
    }
    if (used != number.size() || !(value > 0.0) || value > 5.0) return std::nullopt;
    volts[pair.substr(0, colon)] = value;
  }
  return volts;
}

std::string format_layer_volts(const std::map<std::string, double>& volts) {
  std::string text;
  for (const auto& [layer, v] : volts)
    text += (text.empty() ? "" : ", ") + layer + ":" + number_text(v);
  return text;
}

std::string layer_names(const Network& network, const WeightLayout& layout) {
  std::string names;
  for (const WeightRegion& region : layout.regions)
    names += (names.empty() ? "" : ", ") + network.layers[region.layer].name;
  return names;
}

// Layers out of the low-voltage array and layers on their own supply, as
// word ranges of the weight SRAM.
std::vector<VoltageDomain> voltage_domains(const AcceleratorParams& params, const Network& network,
                                           const WeightLayout& layout) {
  auto known = [&](const std::string& name, auto member) {
    for (const WeightRegion& region : layout.regions)
      if (network.layers[region.layer].name == name) return;
    invalid(member, "layer '" + name + "'",
            "names of layers with weights, some of " + layer_names(network, layout));
  };
  for (const std::string& name : params.weights.fault_layers)
    known(name, &WeightsParams::fault_layers);
  for (const auto& [name, volts] : params.weights.layer_vdd_v)
    known(name, &WeightsParams::layer_vdd_v);
  const std::vector<std::string>& low = params.weights.fault_layers;
  std::vector<VoltageDomain> domains;
  for (const WeightRegion& region : layout.regions) {
    const std::string& name = network.layers[region.layer].name;
    VoltageDomain domain;
    domain.first_word = region.weight_address / kWordBytes;
    domain.end_word = region.end_address / kWordBytes;
    const auto vdd = params.weights.layer_vdd_v.find(name);
    if (!low.empty() && std::find(low.begin(), low.end(), name) == low.end()) {
      domain.vdd_v = params.weight_sram.circuit.vnom_v;  // kept out of the low-voltage array
      domain.faults = false;
    } else if (vdd != params.weights.layer_vdd_v.end()) {
      domain.vdd_v = vdd->second;
    } else {
      continue;
    }
    domains.push_back(domain);
  }
  return domains;
}

// Which layers stream (models/controller.h): none when the weights fit the
// SRAM; else the layers, in order, stay resident while they fit beside the
// two stream buffers, and the others stream.
std::vector<size_t> streamed_regions(const AcceleratorParams& params, const WeightLayout& layout) {
  const uint64_t capacity = params.weight_sram.capacity_bytes;
  if (layout.total_bytes <= capacity) return {};
  const uint64_t buffers = 2 * params.controller.stream_tile_bytes;
  if (capacity <= buffers)
    invalid(&WeightSramParams::capacity_bytes,
            "weight SRAM of " + std::to_string(capacity / 1024) + " KiB for " +
                std::to_string((layout.total_bytes + 1023) / 1024) + " KiB of weights",
            "more than the two stream buffers of dma.stream_tile_kib (2 x " +
                std::to_string(params.controller.stream_tile_bytes / 1024) +
                " KiB) it needs to stream the layers that do not fit, or at least " +
                std::to_string((layout.total_bytes + 1023) / 1024) + " KiB");
  uint64_t room = capacity - buffers;
  std::vector<size_t> streamed;
  for (size_t i = 0; i < layout.regions.size(); ++i) {
    const uint64_t bytes = layout.regions[i].end_address - layout.regions[i].weight_address;
    if (bytes <= room)
      room -= bytes;
    else
      streamed.push_back(i);
  }
  return streamed;
}

// Fills in what follows from the platform: one clock for every block, memories
// sized to what they must hold, voltage domains from the layers.
AcceleratorParams resolve(AcceleratorParams params, const Network& network,
                          const WeightLayout& layout) {
  params.validate();
  const sc_core::sc_time period = params.clock_period();
  params.weight_sram.clock_period = period;
  params.activation_buffer.clock_period = period;
  params.mac_array.clock_period = period;
  if (layout.total_bytes > params.dram.capacity_bytes)
    invalid(&DramParams::capacity_bytes,
            "DRAM of " + std::to_string(params.dram.capacity_bytes >> 20) + " MiB",
            "at least " + std::to_string((layout.total_bytes + (1 << 20) - 1) >> 20) +
                " MiB, what the network's weights need");
  params.dram.stored_bytes = layout.total_bytes;
  params.controller.batch = params.mac_array.batch;
  // One technology for every on-chip SRAM; the activation buffer sits at nominal voltage.
  params.weight_sram.circuit.tech_scale = params.energy.tech_scale;
  params.weight_sram.circuit.temperature_c = params.weight_sram.chip.temperature_c;
  params.activation_buffer.circuit = params.weight_sram.circuit;
  if (params.energy.mac_format.empty()) params.energy.mac_format = layout.format->mac_format();
  horowitz_45nm(params.energy.mac_format);  // rejects an unknown format before the run
  params.controller.streamed_regions = streamed_regions(params, layout);
  params.weight_sram.address_bytes =
      std::max(params.weight_sram.capacity_bytes, layout.total_bytes);
  for (size_t index : params.controller.streamed_regions)
    params.weight_sram.streamed.emplace_back(layout.regions[index].weight_address / kWordBytes,
                                             layout.regions[index].end_address / kWordBytes);
  params.weight_sram.domains = voltage_domains(params, network, layout);
  if (layout.format->bits() < kWordBits)
    for (const WeightRegion& region : layout.regions)
      params.weight_sram.packed.push_back({region.weight_address / kWordBytes,
                                           region.weight_address / kWordBytes + region.weight_words,
                                           layout.format->bits()});
  params.activation_buffer.capacity_bytes =
      std::max(params.activation_buffer.capacity_bytes,
               Controller::activation_bytes_needed(params.controller, network));
  return params;
}

}  // namespace

const ParamTable<WeightsParams>& WeightsParams::table() {
  static const ParamTable<WeightsParams> table = [] {
    using P = WeightsParams;
    ParamTable<P> t;
    t.custom<std::string>(
         "weights.format", &P::format, "choice", "fp32",
         "fp32, fp16, bf16, trunc-K, int-K or binary",
         [](const std::string& text) -> std::optional<std::string> {
           make_weight_format(text);  // throws a ParameterError saying what would do
           return text;
         },
         [](const std::string& format) { return format; })
        .help(
            "stored weight format: fp32, fp16, bf16, trunc-K (K most significant fp32 bits "
            "kept, K = 1..32), int-K (symmetric K-bit, per-layer scale; int8 activations, "
            "integer MACs; K = 2..16) or binary (sign x per-layer mean|w|); packed floor(32/K) "
            "per SRAM word")
        .source("seeds 000 and 004 (trunc-K), seed 002 eq. 3.4 (int-K), XNOR-Net (binary)");
    t.custom<std::vector<std::string>>(
         "weights.fault_layers", &P::fault_layers, "list", "",
         "names of layers with weights separated by commas, e.g. fc1",
         [](const std::string& text) -> std::optional<std::vector<std::string>> {
           return split_list(text);
         },
         [](const std::vector<std::string>& layers) {
           std::string text;
           for (const std::string& layer : layers) text += (text.empty() ? "" : ", ") + layer;
           return text;
         })
        .help(
            "layers whose weights sit in the low-voltage array; the others are at sram.vnom_v "
            "and fault-free; empty: all layers")
        .source("seed 003's per-layer experiments");
    t.custom<std::map<std::string, double>>(
         "weights.layer_vdd_v", &P::layer_vdd_v, "pairs", "",
         "layer:volts pairs separated by commas, e.g. conv1:0.9, fc2:0.9 (volts in (0, 5])",
         parse_layer_volts, format_layer_volts)
        .help(
            "per-layer supply voltages overriding weight_sram.vdd_v: voltage domains that keep "
            "a sensitive layer at nominal");
    return t;
  }();
  return table;
}

const ParamTable<AcceleratorParams>& AcceleratorParams::table() {
  static const ParamTable<AcceleratorParams> table = [] {
    using P = AcceleratorParams;
    ParamTable<P> t;
    t.number("accelerator.clock_mhz", &P::clock_mhz, 500.0, 1.0, 10000.0)
        .unit("MHz")
        .help("array and on-chip SRAM clock (an edge accelerator in 28-45 nm)")
        .source("Eyeriss ran at 200 MHz in 65 nm, Chen et al. JSSC 2017");
    t.include(&P::mac_array, MacArrayParams::table());
    t.include(&P::weights, WeightsParams::table());
    t.include(&P::weight_sram, WeightSramParams::table());
    t.include(&P::controller, ControllerParams::table());
    t.include(&P::activation_buffer, ActivationBufferParams::table());
    t.include(&P::dram, DramParams::table());
    t.include(&P::energy, EnergyParams::table());
    t.include(&P::host, HostEngineParams::table());
    t.custom<sc_core::sc_time>(
         "sim.quantum_us", &P::quantum, "number", "1000", number_range_text(0.001, 1e9),
         [](const std::string& text) -> std::optional<sc_core::sc_time> {
           size_t used = 0;
           try {
             const double us = std::stod(text, &used);
             if (used == text.size() && us >= 0.001 && us <= 1e9)
               return sc_core::sc_time(us, sc_core::SC_US);
           } catch (const std::logic_error&) {
           }
           return std::nullopt;
         },
         [](const sc_core::sc_time& quantum) {
           return number_text(quantum / sc_core::sc_time(1, sc_core::SC_US));
         })
        .unit("us")
        .help("TLM global quantum of simulated time (temporal decoupling)");
    return t;
  }();
  return table;
}

void AcceleratorParams::validate() const {
  table().check(*this);
  weight_sram.validate();
  controller.validate();
  try {
    make_weight_format(weights.format);
  } catch (const ParameterError& error) {
    invalid(&WeightsParams::format, "weight format '" + weights.format + "'", error.expected());
  }
  for (const auto& [layer, volts] : weights.layer_vdd_v) {
    WeightSramParams domain = weight_sram;  // the layer's words, on their own supply
    domain.vdd_v = volts;
    try {
      domain.validate();
    } catch (const ParameterError& error) {
      invalid(&WeightsParams::layer_vdd_v, "supply of layer " + layer, error.expected());
    }
  }
  const auto batch = static_cast<uint64_t>(mac_array.batch);
  if (controller.images_per_stage % batch || controller.refresh_interval_images % batch)
    invalid(&MacArrayParams::batch, "batch of " + std::to_string(batch) + " images",
            "a divisor of the controller's images per stage (" +
                std::to_string(controller.images_per_stage) + ") and of the refresh interval (" +
                std::to_string(controller.refresh_interval_images) + " images)");
}

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
      mac_array("mac_array", params_.mac_array, params_.host, network, layout_),
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
  const double run_ns = sc_core::sc_time_stamp().to_seconds() * 1e9;
  report.add("mac", "MACs", static_cast<double>(mac_array.stats().macs),
             horowitz_45nm(params_.energy.mac_format).mac_pj() * params_.energy.tech_scale);
  report.add("vector", "element operations", static_cast<double>(mac_array.stats().vector_ops),
             params_.energy.vector_op_pj * params_.energy.tech_scale);
  add_weight_sram_energy(report, run_ns);
  const ActivationBufferStats& buffer = activation_buffer.stats();
  report.add("activation_buffer", "64-bit accesses",
             static_cast<double>(buffer.read_bytes + buffer.write_bytes) / 8.0,
             activation_buffer.access_energy_pj());
  report.add("activation_buffer", "ns powered (count) x mW (each)", run_ns,
             activation_buffer.leakage_mw());
  add_weight_load_energy(report);
  add_detector_energy(report, run_ns);
  return report;
}

void Accelerator::add_weight_sram_energy(EnergyReport& report, double run_ns) const {
  const std::vector<VoltageDomain>& domains = weight_sram.domains();
  if (weight_sram.stats().rail_raises > 0)  // writes above the read supply (write_vdd_v)
    report.add("weight_sram_dynamic", "write-rail raises",
               static_cast<double>(weight_sram.stats().rail_raises), weight_sram.rail_raise_pj());
  uint64_t written_back = 0;
  for (const VoltageDomain& d : domains) written_back += d.words_written_back;
  if (domains.size() <= 1) {
    report.add("weight_sram_dynamic", "word reads",
               static_cast<double>(weight_sram.stats().words_read), weight_sram.access_energy_pj());
    report.add("weight_sram_leakage", "ns powered (count) x mW (each)", run_ns,
               weight_sram.leakage_mw());
    if (written_back > 0)  // a write costs what a read does (models/weight_sram/sram_circuit.h)
      report.add("weight_sram_writeback", "word write-backs", static_cast<double>(written_back),
                 weight_sram.access_energy_pj());
    return;
  }
  // Voltage domains: each domain's reads at its own energy, its words leak at its own supply.
  for (const VoltageDomain& d : domains) {
    char at[64];
    std::snprintf(at, sizeof at, " at %.3f V", d.vdd_v);
    report.add("weight_sram_dynamic", std::string("word reads") + at,
               static_cast<double>(d.words_read), d.access_pj);
    report.add("weight_sram_leakage", std::string("ns powered (count) x mW (each)") + at, run_ns,
               d.leakage_mw);
    if (d.words_written_back > 0)
      report.add("weight_sram_writeback", std::string("word write-backs") + at,
                 static_cast<double>(d.words_written_back), d.access_pj);
  }
}

// Every weight load (the first, then each refresh) moves the same bytes over
// the same DRAM rows into the same SRAM words, so each gets an equal share;
// the streamed layers' loads (every batch) are a component of their own.
void Accelerator::add_weight_load_energy(EnergyReport& report) const {
  const double loads = static_cast<double>(std::max<uint64_t>(1, controller.stats().weight_loads));
  const DramStats& dram_stats = dram.stats();
  const auto streamed_bits = 8.0 * static_cast<double>(dram_stats.streamed_bytes);
  const auto streamed_activations = static_cast<double>(dram_stats.streamed_activations);
  const auto streamed_words = static_cast<double>(weight_sram.stats().words_streamed);
  const double bits =
      8.0 * static_cast<double>(dram_stats.read_bytes + dram_stats.write_bytes) - streamed_bits;
  const double activations = static_cast<double>(dram_stats.activations()) - streamed_activations;
  const double all_written = static_cast<double>(weight_sram.stats().words_written);
  const double written = all_written - streamed_words;
  double written_pj = 0.0;  // each domain's writes at its own supply
  for (const VoltageDomain& d : weight_sram.domains())
    written_pj += static_cast<double>(d.words_written) * d.write_access_pj;
  const double write_pj =
      all_written > 0.0 ? written_pj / all_written : weight_sram.access_energy_pj();
  for (const auto& [component, share] : {std::pair{"dram_initial_load", 1.0 / loads},
                                         std::pair{"dram_refresh", 1.0 - 1.0 / loads}}) {
    if (share <= 0.0) continue;
    report.add(component, "DRAM bits moved", bits * share, dram.params().pj_per_bit);
    report.add(component, "DRAM row activations", activations * share,
               dram.params().activate_nj * 1e3);
    report.add(component, "weight SRAM word writes", written * share, write_pj);
  }
  if (streamed_words <= 0.0) return;
  report.add("dram_stream", "DRAM bits moved", streamed_bits, dram.params().pj_per_bit);
  report.add("dram_stream", "DRAM row activations", streamed_activations,
             dram.params().activate_nj * 1e3);
  report.add("dram_stream", "weight SRAM word writes", streamed_words, write_pj);
}

void Accelerator::add_detector_energy(EnergyReport& report, double run_ns) const {
  const double tech = params_.energy.tech_scale;
  const double words_read = static_cast<double>(weight_sram.stats().words_read);
  const Mitigation& mitigation = weight_sram.mitigation();
  if (mitigation.uses_detector() && !weight_sram.uses_fault_map())
    report.add("detector_ecc", "detector word reads", words_read,
               params_.energy.detector_pj_per_word * tech);
  if (weight_sram.uses_fault_map()) {
    // The map is looked up on every word read (charged as the detector's
    // logic), written by the power-up March test (each access at its domain's
    // energy), and leaks at the nominal supply for the whole run.
    report.add("detector_ecc", "fault-map lookups", words_read,
               params_.energy.detector_pj_per_word * tech);
    for (const VoltageDomain& d : weight_sram.domains())
      if (d.self_test_accesses > 0)
        report.add("detector_ecc", "self-test (March C-) word accesses",
                   static_cast<double>(d.self_test_accesses), d.access_pj);
    report.add("detector_ecc", "fault-map storage ns powered (count) x mW (each)", run_ns,
               weight_sram.fault_map_leakage_mw());
  }
  if (mitigation.check_bits() > 0) {
    // One XOR tree per check bit: a code with fewer check bits than SEC-DED's 7
    // (parity: 1) costs that share of its encoder and decoder; a wider word's
    // code, with c check bits over n stored bits, c/7 x n/(32 + c_32) of the
    // (39,32) figures (each tree's inputs grow with the codeword, assumed).
    const WordGeometry& word = weight_sram.geometry();
    const double share =
        word.check_bits / 7.0 *
        (word.stored_bits() / static_cast<double>(kWordBits + mitigation.check_bits()));
    const std::string code = mitigation.check_code();
    report.add("detector_ecc", code + " decodes", words_read,
               params_.energy.ecc_decode_pj_per_word * tech * share);
    report.add("detector_ecc", code + " encodes",
               static_cast<double>(weight_sram.stats().words_written),
               params_.energy.ecc_encode_pj_per_word * tech * share);
  }
}

void fresh_simulation_context() {
  // The old context is left alive on purpose: modules of the previous run may
  // still refer to it while they are destroyed.
  sc_core::sc_curr_simcontext = new sc_core::sc_simcontext;
  sc_core::sc_default_global_context = sc_core::sc_curr_simcontext;
}

}  // namespace lvsim
