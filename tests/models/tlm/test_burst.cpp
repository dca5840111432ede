// The initiator's side of a transaction (models/tlm/burst.h): a refused burst
// is one error line naming the initiator, and an extension is attached for the
// burst's life only.
#include <catch2/catch.hpp>
#include <vector>

#include "models/accelerator.h"
#include "models/tlm/burst.h"
#include "models/weight_sram/weight_sram.h"
#include "tests/support/tlm_harness.h"

using namespace lvsim;
using namespace lvsim::test;

TEST_CASE("an initiator's refused burst is one line naming it", "[tlm]") {
  fresh_simulation_context();
  WeightSram sram("sram", small_sram(64));
  TlmHarness host("host", 2);
  host.port(0).bind(sram.dma_socket);
  host.port(1).bind(sram.array_socket);
  std::vector<unsigned char> data(128);
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  CHECK_THROWS_WITH(
      Burst(tlm::TLM_WRITE_COMMAND, 0, data.data(), data.size())
          .send_or_throw(host.port(0), delay, "dma"),
      Catch::Contains("dma: write of 128 bytes at 0x0 failed") && Catch::Contains("ADDRESS_ERROR"));
  WeightReadReport report;
  {
    Burst burst(tlm::TLM_IGNORE_COMMAND, 0, nullptr, 64);
    burst.carrying(report);
    CHECK(burst.payload().get_extension<WeightReadReport>() == &report);
  }  // detached on destruction, or the payload's destructor would free() the caller's extension
  CHECK(report.batches == 1);
}
