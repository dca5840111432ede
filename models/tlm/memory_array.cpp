#include "models/tlm/memory_array.h"

#include <cstring>

namespace lvsim {

bool MemoryArray::validate(tlm::tlm_generic_payload& trans) const {
  const uint64_t address = trans.get_address();
  const uint64_t length = trans.get_data_length();
  if (!in_range(address, length)) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return false;
  }
  if (trans.get_byte_enable_ptr() != nullptr) {
    trans.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return false;
  }
  if (trans.get_streaming_width() < length) {
    trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return false;
  }
  return true;
}

bool MemoryArray::execute(tlm::tlm_generic_payload& trans) {
  if (!validate(trans)) return false;
  const uint64_t address = trans.get_address();
  const uint64_t length = trans.get_data_length();
  if (trans.is_read()) std::memcpy(trans.get_data_ptr(), bytes_.data() + address, length);
  if (trans.is_write()) std::memcpy(bytes_.data() + address, trans.get_data_ptr(), length);
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  return true;
}

bool MemoryArray::grant_dmi(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi,
                            const sc_core::sc_time& read_latency,
                            const sc_core::sc_time& write_latency) {
  if (bytes_.empty() || trans.get_address() >= bytes_.size()) return false;
  dmi.set_dmi_ptr(bytes_.data());
  dmi.set_start_address(0);
  dmi.set_end_address(bytes_.size() - 1);
  dmi.allow_read_write();
  dmi.set_read_latency(read_latency);
  dmi.set_write_latency(write_latency);
  return true;
}

unsigned MemoryArray::debug(tlm::tlm_generic_payload& trans) {
  const uint64_t address = trans.get_address();
  if (address >= bytes_.size()) return 0;
  const uint64_t length = std::min<uint64_t>(trans.get_data_length(), bytes_.size() - address);
  if (trans.is_read()) std::memcpy(trans.get_data_ptr(), bytes_.data() + address, length);
  if (trans.is_write()) std::memcpy(bytes_.data() + address, trans.get_data_ptr(), length);
  return static_cast<unsigned>(length);
}

}  // namespace lvsim
