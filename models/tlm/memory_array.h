// The part every TLM memory target shares: a byte array, the generic-payload
// rules (address range, no byte enables, no streaming), data movement for
// READ/WRITE, DMI grants and debug access. Each memory module owns one and adds
// its own timing, energy and statistics.
#pragma once

#include <cstdint>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

namespace lvsim {

class MemoryArray {
 public:
  MemoryArray(std::string owner, uint64_t bytes) : owner_(std::move(owner)), bytes_(bytes, 0) {}

  unsigned char* data() { return bytes_.data(); }
  const unsigned char* data() const { return bytes_.data(); }
  uint64_t size() const { return bytes_.size(); }

  // Checks the payload and, for READ/WRITE, moves the data. Sets the response
  // status; returns false when the payload was rejected.
  bool execute(tlm::tlm_generic_payload& trans);
  // The checks of execute() alone: sets an error status and returns false, or
  // returns true and leaves the status for the caller.
  bool validate(tlm::tlm_generic_payload& trans) const;
  // Fills `dmi` for the whole array with the given per-access latencies.
  bool grant_dmi(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi,
                 const sc_core::sc_time& read_latency, const sc_core::sc_time& write_latency);
  unsigned debug(tlm::tlm_generic_payload& trans);

 private:
  bool in_range(uint64_t address, uint64_t length) const {
    return address <= bytes_.size() && length <= bytes_.size() - address;
  }

  std::string owner_;
  std::vector<unsigned char> bytes_;
};

}  // namespace lvsim
