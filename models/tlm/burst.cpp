#include "models/tlm/burst.h"

#include <sstream>

namespace lvsim {

void check_response(const tlm::tlm_generic_payload& trans, const std::string& initiator) {
  if (trans.is_response_ok()) return;
  std::ostringstream message;
  message << initiator << ": " << (trans.is_read() ? "read" : "write") << " of "
          << trans.get_data_length() << " bytes at 0x" << std::hex << trans.get_address()
          << " failed: " << trans.get_response_string();
  throw Error(message.str());
}

Burst::Burst(tlm::tlm_command command, uint64_t address, unsigned char* data, uint64_t bytes) {
  payload_.set_command(command);
  payload_.set_address(address);
  payload_.set_data_ptr(data);
  payload_.set_data_length(static_cast<unsigned>(bytes));
  payload_.set_streaming_width(static_cast<unsigned>(bytes));
  payload_.set_byte_enable_ptr(nullptr);
  payload_.set_dmi_allowed(false);
}

Burst::~Burst() {
  for (unsigned int id : attached_) payload_.set_extension(id, nullptr);
}

}  // namespace lvsim
