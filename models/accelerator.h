// The top level: one module per hardware block, wired by TLM sockets.
//
//   Controller.dram_socket       -> Dram.socket                   (weight DMA reads)
//   Controller.sram_socket       -> WeightSram.dma_socket         (weight DMA writes)
//   Controller.activation_socket -> ActivationBuffer.dma_socket   (stage images, read logits)
//   MacArray.weight_socket       -> WeightSram.array_socket       (DMI + read reports)
//   MacArray.activation_socket   -> ActivationBuffer.array_socket (DMI + traffic reports)
#pragma once

#include <map>
#include <memory>
#include <string>
#include <systemc>
#include <vector>

#include "models/array/host/host_engine.h"
#include "models/array/mac_array.h"
#include "models/common/params.h"
#include "models/controller.h"
#include "models/energy.h"
#include "models/memory/activation_buffer.h"
#include "models/memory/dram.h"
#include "models/weight_sram/weight_sram.h"
#include "models/weights/weight_layout.h"
#include "workloads/dataset.h"
#include "workloads/network.h"

namespace lvsim {

// How the weights are stored (models/weights/weight_format.h) and which of them the
// low voltage reaches.
struct WeightsParams {
  std::string format;  // models/weights/weight_format.h
  // Layers whose words sit in the low-voltage array; empty: all of them. The
  // others are at the SRAM's nominal voltage, fault-free (per-layer
  // experiments: seed 003's layer-by-layer sensitivity).
  std::vector<std::string> fault_layers;
  // Per-layer supply voltages overriding the weight SRAM's (voltage domains).
  std::map<std::string, double> layer_vdd_v;
  // An integer format's int8 activation scale per layer with parameters, in
  // layer order (calibrate_input_scales, from calibration images; set by the run).
  std::vector<float> input_scales;

  WeightsParams() { table().apply_defaults(*this); }
  static const ParamTable<WeightsParams>& table();
};

struct AcceleratorParams {
  double clock_mhz{};        // one clock for the array and its SRAMs
  sc_core::sc_time quantum;  // TLM global quantum
  MacArrayParams mac_array;
  HostEngineParams host;  // how the simulating host computes the array's arithmetic
  WeightsParams weights;
  WeightSramParams weight_sram;
  ActivationBufferParams activation_buffer;
  DramParams dram;
  EnergyParams energy;
  ControllerParams controller;

  AcceleratorParams() { table().apply_defaults(*this); }
  static const ParamTable<AcceleratorParams>& table();
  // Every block's parameters and what the blocks need of them together (a
  // batch that divides the stages and the refresh interval, layer supplies the
  // SRAM can run at); throws FieldError naming the member.
  void validate() const;

  sc_core::sc_time clock_period() const {
    return sc_core::sc_time(1e3 / clock_mhz, sc_core::SC_NS);
  }
};

class Accelerator : public sc_core::sc_module {
 public:
  Accelerator(const sc_core::sc_module_name& name, AcceleratorParams params, const Network& network,
              const Dataset& dataset, Controller::Progress progress);

  const AcceleratorParams& params() const { return params_; }
  const WeightLayout& layout() const { return layout_; }
  // The energy of everything simulated so far: each module's event counts
  // times the per-event energies of its models (see energy.h for the sources).
  EnergyReport energy_report() const;

  WeightLayout layout_;
  AcceleratorParams params_;
  Dram dram;
  WeightSram weight_sram;
  ActivationBuffer activation_buffer;
  MacArray mac_array;
  Controller controller;

 private:
  void add_weight_sram_energy(EnergyReport& report, double run_ns) const;
  void add_weight_load_energy(EnergyReport& report) const;
  void add_detector_energy(EnergyReport& report, double run_ns) const;
};

// SystemC allows one elaboration per simulation context. Call this before
// building a new Accelerator in a process that already simulated one (tests).
void fresh_simulation_context();

}  // namespace lvsim
