// The activation buffer as a TLM target: malformed payloads (a report without
// its extension or with a foreign one, an access past the end) get error
// responses and cost nothing; the DRAM beside it likewise.
#include <catch2/catch.hpp>
#include <vector>

#include "models/accelerator.h"
#include "models/memory/activation_buffer.h"
#include "models/memory/dram.h"
#include "models/tlm/burst.h"
#include "tests/support/tlm_harness.h"

using namespace lvsim;
using namespace lvsim::test;

TEST_CASE("the activation buffer and the DRAM refuse malformed payloads", "[tlm]") {
  fresh_simulation_context();
  ActivationBufferParams buffer_params;
  buffer_params.capacity_bytes = 256;
  ActivationBuffer buffer("buffer", buffer_params);
  Dram dram("dram", small_dram("lpddr4-3200", 256));
  TlmHarness host("host", 2);
  host.port(0).bind(buffer.array_socket);
  host.port(1).bind(dram.socket);
  const auto none = [](Burst&) {};

  check_refused(host, 0, tlm::TLM_IGNORE_COMMAND, 0, 0, tlm::TLM_GENERIC_ERROR_RESPONSE, none);
  WeightReadReport foreign;
  check_refused(host, 0, tlm::TLM_IGNORE_COMMAND, 0, 0, tlm::TLM_GENERIC_ERROR_RESPONSE,
                [&](Burst& b) { b.carrying(foreign); });
  check_refused(host, 0, tlm::TLM_WRITE_COMMAND, 250, 8, tlm::TLM_ADDRESS_ERROR_RESPONSE, none);
  CHECK(buffer.stats().read_bytes + buffer.stats().write_bytes == 0);

  check_refused(host, 1, tlm::TLM_READ_COMMAND, 252, 8, tlm::TLM_ADDRESS_ERROR_RESPONSE, none);
  check_refused(host, 1, tlm::TLM_READ_COMMAND, 0, 8, tlm::TLM_BURST_ERROR_RESPONSE,
                [](Burst& b) { b.payload().set_streaming_width(4); });
  // An IGNORE command moves nothing and costs nothing (TLM-2.0 base protocol).
  std::vector<unsigned char> data(8);
  const Response ignored = host.send(1, tlm::TLM_IGNORE_COMMAND, 0, data.data(), 8);
  CHECK(ignored.ok());
  CHECK(ignored.delay == sc_core::SC_ZERO_TIME);
  CHECK(dram.stats().bursts == 0);
  CHECK(dram.stats().read_bytes + dram.stats().write_bytes == 0);
}
