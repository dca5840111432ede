#include <catch2/catch.hpp>
#include <cstring>

#include "tests/support/helpers.h"
#include "workloads/common/error.h"
#include "workloads/formats/safetensors.h"

using namespace lvsim;
using lvsim::test::safetensors_bytes;
using lvsim::test::ScratchDir;
using lvsim::test::write_bytes;

namespace {

std::vector<uint8_t> with_header(const std::string& json, size_t data_bytes) {
  const uint64_t length = json.size();
  std::vector<uint8_t> bytes(8 + json.size() + data_bytes, 0);
  std::memcpy(bytes.data(), &length, 8);
  std::memcpy(bytes.data() + 8, json.data(), json.size());
  return bytes;
}

}  // namespace

TEST_CASE("safetensors reader returns tensors and metadata", "[safetensors]") {
  ScratchDir dir;
  const std::string path = dir.file("w.safetensors");
  write_bytes(path, safetensors_bytes({{"a", {{2, 3}, {1, 2, 3, 4, 5, 6}}}, {"b", {{1}, {-7.5f}}}},
                                      {{"key", "value"}}));
  const SafeTensors st = SafeTensors::load(path);
  CHECK(st.metadata_value("key") == "value");
  CHECK(st.f32("a", {2, 3}) == std::vector<float>{1, 2, 3, 4, 5, 6});
  CHECK(st.f32("b", {1}) == std::vector<float>{-7.5f});
  CHECK_THROWS_WITH(st.f32("a", {3, 2}), Catch::Contains("'a' is F32 [2,3], expected F32 [3,2]"));
  CHECK_THROWS_WITH(st.u8("a", {2, 3}), Catch::Contains("expected U8"));
  CHECK_THROWS_WITH(st.f32("c", {1}), Catch::Contains("missing tensor 'c'"));
  CHECK_THROWS_WITH(st.metadata_value("nope"), Catch::Contains("lacks 'nope'"));
}

TEST_CASE("safetensors reader rejects corrupt files", "[safetensors]") {
  ScratchDir dir;
  const std::string path = dir.file("bad.safetensors");
  std::vector<uint8_t> good = safetensors_bytes({{"a", {{4}, {1, 2, 3, 4}}}}, {});

  std::vector<uint8_t> truncated(good.begin(), good.end() - 4);
  write_bytes(path, truncated);
  CHECK_THROWS_WITH(SafeTensors::load(path),
                    Catch::Contains(path) && Catch::Contains("outside the 12-byte data section"));

  write_bytes(path, {1, 2, 3});
  CHECK_THROWS_WITH(SafeTensors::load(path), Catch::Contains("truncated"));

  write_bytes(path, with_header("{not json", 0));
  CHECK_THROWS_WITH(SafeTensors::load(path), Catch::Contains("not valid JSON"));

  write_bytes(path, with_header(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,16]}})", 16));
  CHECK_THROWS_WITH(SafeTensors::load(path), Catch::Contains("do not match F32 [3]"));

  write_bytes(path, with_header(R"({"a":{"dtype":"Q7","shape":[1],"data_offsets":[0,1]}})", 1));
  CHECK_THROWS_WITH(SafeTensors::load(path), Catch::Contains("unknown dtype 'Q7'"));

  write_bytes(path, with_header(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                                12));
  CHECK_THROWS_WITH(SafeTensors::load(path), Catch::Contains("overlap"));

  write_bytes(path, with_header(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                R"("a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                                8));
  CHECK_THROWS_WITH(SafeTensors::load(path), Catch::Contains("names 'a' twice"));

  std::vector<uint8_t> huge_header = good;
  const uint64_t absurd = 1ull << 40;
  std::memcpy(huge_header.data(), &absurd, 8);
  write_bytes(path, huge_header);
  CHECK_THROWS_WITH(SafeTensors::load(path), Catch::Contains("exceeds the file"));
}
