// The on-chip weight SRAM, at a reduced supply voltage. It holds the whole
// model (as seed 004 assumes) and is read by the MAC array once per weight per
// image pass.
//
// Data path: the DMA engine fills it with WRITE bursts; the MAC array reads its
// words through a DMI pointer and reports each burst of reads with an
// IGNORE-command transaction carrying a WeightReadExtension. For every reported
// read the SRAM decides which stored bits fail (FaultModel: p(V) per bit or per
// word read, drawn by geometric skipping from counter-based streams), lets the
// Mitigation decide what the read returns, and writes that back: faults persist
// and accumulate until the next DMA write (a refresh). Weak cells (Vmin above V,
// a fixed map per chip seed) fail on every read and survive refreshes. Every
// word that changed is reported back to the MAC array with the pass that
// changed it, so each image computes with exactly the weights it read.
//
// Timing: the array's access time t(V) follows the supply by the alpha-power law
// (sram_circuit.h), so a read takes A = ceil(t(V) / clock) cycles: one at
// nominal voltage, more (wait cycles) below it. `banks` banks of `ports` ports
// each start a word per port every A cycles (the macros are not pipelined), and
// a burst waits A cycles for its first word plus the fault detector's or the
// SEC-DED decoder's latency:
//     burst(W) = A + extra + A * ceil(W / (banks * ports)).
// A pass over a layer (one image, or one batch of images) reads each of its
// words `reads_per_pass` times (a dataflow streaming weights re-reads them); a
// pass is one burst per read.
//
// Energy and leakage are not charged here but counted: words read and written
// (each of stored_bits_per_word() bits), for the energy model (models/energy.h).
#pragma once

#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <map>
#include <memory>
#include <systemc>
#include <tlm>
#include <vector>

#include "models/fault_model.h"
#include "models/memory_target.h"
#include "models/mitigation.h"
#include "models/sram_circuit.h"

namespace lvsim {

enum class FaultUnit {
  kPerBit,   // each stored bit read fails with probability p (the physical model)
  kPerWord,  // each word read gets one failed bit, uniformly placed, with probability p
};

// A range of words on its own supply (a voltage domain): per-layer voltages,
// or a layer kept out of the low-voltage array (faults = false: fault-free).
struct VoltageDomain {
  uint64_t first_word = 0;
  uint64_t end_word = 0;  // one past the last
  double vdd_v = 0.9;
  bool faults = true;
};

struct WeightSramParams {
  uint64_t capacity_bytes = 16ull << 20;  // whole seed-004 model (12.9 MB) resident
  int banks = 16;                         // one word per bank per cycle: 16 words/cycle
  int word_bits = 32;                     // fp32 words
  int ports = 1;                          // read/write ports per bank
  sc_core::sc_time clock_period = sc_core::sc_time(2, sc_core::SC_NS);  // 500 MHz
  SramCircuitParams circuit;  // access time, energy and leakage versus V
  int detector_cycles = 1;    // latency of the Razor-style detector (sign, zero, word-zero)
  int ecc_cycles = 1;         // latency of the SEC-DED decoder (secded)

  double vdd_v = 0.9;  // supply voltage of the array
  FaultModelParams fault_model;
  FaultUnit fault_unit = FaultUnit::kPerBit;
  bool protect_sign = false;  // seed 004 faulted bits 0-30 only
  bool read_faults = true;    // transient faults on reads, cured by a refresh
  bool weak_cells = false;    // the static map of cells with Vmin > V
  std::string mitigation = "flip";
  uint64_t seed = 1;       // fault streams
  uint64_t trial = 0;      // independent fault streams of the same seed
  uint64_t chip_seed = 1;  // the weak-cell map: one chip, one map
  // Words on other supplies; the rest of the array is at vdd_v. Each domain
  // has its own fault probability, access time, access energy and leakage.
  std::vector<VoltageDomain> domains;
};

// What one voltage domain did, for the energy model.
struct DomainReport {
  uint64_t first_word = 0, end_word = 0;
  double vdd_v = 0.0;
  bool faults = true;
  double read_fault_probability = 0.0;
  int access_cycles = 1;
  double access_pj = 0.0;   // one word access, all stored bits
  double leakage_mw = 0.0;  // of the domain's words
  uint64_t words_read = 0;
  uint64_t words_written = 0;
};

// A word the read path changed: the pass (image) of the burst that changed it,
// the word index in the SRAM, its new data bits and the bits it held before
// (so the initiator needs no copy of the array to see which fields changed).
struct WordChange {
  uint32_t pass;
  uint32_t word;
  uint32_t value;
  uint32_t old;
};

// "The initiator read `bytes` of words at `address` through its DMI pointer,
// `passes` times over, each pass reading every word `reads_per_pass` times"
// (a pass is an image, or a batch of images, of the MAC array). The SRAM fills
// `changes`, ordered by pass, then by read within the pass, then by word.
struct WeightReadExtension : tlm::tlm_extension<WeightReadExtension> {
  uint32_t passes = 1;
  uint32_t reads_per_pass = 1;
  int field_bits = 32;  // the words pack 32 / field_bits weights (the `sign` mitigation)
  std::vector<WordChange>* changes = nullptr;

  tlm::tlm_extension_base* clone() const override { return new WeightReadExtension(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const WeightReadExtension&>(other);
  }
};

struct WeightSramStats {
  uint64_t words_read = 0;
  uint64_t words_written = 0;
  uint64_t read_bursts = 0;
  uint64_t write_bursts = 0;
  uint64_t busy_cycles = 0;
  uint64_t bit_faults = 0;         // failed stored-bit reads (read faults + weak cells)
  uint64_t faulty_word_reads = 0;  // word reads with at least one failed bit
  uint64_t words_changed = 0;      // reads that returned (and wrote back) a changed word
  uint64_t ecc_corrected = 0;
  uint64_t ecc_uncorrectable = 0;
  uint64_t weak_cells = 0;  // size of the weak-cell map
};

class WeightSram : public sc_core::sc_module {
 public:
  // Two ports: the controller's DMA traffic and the MAC array's.
  tlm_utils::simple_target_socket<WeightSram> dma_socket;
  tlm_utils::simple_target_socket<WeightSram> array_socket;

  WeightSram(const sc_core::sc_module_name& name, const WeightSramParams& params);

  const WeightSramParams& params() const { return params_; }
  const WeightSramStats& stats() const { return stats_; }
  uint64_t word_bytes() const { return static_cast<uint64_t>(params_.word_bits) / 8; }
  int stored_bits_per_word() const { return 32 + mitigation_->check_bits(); }
  double read_fault_probability() const { return read_p_; }
  double weak_cell_fraction() const { return weak_q_; }
  const Mitigation& mitigation() const { return *mitigation_; }
  // Cycles to move `words` words through the banks, latency included.
  uint64_t burst_cycles(uint64_t words) const;
  double access_time_ns() const { return access_time_ns_; }
  int access_cycles() const { return access_cycles_; }  // A above
  int latency_cycles() const;                           // A + detector or decoder latency
  // Dynamic energy of one word access (all stored bits) at vdd_v in pJ, and
  // the array's leakage power at vdd_v in mW (sram_circuit.h).
  double access_energy_pj() const;
  double leakage_mw() const;
  // Every domain, in address order, covering the whole array (the array's own
  // supply fills the gaps).
  std::vector<DomainReport> domains() const;
  // Stored bits that differ from what was last written, after each pass (image)
  // since the start: element i is the count once pass i's reads are done.
  std::vector<uint64_t> faulty_bits_after_pass() const;
  uint64_t faulty_bits() const;

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
  unsigned transport_dbg(tlm::tlm_generic_payload& trans);

  struct Domain {
    uint64_t first = 0, end = 0;
    double vdd = 0.0;
    bool faults = true;
    double read_p = 0.0, weak_q = 0.0;
    int access_cycles = 1;
    uint64_t words_read = 0, words_written = 0;
  };
  Domain make_domain(uint64_t first, uint64_t end, double vdd, bool faults) const;
  void build_domains();
  Domain& domain_of(uint64_t word);
  uint64_t burst_cycles(int access_cycles, uint64_t words) const;
  void build_weak_cell_map();
  void read_passes(const Domain& domain, uint64_t first_word, uint64_t words,
                   const WeightReadExtension& reads);
  void apply_faults(uint64_t word, uint64_t mask, uint32_t pass, uint64_t access, int field_bits,
                    std::vector<WordChange>* changes);
  void write_words(uint64_t address, const unsigned char* data, uint64_t bytes);
  uint32_t load_word(uint64_t word) const;
  int faulty_bits_of(uint64_t word) const;

  WeightSramParams params_;
  MemoryArray memory_;
  std::unique_ptr<Mitigation> mitigation_;
  std::unique_ptr<FaultModel> fault_model_;
  double read_p_ = 0.0;  // of the array's own supply
  double weak_q_ = 0.0;
  std::vector<Domain> domains_;
  std::vector<int> allowed_bits_;     // stored bits that may fail
  std::vector<uint8_t> check_;        // check bits per word (ECC only)
  std::vector<uint32_t> written_;     // data last written by DMA, the reference
  std::vector<uint64_t> weak_cells_;  // sorted stored-bit indices word * bits + bit
  double access_time_ns_ = 0.0;
  int access_cycles_ = 1;
  std::map<uint64_t, uint64_t> passes_by_region_;       // first word of a burst -> passes so far
  std::map<uint64_t, uint64_t> reads_by_region_;        // first word of a burst -> reads so far
  uint64_t next_pass_ = 0;                              // passes completed by every region
  std::vector<int64_t> faulty_delta_;                   // change of the faulty-bit count, by pass
  std::vector<std::pair<uint64_t, uint64_t>> pending_;  // (word, fault mask) of one pass
  std::vector<std::pair<uint64_t, uint64_t>> weak_pending_;
  WeightSramStats stats_;
};

}  // namespace lvsim
