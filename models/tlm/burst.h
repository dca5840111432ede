// Initiator-side TLM habits in one place: a burst is one generic payload built
// from a few arguments, sent with blocking transport, its extensions attached
// for the call only (the payload lives on the initiator's stack, in the
// loosely-timed style of the TLM examples); a refused burst is an lvsim::Error
// naming the initiator; DMI pointers are asked for the same way everywhere.
#pragma once

#include <cstdint>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "workloads/common/error.h"

namespace lvsim {

// Throws lvsim::Error when a target refused a payload: "<initiator>: read of N
// bytes at 0x... failed: <response>".
void check_response(const tlm::tlm_generic_payload& trans, const std::string& initiator);

class Burst {
 public:
  // `bytes` at `address`, from (write) or into (read) `data`; streaming width
  // = length (an incrementing burst), no byte enables.
  Burst(tlm::tlm_command command, uint64_t address, unsigned char* data, uint64_t bytes);
  ~Burst();
  Burst(const Burst&) = delete;
  Burst& operator=(const Burst&) = delete;

  // Attaches `extension` (owned by the caller) until the burst is destroyed.
  template <typename Extension>
  Burst& carrying(Extension& extension) {
    payload_.set_extension(&extension);
    attached_.push_back(Extension::ID);
    return *this;
  }

  // Sends the burst through `socket`; the target adds its latency to `delay`.
  template <typename Socket>
  tlm::tlm_response_status send(Socket& socket, sc_core::sc_time& delay) {
    payload_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    socket->b_transport(payload_, delay);
    return payload_.get_response_status();
  }
  // The same, and a refusal is an lvsim::Error naming `initiator`.
  template <typename Socket>
  void send_or_throw(Socket& socket, sc_core::sc_time& delay, const std::string& initiator) {
    send(socket, delay);
    check_response(payload_, initiator);
  }
  // Debug access (no time, no statistics); returns the bytes moved.
  template <typename Socket>
  unsigned debug(Socket& socket) {
    return socket->transport_dbg(payload_);
  }

  tlm::tlm_generic_payload& payload() { return payload_; }

 private:
  tlm::tlm_generic_payload payload_;
  std::vector<unsigned int> attached_;  // extension ids to detach
};

// A DMI pointer to the whole of a target's memory, for reading (and writing
// where the target allows it); throws naming the initiator when refused.
template <typename Socket>
unsigned char* request_dmi(Socket& socket, const std::string& initiator, const std::string& what) {
  tlm::tlm_generic_payload trans;
  tlm::tlm_dmi dmi;
  trans.set_address(0);
  trans.set_command(tlm::TLM_READ_COMMAND);
  if (!socket->get_direct_mem_ptr(trans, dmi) || !dmi.is_read_allowed())
    throw Error(initiator + ": the " + what + " refused a DMI pointer");
  return dmi.get_dmi_ptr();
}

}  // namespace lvsim
