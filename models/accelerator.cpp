#include "models/accelerator.h"

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
  if (layout.total_bytes > params.weight_sram.capacity_bytes)
    throw Error("weight_sram.capacity_kib: the network's weights need " +
                std::to_string((layout.total_bytes + 1023) / 1024) + " KiB but the SRAM holds " +
                std::to_string(params.weight_sram.capacity_bytes / 1024) + " KiB");
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
      layout_(WeightLayout::of(network)),
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

void fresh_simulation_context() {
  // The old context is left alive on purpose: modules of the previous run may
  // still refer to it while they are destroyed.
  sc_core::sc_curr_simcontext = new sc_core::sc_simcontext;
  sc_core::sc_default_global_context = sc_core::sc_curr_simcontext;
}

}  // namespace lvsim
