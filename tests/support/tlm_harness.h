// A shared harness for testing TLM targets: an initiator module with a few
// sockets to bind to a target's ports, and one-line transactions that report
// the response status and the delay the target added (as VCML's tests do for
// its peripherals); small memories to bind it to, and the check that a target
// refuses a spoiled payload.
#pragma once

#include <tlm_utils/simple_initiator_socket.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "models/memory/dram.h"
#include "models/tlm/burst.h"
#include "models/weight_sram/weight_sram.h"

namespace lvsim::test {

struct Response {
  tlm::tlm_response_status status = tlm::TLM_INCOMPLETE_RESPONSE;
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;  // what the target added
  bool ok() const { return status == tlm::TLM_OK_RESPONSE; }
};

class TlmHarness : public sc_core::sc_module {
 public:
  using Socket = tlm_utils::simple_initiator_socket<TlmHarness>;

  // `ports` initiator sockets, port(0) ... port(ports - 1); bind each to a target.
  explicit TlmHarness(const sc_core::sc_module_name& name, int ports = 1) : sc_module(name) {
    for (int i = 0; i < ports; ++i) {
      sockets_.push_back(std::make_unique<Socket>(("port" + std::to_string(i)).c_str()));
      sockets_.back()->register_invalidate_direct_mem_ptr(this, &TlmHarness::invalidated);
    }
  }

  Socket& port(int index) { return *sockets_.at(static_cast<size_t>(index)); }
  // DMI invalidations the targets sent, over all ports.
  int invalidations() const { return invalidations_; }

  Response write(int index, uint64_t address, std::vector<unsigned char>& data) {
    return send(index, tlm::TLM_WRITE_COMMAND, address, data.data(), data.size());
  }
  Response read(int index, uint64_t address, std::vector<unsigned char>& data) {
    return send(index, tlm::TLM_READ_COMMAND, address, data.data(), data.size());
  }
  // Any payload; `prepare` may change it (byte enables, streaming width,
  // extensions) before it is sent.
  template <typename Prepare>
  Response send_prepared(int index, tlm::tlm_command command, uint64_t address, unsigned char* data,
                         uint64_t bytes, Prepare prepare) {
    Burst burst(command, address, data, bytes);
    prepare(burst);
    Response response;
    response.status = burst.send(port(index), response.delay);
    return response;
  }
  Response send(int index, tlm::tlm_command command, uint64_t address, unsigned char* data,
                uint64_t bytes) {
    return send_prepared(index, command, address, data, bytes, [](Burst&) {});
  }
  // An IGNORE-command report carrying `extension` over [address, address + bytes).
  template <typename Extension>
  Response report(int index, uint64_t address, uint64_t bytes, Extension& extension) {
    return send_prepared(index, tlm::TLM_IGNORE_COMMAND, address, nullptr, bytes,
                         [&](Burst& burst) { burst.carrying(extension); });
  }
  unsigned debug_read(int index, uint64_t address, std::vector<unsigned char>& data) {
    return Burst(tlm::TLM_READ_COMMAND, address, data.data(), data.size()).debug(port(index));
  }

 private:
  void invalidated(sc_dt::uint64, sc_dt::uint64) { ++invalidations_; }

  std::vector<std::unique_ptr<Socket>> sockets_;
  int invalidations_ = 0;
};

inline DramParams small_dram(const std::string& preset, uint64_t bytes) {
  DramParams params = dram_preset(preset);
  params.capacity_bytes = bytes;
  return params;
}

inline WeightSramParams small_sram(uint64_t bytes) {
  WeightSramParams params;
  params.capacity_bytes = bytes;
  return params;
}

// Sends a burst whose payload `prepare` spoils; the target must refuse it
// with `status` and charge nothing.
template <typename Prepare>
void check_refused(TlmHarness& host, int port, tlm::tlm_command command, uint64_t address,
                   uint64_t bytes, tlm::tlm_response_status status, Prepare prepare) {
  std::vector<unsigned char> data(bytes + 64);
  const Response response = host.send_prepared(port, command, address, data.data(), bytes, prepare);
  CHECK(response.status == status);
  CHECK(response.delay == sc_core::SC_ZERO_TIME);
}

// A memory's statistics show no access.
template <typename Stats>
bool untouched(const Stats& stats) {
  return stats.words_read == 0 && stats.words_written == 0 && stats.busy_cycles == 0;
}

}  // namespace lvsim::test
