// What the weight SRAM's read path does when a read finds faulty bits: the
// swappable policy of the low-voltage SRAM.
//
// A stored word is 32 data bits plus check_bits() check bits; fault masks use
// bit i < 32 for data bit i and bit 32 + j for check bit j. The outcome is the
// word as the read returns it, and it is written back: faults persist.
//
//   flip       nothing done; each faulty bit is inverted (an unprotected SRAM)
//   sign       each faulty bit takes the value of its weight's sign bit (bit 31
//              of an fp32 word; the top bit of its field when a word packs
//              narrower weights, models/weights/weight_format.h) (Reagen et al., Minerva,
//              ISCA 2016); a faulty sign bit keeps its value. For two's
//              complement integers this moves a weight towards zero (towards -1
//              when negative). For sign-magnitude floats it does so only for
//              positive weights: a negative weight's faulty exponent bits are
//              set, raising its magnitude - why `sign` is only a little better
//              than `flip` on fp32 (seed 004).
//   zero       each faulty bit is forced to 0 (seed 004's proposal)
//   word-zero  the whole word is forced to 0: every weight the word packs (four
//              int-8 weights, two fp16 ones), not only the failing one
//   weight-zero  each weight holding a faulty bit is forced to 0, the word's
//              other weights are kept: Minerva's word masking (Reagen et al.,
//              ISCA 2016), which masks the failing weight; the same as
//              word-zero for 32-bit weights
//   secded     Hamming SEC-DED over the word's data bits: (39,32), (72,64) or
//              (137,128) at weight_sram.word_bits 32, 64, 128; a single faulty
//              bit is corrected, a double one detected and the word forced to 0;
//              the corrected word is written back (scrub on read)
//   parity     one even-parity bit per word: an odd number of faulty bits is
//              detected and the word forced to 0 (and written back); an even
//              number reaches the array unnoticed
//
// sign, zero, word-zero and weight-zero presume a detector that knows which bits failed
// (Razor-style double sampling, Ernst et al., MICRO 2003), or, with
// weight_sram.detector = bist-map, a fault map from a power-up self-test: the
// mapped cells are then masked on every read and nothing else is seen
// (SramContents, models/weight_sram/mechanisms/weak_cell_map.h).
//
// A word wider than 32 bits is read as 32-bit lanes sharing one decision
// (on_faulty_word): word-zero, parity and secded decide for the whole word,
// the others bit by bit or weight by weight, as in a 32-bit word (weights pack
// into 32-bit lanes whatever the width, models/weights/weight_format.h).
//
// Adding a policy: a Mitigation subclass, a factory, one line in
// builtin_mitigations() in mitigation.cpp.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace lvsim {

// What a read of a word of several 32-bit lanes decided (the data and check
// bits are returned in place).
struct WordOutcome {
  bool corrected = false;
  bool uncorrectable = false;
};

struct ReadOutcome {
  uint32_t data = 0;
  uint8_t check = 0;
  bool corrected = false;      // ECC fixed the word
  bool uncorrectable = false;  // ECC detected an error it could not fix
};

class Mitigation {
 public:
  virtual ~Mitigation() = default;
  virtual std::string name() const = 0;
  virtual int check_bits() const { return 0; }
  // The code the check bits hold, as the energy report names it ("SEC-DED").
  virtual std::string check_code() const { return name(); }
  virtual uint8_t encode(uint32_t /*data*/) const { return 0; }
  virtual bool uses_detector() const = 0;
  // A read of (data, check) in which the stored bits in `fault_mask` failed;
  // the word packs 32 / field_bits weights of field_bits bits each.
  virtual ReadOutcome on_faulty_read(uint32_t data, uint8_t check, uint64_t fault_mask,
                                     int field_bits) const = 0;
  ReadOutcome on_faulty_read(uint32_t data, uint8_t check, uint64_t fault_mask) const {
    return on_faulty_read(data, check, fault_mask, 32);
  }

  // A word of `lanes` 32-bit lanes (weight_sram.word_bits = 32 * lanes): the
  // check bits of its code, its code, and a read of it in which the data bits
  // `data_masks[l]` of lane l and the check bits `check_mask` failed. The
  // default decides lane by lane (a mitigation without check bits that acts
  // per bit or per weight).
  virtual int word_check_bits(int lanes) const { return lanes == 1 ? check_bits() : 0; }
  virtual uint16_t encode_word(const uint32_t* data, int lanes) const {
    return lanes == 1 ? encode(data[0]) : 0;
  }
  virtual WordOutcome on_faulty_word(uint32_t* data, uint16_t& check, const uint32_t* data_masks,
                                     uint16_t check_mask, int lanes, int field_bits) const;

  // on_faulty_read() of `count` words without check bits, word i holding
  // data[i] with the bits masks[i] failing: out[i]. One call for a run of
  // words (per-word upsets at p = 1 fail every word); the default asks word
  // by word, the built-in mitigations decide in a loop of their own.
  virtual void on_faulty_reads(const uint32_t* data, const uint32_t* masks, size_t count,
                               int field_bits, ReadOutcome* out) const;
  // Of the `count` words data[i] without check bits, those that a read
  // returns as they are, flagging nothing, whichever one bit of `may_fail`
  // fails: bit i % 64 of unchanged[i / 64] (`zero` on a word whose bits that
  // may fail are all 0). Such a word stays as it is under per-word upsets
  // however many reads fail it. Returns false, writing nothing, where the
  // mitigation cannot tell (the default).
  virtual bool unchanged_by_one_bit(const uint32_t* /*data*/, size_t /*count*/,
                                    uint32_t /*may_fail*/, int /*field_bits*/,
                                    uint64_t* /*unchanged*/) const {
    return false;
  }
};

std::unique_ptr<Mitigation> make_mitigation(const std::string& name);
std::vector<std::string> mitigation_names();

std::unique_ptr<Mitigation> make_secded_mitigation();  // models/weight_sram/mitigation/secded.cpp

}  // namespace lvsim
