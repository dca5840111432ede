// What every TLM memory target shares (models/tlm/memory_array.h), as an
// initiator meets it: bursts move the right bytes with the target's modelled
// latency, debug reads see them, and an access outside the memory is an
// address error that leaves the statistics untouched.
#include <catch2/catch.hpp>
#include <numeric>

#include "models/accelerator.h"
#include "models/memory/dram.h"
#include "models/tlm/burst.h"
#include "models/tlm/memory_array.h"
#include "models/weight_sram/weight_sram.h"
#include "tests/support/tlm_harness.h"

using namespace lvsim;
using namespace lvsim::test;

TEST_CASE("a DMA burst moves the right bytes DRAM -> SRAM with the modelled latency", "[tlm]") {
  fresh_simulation_context();
  Dram dram("dram", small_dram("lpddr4-3200", 4096));
  WeightSramParams sram_params = small_sram(4096);
  sram_params.banks = 16;
  WeightSram sram("sram", sram_params);
  TlmHarness dma("dma", 3);
  dma.port(0).bind(dram.socket);
  dma.port(1).bind(sram.dma_socket);
  dma.port(2).bind(sram.array_socket);

  std::vector<uint8_t> golden(4096);
  std::iota(golden.begin(), golden.end(), 0);  // 0, 1, ..., 255, 0, 1, ...
  dram.preload(0, golden.data(), golden.size());

  std::vector<unsigned char> buffer(1024);
  const Response from_dram = dma.read(0, 512, buffer);
  REQUIRE(from_dram.ok());
  CHECK(std::equal(buffer.begin(), buffer.end(), golden.begin() + 512));
  // LPDDR4-3200: 35.5 ns to the first beat, then 1024 B at 12.8 B/ns = 80 ns.
  CHECK(from_dram.delay.to_seconds() * 1e9 == Approx(35.5 + 80.0));

  const Response into_sram = dma.write(1, 512, buffer);
  REQUIRE(into_sram.ok());
  // 256 words over 16 banks = 16 cycles, plus 1 cycle of access latency, at 2 ns.
  CHECK(into_sram.delay == sc_core::sc_time(34, sc_core::SC_NS));
  CHECK(dma.invalidations() == 1);  // the array's view of those words is stale now

  std::vector<unsigned char> readback(1024);
  REQUIRE(dma.debug_read(1, 512, readback) == 1024);
  CHECK(readback == buffer);
  CHECK(dram.stats().read_bytes == 1024);
  CHECK(dram.stats().bursts == 1);
  CHECK(sram.stats().words_written == 256);
  CHECK(sram.stats().write_bursts == 1);
}

TEST_CASE("an access outside a memory is an address error, and the initiator says so", "[tlm]") {
  fresh_simulation_context();
  Dram dram("dram", small_dram("ddr4-2400", 256));
  WeightSram sram("sram", small_sram(64));
  TlmHarness dma("dma", 3);
  dma.port(0).bind(dram.socket);
  dma.port(1).bind(sram.dma_socket);
  dma.port(2).bind(sram.array_socket);

  std::vector<unsigned char> buffer(128);
  CHECK(dma.read(0, 200, buffer).status == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  CHECK(dma.write(1, 0, buffer).status == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  CHECK(dram.stats().bursts == 0);
  CHECK(untouched(sram.stats()));

  tlm::tlm_generic_payload trans;
  trans.set_command(tlm::TLM_READ_COMMAND);
  trans.set_address(0x40);
  trans.set_data_length(8);
  trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
  CHECK_THROWS_WITH(check_response(trans, "dma"), Catch::Contains("dma: read of 8 bytes at 0x40"));
}
