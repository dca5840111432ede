#include "models/memory/activation_buffer.h"

#include "models/common/ceil_div.h"

namespace lvsim {

const ParamTable<ActivationBufferParams>& ActivationBufferParams::table() {
  static const ParamTable<ActivationBufferParams> table = [] {
    using P = ActivationBufferParams;
    ParamTable<P> t;
    t.integer("activation_buffer.capacity_kib", &P::capacity_bytes, 1024, 1, 1 << 30, 1024)
        .unit("KiB")
        .help("activation buffer capacity (grown if a stage of images does not fit)");
    t.integer("activation_buffer.bytes_per_cycle", &P::bytes_per_cycle, 64, 1, 1 << 20)
        .unit("bytes/cycle")
        .help(
            "activation buffer bandwidth (64: 16 fp32 words per cycle, matching a 16-wide array "
            "edge)");
    return t;
  }();
  return table;
}

ActivationBuffer::ActivationBuffer(const sc_core::sc_module_name& name,
                                   const ActivationBufferParams& params)
    : sc_module(name),
      dma_socket("dma_socket"),
      array_socket("array_socket"),
      params_(params),
      memory_(std::string(this->name()), params.capacity_bytes) {
  if (params.bytes_per_cycle <= 0)
    invalid(&ActivationBufferParams::bytes_per_cycle, "activation buffer bandwidth",
            "a positive number of bytes per cycle");
  for (auto* port : {&dma_socket, &array_socket}) {
    port->register_b_transport(this, &ActivationBuffer::b_transport);
    port->register_get_direct_mem_ptr(this, &ActivationBuffer::get_direct_mem_ptr);
    port->register_transport_dbg(this, &ActivationBuffer::transport_dbg);
  }
}

uint64_t ActivationBuffer::transfer_cycles(uint64_t bytes) const {
  const uint64_t width = static_cast<uint64_t>(params_.bytes_per_cycle);
  return ceil_div(bytes, width);
}

void ActivationBuffer::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  uint64_t read_bytes = 0, write_bytes = 0;
  if (trans.get_command() == tlm::TLM_IGNORE_COMMAND) {
    const ActivationTrafficExtension* traffic = nullptr;
    trans.get_extension(traffic);
    if (traffic == nullptr) {
      trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
      return;
    }
    read_bytes = traffic->read_bytes;
    write_bytes = traffic->write_bytes;
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
  } else {
    if (!memory_.execute(trans)) return;
    (trans.is_read() ? read_bytes : write_bytes) = trans.get_data_length();
  }
  const uint64_t cycles = transfer_cycles(read_bytes + write_bytes);
  stats_.read_bytes += read_bytes;
  stats_.write_bytes += write_bytes;
  stats_.busy_cycles += cycles;
  delay += params_.clock_period * static_cast<double>(cycles);
}

double ActivationBuffer::access_energy_pj() const {
  return sram_access_energy_pj(params_.circuit,
                               static_cast<double>(params_.capacity_bytes) / params_.banks(), 64,
                               params_.circuit.vnom_v);
}

double ActivationBuffer::leakage_mw() const {
  return sram_leakage_mw(params_.circuit, static_cast<double>(params_.capacity_bytes),
                         params_.circuit.vnom_v);
}

bool ActivationBuffer::get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
  return memory_.grant_dmi(trans, dmi, params_.clock_period, params_.clock_period);
}

unsigned ActivationBuffer::transport_dbg(tlm::tlm_generic_payload& trans) {
  return memory_.debug(trans);
}

}  // namespace lvsim
