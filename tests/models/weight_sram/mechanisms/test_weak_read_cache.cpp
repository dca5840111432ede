// The fault injector's bookkeeping of weak words
// (models/weight_sram/mechanisms/weak_read_cache.h): after a first read, a weak word whose
// permanent cells fail as before is counted, not read again, until its stored
// bits change or a DMA write makes every word read anew.
#include <catch2/catch.hpp>
#include <cstdint>
#include <numeric>
#include <vector>

#include "models/weight_sram/mechanisms/weak_cell_map.h"
#include "models/weight_sram/mechanisms/weak_read_cache.h"
#include "models/weight_sram/mitigation/mitigation.h"
#include "models/weight_sram/sram_contents.h"
#include "tests/support/weight_sram_bench.h"

using namespace lvsim;
using namespace lvsim::test;

TEST_CASE("a clean weak word is counted as it read, and read again once it changes",
          "[weight_sram][weak_cells]") {
  const WeakCellMap map(WeakCellTraits{}, 0, cells_weak(1024, 0.01));  // permanent cells only
  const size_t weak = map.words().size();
  REQUIRE(weak > 100);
  const auto flip = make_mitigation("flip");
  const SramContents contents("contents", 1024 * 4, *flip, false);  // every stored bit 0
  WeakReadCache cache(weak);
  WeakReadCache::Range range;
  FaultStats stats;
  auto read = [&](size_t first, size_t end) {
    const std::vector<size_t> words = cache.start_read(first, end, map, {}, contents, range, stats);
    for (size_t index : words)
      cache.after_read(index, map.words()[index], false, contents, 32, range);
    cache.end_read(range);
    return words;
  };

  // The first read after power-up reads every weak word.
  std::vector<size_t> every(weak);
  std::iota(every.begin(), every.end(), size_t{0});
  CHECK(read(0, weak) == every);
  CHECK(stats.weak_bit_faults == 0);  // the caller counts the words it reads

  // Nothing changed them: the next read reads none and counts what they read.
  // On stored 0s the cells stuck at 1 read wrong; flip lets them through.
  uint64_t wrong_bits = 0, wrong_words = 0;
  for (const WeakWord& w : map.words()) {
    const int wrong = __builtin_popcountll(w.permanent & w.stuck_ones);
    wrong_bits += static_cast<uint64_t>(wrong);
    wrong_words += wrong > 0;
  }
  REQUIRE(wrong_words > 10);
  CHECK(read(0, weak).empty());
  CHECK(stats.weak_bit_faults == wrong_bits);
  CHECK(stats.faulty_word_reads == wrong_words);
  CHECK(stats.silent_word_reads == wrong_words);

  // A word whose stored bits changed is read again, alone.
  cache.mark_dirty(3);
  CHECK(read(0, weak) == std::vector<size_t>{3});
  CHECK(read(0, weak).empty());
  // A DMA write: every weak word reads anew, each range only its own.
  cache.invalidate();
  CHECK(read(2, 5) == std::vector<size_t>{2, 3, 4});
}
