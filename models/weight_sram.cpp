#include "models/weight_sram.h"

#include "workloads/error.h"

namespace lvsim {

WeightSram::WeightSram(const sc_core::sc_module_name& name, const WeightSramParams& params)
    : sc_module(name),
      dma_socket("dma_socket"),
      array_socket("array_socket"),
      params_(params),
      memory_(std::string(this->name()), params.capacity_bytes) {
  if (params.banks <= 0) throw Error("weight_sram.banks: expected a positive integer");
  if (params.word_bits != 32)
    throw Error("weight_sram.word_bits: only 32-bit words are supported so far");
  for (auto* port : {&dma_socket, &array_socket}) {
    port->register_b_transport(this, &WeightSram::b_transport);
    port->register_get_direct_mem_ptr(this, &WeightSram::get_direct_mem_ptr);
    port->register_transport_dbg(this, &WeightSram::transport_dbg);
  }
}

uint64_t WeightSram::burst_cycles(uint64_t words) const {
  const uint64_t banks = static_cast<uint64_t>(params_.banks);
  return params_.access_latency_cycles + (words + banks - 1) / banks;
}

void WeightSram::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const uint64_t words = trans.get_data_length() / word_bytes();
  if (trans.get_command() == tlm::TLM_IGNORE_COMMAND) {
    const WeightReadExtension* reads = nullptr;
    trans.get_extension(reads);
    const uint64_t address = trans.get_address(), length = trans.get_data_length();
    if (reads == nullptr || address > memory_.size() || length > memory_.size() - address) {
      trans.set_response_status(reads ? tlm::TLM_ADDRESS_ERROR_RESPONSE
                                      : tlm::TLM_GENERIC_ERROR_RESPONSE);
      return;
    }
    const uint64_t cycles = burst_cycles(words * reads->passes);
    stats_.words_read += words * reads->passes;
    stats_.read_bursts += reads->passes;
    stats_.busy_cycles += cycles;
    delay += params_.clock_period * static_cast<double>(cycles);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
    return;
  }
  if (!memory_.execute(trans)) return;
  const uint64_t cycles = burst_cycles(words);
  (trans.is_read() ? stats_.words_read : stats_.words_written) += words;
  (trans.is_read() ? stats_.read_bursts : stats_.write_bursts) += 1;
  stats_.busy_cycles += cycles;
  delay += params_.clock_period * static_cast<double>(cycles);
}

bool WeightSram::get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
  const sc_core::sc_time one_access =
      params_.clock_period * static_cast<double>(params_.access_latency_cycles);
  return memory_.grant_dmi(trans, dmi, one_access, one_access);
}

unsigned WeightSram::transport_dbg(tlm::tlm_generic_payload& trans) { return memory_.debug(trans); }

}  // namespace lvsim
