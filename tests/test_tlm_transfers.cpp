#include <tlm_utils/simple_initiator_socket.h>

#include <catch2/catch.hpp>
#include <numeric>

#include "models/accelerator.h"
#include "models/dram.h"
#include "models/memory_target.h"
#include "models/weight_sram.h"
#include "workloads/error.h"

using namespace lvsim;

namespace {

// A bare initiator standing in for the controller's DMA engine.
struct TestInitiator : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<TestInitiator> to_dram{"to_dram"};
  tlm_utils::simple_initiator_socket<TestInitiator> to_sram{"to_sram"};
  // Stands in for the MAC array on the SRAM's second port (DMI invalidations).
  tlm_utils::simple_initiator_socket<TestInitiator> to_sram_array{"to_sram_array"};
  explicit TestInitiator(const sc_core::sc_module_name& name) : sc_module(name) {}

  static tlm::tlm_response_status transfer(tlm_utils::simple_initiator_socket<TestInitiator>& s,
                                           tlm::tlm_command command, uint64_t address,
                                           std::vector<unsigned char>& data,
                                           sc_core::sc_time& delay) {
    tlm::tlm_generic_payload trans;
    trans.set_command(command);
    trans.set_address(address);
    trans.set_data_ptr(data.data());
    trans.set_data_length(static_cast<unsigned>(data.size()));
    trans.set_streaming_width(static_cast<unsigned>(data.size()));
    s->b_transport(trans, delay);
    return trans.get_response_status();
  }
};

}  // namespace

TEST_CASE("a DMA burst moves the right bytes DRAM -> SRAM with the modelled latency", "[tlm]") {
  fresh_simulation_context();
  DramParams dram_params = dram_preset("lpddr4-3200");
  dram_params.capacity_bytes = 4096;
  WeightSramParams sram_params;
  sram_params.capacity_bytes = 4096;
  sram_params.banks = 16;
  sram_params.clock_period = sc_core::sc_time(2, sc_core::SC_NS);
  Dram dram("dram", dram_params);
  WeightSram sram("sram", sram_params);
  TestInitiator dma("dma");
  dma.to_dram.bind(dram.socket);
  dma.to_sram.bind(sram.dma_socket);
  dma.to_sram_array.bind(sram.array_socket);

  std::vector<uint8_t> golden(4096);
  std::iota(golden.begin(), golden.end(), 0);  // 0, 1, ..., 255, 0, 1, ...
  dram.preload(0, golden.data(), golden.size());

  std::vector<unsigned char> buffer(1024);
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  REQUIRE(TestInitiator::transfer(dma.to_dram, tlm::TLM_READ_COMMAND, 512, buffer, delay) ==
          tlm::TLM_OK_RESPONSE);
  CHECK(buffer[0] == golden[512]);
  CHECK(std::equal(buffer.begin(), buffer.end(), golden.begin() + 512));
  // LPDDR4-3200: 35.5 ns to the first beat, then 1024 B at 12.8 B/ns = 80 ns.
  CHECK(delay.to_seconds() * 1e9 == Approx(35.5 + 80.0));

  delay = sc_core::SC_ZERO_TIME;
  REQUIRE(TestInitiator::transfer(dma.to_sram, tlm::TLM_WRITE_COMMAND, 512, buffer, delay) ==
          tlm::TLM_OK_RESPONSE);
  // 256 words over 16 banks = 16 cycles, plus 1 cycle of access latency, at 2 ns.
  CHECK(delay == sc_core::sc_time(34, sc_core::SC_NS));

  std::vector<unsigned char> readback(1024);
  tlm::tlm_generic_payload debug;
  debug.set_command(tlm::TLM_READ_COMMAND);
  debug.set_address(512);
  debug.set_data_ptr(readback.data());
  debug.set_data_length(1024);
  REQUIRE(sram.dma_socket.get_base_export()->transport_dbg(debug) == 1024);
  CHECK(readback == buffer);

  CHECK(dram.stats().read_bytes == 1024);
  CHECK(dram.stats().bursts == 1);
  CHECK(sram.stats().words_written == 256);
  CHECK(sram.stats().write_bursts == 1);
}

TEST_CASE("an access outside a memory is an address error, and the initiator says so", "[tlm]") {
  fresh_simulation_context();
  DramParams dram_params = dram_preset("ddr4-2400");
  dram_params.capacity_bytes = 256;
  Dram dram("dram", dram_params);
  TestInitiator dma("dma");
  dma.to_dram.bind(dram.socket);
  WeightSramParams sram_params;
  sram_params.capacity_bytes = 64;
  WeightSram sram("sram", sram_params);
  dma.to_sram.bind(sram.dma_socket);
  dma.to_sram_array.bind(sram.array_socket);

  std::vector<unsigned char> buffer(128);
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  CHECK(TestInitiator::transfer(dma.to_dram, tlm::TLM_READ_COMMAND, 200, buffer, delay) ==
        tlm::TLM_ADDRESS_ERROR_RESPONSE);
  CHECK(TestInitiator::transfer(dma.to_sram, tlm::TLM_WRITE_COMMAND, 0, buffer, delay) ==
        tlm::TLM_ADDRESS_ERROR_RESPONSE);
  CHECK(delay == sc_core::SC_ZERO_TIME);
  CHECK(dram.stats().bursts == 0);

  tlm::tlm_generic_payload trans;
  trans.set_command(tlm::TLM_READ_COMMAND);
  trans.set_address(0x40);
  trans.set_data_length(8);
  trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
  CHECK_THROWS_WITH(check_response(trans, "dma"), Catch::Contains("dma: read of 8 bytes at 0x40"));
}

TEST_CASE("DRAM presets and their errors", "[dram]") {
  CHECK(dram_preset("lpddr4-3200").bandwidth_gb_per_s == 12.8);
  CHECK(dram_preset("ddr4-2400").bandwidth_gb_per_s == 19.2);
  CHECK_THROWS_WITH(dram_preset("hbm9"),
                    Catch::Contains("dram.preset") && Catch::Contains("lpddr4-3200 or ddr4-2400"));
}
