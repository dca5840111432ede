#include "models/weight_sram/weight_sram.h"

#include <algorithm>
#include <cmath>

#include "models/common/ceil_div.h"
#include "models/tlm/streamed_load.h"
#include "models/weight_sram/fault_models/fault_presets.h"
#include "models/weight_sram/sram_word.h"
#include "workloads/common/error.h"

namespace lvsim {
namespace {

std::string volts(double v) { return number_text(v) + " V"; }

// "upset", "weak-cells" or both, comma-separated; nothing when malformed.
std::optional<FaultMechanisms> parse_mechanisms(const std::string& text) {
  FaultMechanisms m{false, false};
  const std::vector<std::string> names = split_list(text);
  if (names.empty()) return std::nullopt;
  for (const std::string& name : names) {
    if (name == "upset")
      m.upset = true;
    else if (name == "weak-cells")
      m.weak_cells = true;
    else
      return std::nullopt;
  }
  return m;
}

std::string format_mechanisms(const FaultMechanisms& m) {
  if (m.upset && m.weak_cells) return "upset, weak-cells";
  return m.weak_cells ? "weak-cells" : m.upset ? "upset" : "";
}

// A fault preset's model and how its faults act (models/weight_sram/fault_models/fault_presets.h).
void apply_fault_preset(WeightSramParams& p, const std::string& name) {
  const FaultPreset& preset = fault_preset(name);
  p.fault_preset = name;
  apply_model_preset(p.fault_model, preset);
  p.mechanisms = *parse_mechanisms(preset.mechanism);
  p.fault_unit = preset.unit == "per-word" ? FaultUnit::kPerWord : FaultUnit::kPerBit;
  p.protect_sign = preset.protect_sign;
  p.intermittent_share = preset.intermittent_share;
  p.stuck_zero_share = preset.stuck_zero_share;
  p.circuit.vnom_v = preset.nominal_v > 0.0 ? preset.nominal_v : SramCircuitParams::kTableNominalV;
}

// The keys of the fault mechanisms (after fault.preset and the fault model's).
void declare_mechanism_keys(ParamTable<WeightSramParams>& t) {
  using P = WeightSramParams;
  t.choice("fault.unit", &P::fault_unit, "per-bit",
           {{"per-bit", FaultUnit::kPerBit}, {"per-word", FaultUnit::kPerWord}})
      .or_preset("fault.preset")
      .help(
          "upsets: per-bit, each stored bit read fails with probability p; per-word, each "
          "word read gets one failed bit, uniformly placed, with probability p (seed 004's "
          "reading)");
  t.boolean("fault.protect_sign", &P::protect_sign, false)
      .or_preset("fault.preset")
      .help(
          "keep the sign bit of every weight fault-free: bit 31 of a 32-bit weight or bias, the "
          "top bit of each field of a packed format (bits 7, 15, 23, 31 for int-8) (seed 004 "
          "faulted bits 0-30 of its fp32 words only)");
  t.custom<FaultMechanisms>("fault.mechanism", &P::mechanisms, "list", "upset",
                            "upset, weak-cells or both (upset, weak-cells)", parse_mechanisms,
                            format_mechanisms)
      .or_preset("fault.preset")
      .help(
          "upset: every read of a cell fails with probability p(V), the wrong value is "
          "written back and stays until a refresh (seed 004's assumption, not measured "
          "SRAM behaviour); weak-cells: the chip's cells whose Vmin lies above V (a fraction "
          "p(V)) fail on their reads, the same cells at every voltage, and a refresh cannot "
          "heal them (models/weight_sram/mechanisms/fault_injector.h)")
      .source("weak cells as measured on IBM 14 nm SRAM, Chandramoorthy et al. HPCA 2019");
  t.integer("fault.chip_seed", &P::chip_seed, 1, 0, INT64_MAX)
      .help(
          "weak-cells: seed of the chip's cells (their Vmin ranks, stuck values, "
          "intermittency); one chip, one map at every voltage");
  t.number("fault.stuck_zero_share", &P::stuck_zero_share, 0.5, 0.0, 1.0)
      .or_preset("fault.preset")
      .help("weak-cells: share of weak cells whose failing reads return 0 (the others 1)")
      .source("about half each on average, Chandramoorthy et al. HPCA 2019");
  t.number("fault.intermittent_share", &P::intermittent_share, 0.0, 0.0, 1.0)
      .or_preset("fault.preset")
      .help(
          "weak-cells: share of weak cells that fail on a read only with probability "
          "fault.intermittent_q (the others on every read)")
      .source("roughly half, Chandramoorthy et al. HPCA 2019");
  t.number("fault.intermittent_q", &P::intermittent_q, 0.5, 0.0, 1.0)
      .help(
          "weak-cells: probability that a read of an intermittent weak cell fails (assumed; "
          "the measurement says only that they fail on some accesses)");
  t.boolean("fault.read_disturb", &P::read_disturb, false)
      .help(
          "weak-cells: a failing read also writes the stuck value into the cell, wrong "
          "until the word is rewritten (else only the value read is wrong)");
  t.number("fault.write_fail_share", &P::write_fail_share, 0.0, 0.0, 1.0)
      .help(
          "weak-cells: share of weak cells that also fail writes: while weak at the write "
          "supply (weight_sram.write_vdd_v) a write stores the cell's stuck value, read back "
          "consistently until a write succeeds (0: writes never fail, lvsim's behaviour before)")
      .source(
          "assumed: measured rates count read and write failures together (Chandramoorthy et "
          "al. HPCA 2019) and no published share of write-failing weak cells was found; a "
          "measured 180 nm chip read down to 0.5 V but wrote only to 0.6 V (Boley, Wang and "
          "Calhoun, JLPEA 2012): at a low supply writes do fail");
}

// Correlated faults: failing columns (mechanisms/weak_cell_map.h, sram_layout.h).
void declare_column_keys(ParamTable<WeightSramParams>& t) {
  using P = WeightSramParams;
  t.number("fault.column_fault_share", &P::column_fault_share, 0.0, 0.0, 1.0)
      .help(
          "weak-cells: share of the chip's failing cells that come from failing columns (a "
          "failing column fails its cells in every row of its subarray, weight_sram.subarray_rows; "
          "nested in voltage and drawn per chip as the cells; 0: independent cells only)")
      .source(
          "0: no published share; column-aligned failures appear in one of IBM's three 14 nm "
          "chips' maps (Stutz et al. MLSys 2021)");
  t.integer("fault.column_width", &P::column_width, 2, 1, WeakCellTraits::kMaxColumnWidth)
      .unit("columns")
      .help(
          "weak-cells: adjacent physical columns one column defect fails (weight_sram.interleave "
          "at least this puts at most one of its bits in any word)")
      .source("assumed: a defect spanning two neighbouring bitlines; no measured width was found");
}

// The write supply and the rail that moves to it around every load.
void declare_write_keys(ParamTable<WeightSramParams>& t) {
  using P = WeightSramParams;
  t.custom<double>(
       "weight_sram.write_vdd_v", &P::write_vdd_v, "number", "",
       "empty (the read supply weight_sram.vdd_v), or a supply in volts from 0.01 to 5",
       [](const std::string& text) -> std::optional<double> {
         if (text.empty()) return 0.0;
         size_t used = 0;
         try {
           const double value = std::stod(text, &used);
           if (used == text.size() && value >= 0.01 && value <= 5.0) return value;
         } catch (const std::logic_error&) {
         }
         return std::nullopt;
       },
       [](const double& value) { return value > 0.0 ? number_text(value) : std::string(); })
      .unit("V")
      .help(
          "supply of the array's writes (DMA loads, refreshes, streamed loads); empty, or below "
          "the read supply: the read supply (lvsim does not model writes below it). Above it, the "
          "rail is raised before a load and lowered after it, charged "
          "in time and energy (weight_sram.rail_slew_mv_per_ns, rail_capacitance_nf), and "
          "only the cells weak at the write supply fail writes");
  t.number("weight_sram.rail_slew_mv_per_ns", &P::rail_slew_mv_per_ns, 5.0, 0.001, 1e6)
      .unit("mV/ns")
      .help(
          "slew rate of the array's supply rail between the read and write supplies: a "
          "transition of dV takes dV / slew. 5 mV/ns: an on-chip regulator charging the rail "
          "capacitance, t = 2 C dV / I_max with C = 100 nF and I_max = 1 A (assumed), 40 ns "
          "for 0.2 V")
      .source(
          "the transition model of Burd & Brodersen, ISLPED 2000; on-chip regulators switch in "
          "nanoseconds (Kim et al., HPCA 2008), off-chip ones take tens of microseconds");
  t.number("weight_sram.rail_capacitance_nf", &P::rail_capacitance_nf, 100.0, 0.0, 1e6)
      .unit("nF")
      .help(
          "capacitance of the array's supply rail: raising it from the read to the write "
          "supply draws C dV from the write supply, E = C dV V_write (18 nJ for 0.7 -> 0.9 V); "
          "lowering it returns nothing")
      .source(
          "assumed: 2^27 cells of 16 MiB at about 0.75 fF each on the rail (0.5-1 fF), "
          "100 nF; charge conservation for the energy (Burd & Brodersen, ISLPED 2000)");
}

// The fault detector's and the self-test's keys, and the SEC-DED decoder's latency.
void declare_detector_keys(ParamTable<WeightSramParams>& t) {
  using P = WeightSramParams;
  t.integer("weight_sram.detector_cycles", &P::detector_cycles, 1, 0, 1000)
      .unit("cycles")
      .help(
          "latency of the Razor-style fault detector that sign, zero, word-zero and "
          "weight-zero presume");
  t.choice("weight_sram.detector", &P::detector, "razor",
           {{"razor", FailureDetector::kRazor}, {"bist-map", FailureDetector::kBistMap}})
      .help(
          "what tells sign, zero, word-zero and weight-zero which bits failed: razor, a detector "
          "at every read that sees every failing bit, upsets included (Minerva's assumption); "
          "bist-map, a fault map a March C- self-test writes at power-up: its weak cells are "
          "masked on every read, upsets and intermittent cells it missed reach the array "
          "(the other mitigations use no detector and ignore it)")
      .source("Razor: Ernst et al. MICRO 2003; March C-: van de Goor, IEEE D&T 1993");
  t.integer("weight_sram.bist_passes", &P::bist_passes, 1, 1, 1000)
      .help(
          "bist-map: March C- passes of the power-up self-test (10 word accesses per word "
          "each); more passes find more intermittent weak cells");
  t.choice("weight_sram.bist_at", &P::bist_at_manufacturing, "power-up",
           {{"power-up", false}, {"manufacturing", true}})
      .help(
          "bist-map: when the fault map was taken: at every power-up (the chip as it is "
          "now), or once at the manufacturing test (chip.age_years ago: cells weak since "
          "then are unmapped and reach the array unmasked)");
  t.number("weight_sram.bist_interval_years", &P::bist_interval_years, 0.0, 0.0, 50.0)
      .unit("years")
      .help(
          "bist-map at power-up: years since the self-test that wrote the map (0: at this "
          "power-up; a periodic test: the map of the chip that much younger, its cells weak "
          "since unmapped)");
  t.integer("weight_sram.ecc_cycles", &P::ecc_cycles, 1, 0, 1000)
      .unit("cycles")
      .help("latency of the SEC-DED decoder (secded) or parity check (parity)");
}

}  // namespace

const ParamTable<WeightSramParams>& WeightSramParams::table() {
  static const ParamTable<WeightSramParams> table = [] {
    using P = WeightSramParams;
    ParamTable<P> t;
    t.integer("weight_sram.capacity_kib", &P::capacity_bytes, 16384, 1, 1 << 30, 1024)
        .unit("KiB")
        .help(
            "weight SRAM capacity; 16 MiB holds the whole seed-004 model (12.9 MB), as the "
            "seed assumes");
    t.integer("weight_sram.banks", &P::banks, 16, 1, 4096)
        .help("independent banks (16 banks of 1 MiB by default)");
    t.integer("weight_sram.ports", &P::ports, 1, 1, 64)
        .help("ports per bank, each starting one word per access time");
    t.integer("weight_sram.word_bits", &P::word_bits, 32, 32, 128)
        .unit("bits")
        .help(
            "data bits per word read: 32, 64 or 128, as 32-bit lanes the weights pack into; "
            "one word is one access (its energy linear in its stored bits, Horowitz's 64-bit "
            "read scaled) and one codeword: SEC-DED (39,32), (72,64), (137,128), parity and "
            "word-zero over the whole word")
        .source(
            "(72,64) and (137,128): the SEC-DED codes of memory ECC, CACTI's 8 check bits "
            "per 64; OpenTitan's SRAM (39,32)");
    t.include(&P::layout, SramLayout::table());
    declare_detector_keys(t);
    t.number("weight_sram.vdd_v", &P::vdd_v, 0.9, 0.01, 5.0)
        .unit("V")
        .help("weight SRAM supply voltage (lower it to trade faults for energy)")
        .source("0.9 V: nominal for a 40-45 nm process");
    declare_write_keys(t);
    t.name("weight_sram.mitigation", &P::mitigation, "flip", mitigation_names)
        .help("what a read does with faulty bits (models/weight_sram/mitigation/mitigation.h)");
    t.preset("fault.preset", &P::fault_preset, kDefaultFaultPreset, fault_preset_names(),
             apply_fault_preset)
        .help(
            "published SRAM failures versus voltage and the fault model calibrated to them "
            "(models/weight_sram/fault_models/fault_presets.h); sets the keys marked 'the "
            "preset's' unless given: "
            "ibm-14nm (measured silicon, weak cells), asu-65nm, dpcs-45nm, minerva-40nm, "
            "seed004 (per-word upsets of fault.p on every read, sign bit protected)")
        .source(
            "Chandramoorthy et al. HPCA 2019 (IBM 14 nm); Yan et al. TVLSI 2017 (65 nm); "
            "Gottscho et al. DAC 2014 (45 nm)");
    // After the preset: a preset sets the nominal supply it was measured at.
    t.include(&P::circuit, SramCircuitParams::table());
    t.include(&P::fault_model, FaultModelParams::table());
    declare_mechanism_keys(t);
    declare_column_keys(t);
    t.include(&P::chip, ChipConditionParams::table());
    return t;
  }();
  return table;
}

void WeightSramParams::validate() const {
  table().check(*this);
  circuit.validate();
  if (word_bits != 32 && word_bits != 64 && word_bits != 128)
    invalid(&WeightSramParams::word_bits, "word width " + std::to_string(word_bits) + " bits",
            "32, 64 or 128");
  const std::string threshold = "a voltage above the access-time model's threshold voltage " +
                                volts(circuit.vt_v) + ", where the SRAM can still be read";
  if (!(vdd_v > circuit.vt_v))
    invalid(&WeightSramParams::vdd_v, "weight SRAM supply " + volts(vdd_v), threshold);
  const std::unique_ptr<FaultModel> model = make_fault_model(fault_model);
  if (!model->covers(vdd_v))
    invalid(&WeightSramParams::vdd_v, "weight SRAM supply " + volts(vdd_v),
            "a voltage inside the range of the " + model->describe() + " fault model, " +
                model->range_text());
  if (write_vdd_v > 0.0 && !model->covers(write_vdd_v))
    invalid(&WeightSramParams::write_vdd_v, "write supply " + volts(write_vdd_v),
            "a voltage inside the range of the " + model->describe() + " fault model, " +
                model->range_text());
  for (const VoltageDomain& domain : domains) {
    const std::string subject = "voltage domain at " + volts(domain.vdd_v);
    if (!(domain.vdd_v > circuit.vt_v)) invalid(&WeightSramParams::domains, subject, threshold);
    if (domain.faults && !model->covers(domain.vdd_v))
      invalid(&WeightSramParams::domains, subject,
              "a voltage inside the range of the " + model->describe() + " fault model, " +
                  model->range_text());
  }
}

WeightSram::WeightSram(const sc_core::sc_module_name& name, const WeightSramParams& params)
    : sc_module(name),
      dma_socket("dma_socket"),
      array_socket("array_socket"),
      params_(params),
      mitigation_(make_mitigation(params.mitigation)),
      contents_(std::string(this->name()), std::max(params.capacity_bytes, params.address_bytes),
                *mitigation_, params.read_disturb, params.detector == FailureDetector::kBistMap,
                params.word_bits == 64    ? 2
                : params.word_bits == 128 ? 4
                                          : 1) {
  params.validate();
  fault_model_ = make_fault_model(params.fault_model);
  chip_draws_ = draw_chip(
      params.chip, params.chip_seed,
      fault_model_->circuit(params.vdd_v).intermittent_share.value_or(params.intermittent_share),
      params.stuck_zero_share);
  access_time_ns_ = access_time_at(params.vdd_v);
  own_ = make_domain(0, contents_.words(), params.vdd_v, true);
  build_domains();

  build_injector();

  for (auto* port : {&dma_socket, &array_socket}) {
    port->register_b_transport(this, &WeightSram::b_transport);
    port->register_get_direct_mem_ptr(this, &WeightSram::get_direct_mem_ptr);
    port->register_transport_dbg(this, &WeightSram::transport_dbg);
  }
}

VoltageDomain WeightSram::make_domain(uint64_t first, uint64_t end, double vdd, bool faults) const {
  VoltageDomain d;
  d.first_word = first;
  d.end_word = end;
  d.vdd_v = vdd;
  d.faults = faults;
  const bool upset = faults && params_.mechanisms.upset;
  const bool weak = faults && params_.mechanisms.weak_cells;
  // Both asked even when a mechanism is off: a model must answer for both.
  d.vmin_shift_v = faults ? vmin_shift_v(vdd, params_.chip.age_years) : 0.0;
  const double cells_at = vdd - d.vmin_shift_v;  // where the cells' Vmin puts them
  const double upset_p = faults ? fault_model_->probability(cells_at) : 0.0;
  const double weak_fraction = faults ? fault_model_->weak_cell_fraction(cells_at) : 0.0;
  for (double p : {upset_p, weak_fraction})
    if (!(p >= 0.0 && p <= 1.0))
      throw Error("the " + fault_model_->describe() + " fault model gave p outside [0, 1] at " +
                  volts(vdd));
  d.upset_probability = upset ? upset_p : 0.0;
  d.weak_fraction = weak ? weak_fraction : 0.0;
  if (weak && self_test_age_years() != params_.chip.age_years)
    d.weak_fraction_at_test =
        fault_model_->weak_cell_fraction(vdd - vmin_shift_v(vdd, self_test_age_years()));
  d.access_cycles = access_cycles_at(vdd);
  d.access_pj = access_pj_at(vdd);
  // Writes at the write supply, where fewer cells are weak (the same shift of their Vmin).
  d.write_vdd_v = std::max(vdd, params_.write_vdd_v);
  d.write_access_cycles = d.access_cycles;
  d.write_access_pj = d.access_pj;
  if (d.write_vdd_v != vdd) {
    d.write_access_cycles = access_cycles_at(d.write_vdd_v);
    d.write_access_pj = access_pj_at(d.write_vdd_v);
    if (weak)
      d.write_weak_fraction = fault_model_->weak_cell_fraction(d.write_vdd_v - d.vmin_shift_v);
  }
  d.leakage_mw = leakage_mw_at(vdd, static_cast<double>(end - first) * physical_share() *
                                        static_cast<double>(kWordBytes) * stored_bits_per_word() /
                                        contents_.geometry().word_bits());
  return d;
}

int WeightSram::access_cycles_at(double vdd) const {
  const double period_ns = params_.clock_period.to_seconds() * 1e9;
  const double access_ns = access_time_at(vdd);
  const double cycles = std::ceil(access_ns / period_ns - 1e-9);
  // A read slower than this is an SRAM no design would run; counting it in an
  // int would wrap to a fast one (issue 28).
  constexpr double kMaxAccessCycles = 1 << 20;
  if (!(cycles <= kMaxAccessCycles))
    invalid(&WeightSramParams::vdd_v, "weight SRAM supply " + volts(vdd),
            "a supply, access time (weight_sram.access_time_ns, or the fault model's) and clock "
            "where a read takes at most " +
                std::to_string(static_cast<int>(kMaxAccessCycles)) + " cycles; it takes " +
                number_text(access_ns) + " ns = " + number_text(cycles) + " cycles there");
  return std::max(1, static_cast<int>(cycles));
}

double WeightSram::vmin_shift_v(double vdd, double age_years) const {
  ChipConditionParams at_age = params_.chip;
  at_age.age_years = age_years;
  return aging_shift_v(at_age, vdd, params_.circuit.vnom_v) + temperature_shift_v(params_.chip) +
         chip_draws_.vmin_offset_v;
}

double WeightSram::self_test_age_years() const {
  if (params_.bist_at_manufacturing) return 0.0;
  return std::max(0.0, params_.chip.age_years - params_.bist_interval_years);
}

void WeightSram::build_injector() {
  FaultDraws draws;
  draws.seed = params_.seed;
  draws.trial = params_.trial;
  draws.unit = params_.fault_unit;
  draws.protect_sign = params_.protect_sign;
  WeakCellTraits traits;
  traits.chip_seed = params_.chip_seed;
  traits.stuck_zero_share = chip_draws_.stuck_zero_share;
  traits.intermittent_share = chip_draws_.intermittent_share;
  traits.intermittent_q = params_.intermittent_q;
  traits.protect_sign = params_.protect_sign;
  traits.write_fail_share = params_.write_fail_share;
  traits.column_fault_share = params_.column_fault_share;
  traits.column_width = params_.column_width;
  traits.layout = params_.layout;
  traits.packed = params_.packed;
  std::sort(traits.packed.begin(), traits.packed.end(),
            [](const PackedWords& a, const PackedWords& b) { return a.first_word < b.first_word; });
  for (const VoltageDomain& d : domains_) {
    const double expected = d.weak_fraction * static_cast<double>(d.words()) *
                            stored_bits_per_word() / contents_.geometry().lanes;
    if (expected > static_cast<double>(WeakCellMap::kMaxCells))
      invalid(&WeightSramParams::vdd_v, "weight SRAM supply " + volts(d.vdd_v),
              "a voltage where the weak cells fit the simulator's map: about " +
                  std::to_string(static_cast<uint64_t>(expected)) + " cells are weak there, " +
                  "more than the " + std::to_string(WeakCellMap::kMaxCells) +
                  " it maps; the SRAM is unusable");
  }
  injector_ = std::make_unique<FaultInjector>(draws, traits, contents_.geometry(), domains_);
  std::vector<SramContents::WriteFailure> write_failures;
  for (const WeakWord& w : injector_->weak_words()) {
    contents_.mark_weak(w.word);
    if (w.write_failing != 0)
      write_failures.push_back({w.word, w.write_failing, w.stuck_ones & w.write_failing});
  }
  contents_.set_write_failures(std::move(write_failures));
  stats_.faults.write_failing_cells = injector_->write_failing_cells();
  stats_.faults.weak_cells = injector_->weak_cells();
  stats_.faults.intermittent_cells = injector_->intermittent_cells();
  stats_.faults.column_fault_cells = injector_->column_fault_cells();
}

void WeightSram::build_domains() {
  const uint64_t words = contents_.words();
  std::vector<VoltageDomain> listed = params_.domains;
  std::sort(listed.begin(), listed.end(), [](const VoltageDomain& a, const VoltageDomain& b) {
    return a.first_word < b.first_word;
  });
  uint64_t next = 0;
  for (const VoltageDomain& v : listed) {
    if (v.first_word < next || v.end_word <= v.first_word || v.end_word > words)
      invalid(&WeightSramParams::domains, "voltage domains",
              "disjoint word ranges inside the array");
    if (v.first_word > next)
      domains_.push_back(make_domain(next, v.first_word, params_.vdd_v, true));
    domains_.push_back(make_domain(v.first_word, v.end_word, v.vdd_v, v.faults));
    next = v.end_word;
  }
  if (next < words) domains_.push_back(make_domain(next, words, params_.vdd_v, true));
}

bool WeightSram::streamed(uint64_t first_word, uint64_t words) const {
  for (const auto& [first, end] : params_.streamed)
    if (first_word >= first && first_word + words <= end) return true;
  return false;
}

double WeightSram::physical_share() const {
  return std::min(1.0, static_cast<double>(params_.capacity_bytes) /
                           static_cast<double>(kWordBytes) /
                           static_cast<double>(contents_.words()));
}

VoltageDomain& WeightSram::domain_of(uint64_t word) {
  for (VoltageDomain& d : domains_)
    if (word < d.end_word) return d;
  return domains_.back();
}

int WeightSram::latency_cycles() const {
  return own_.access_cycles + (mitigation_->uses_detector() ? params_.detector_cycles : 0) +
         (mitigation_->check_bits() > 0 ? params_.ecc_cycles : 0);
}

bool WeightSram::uses_fault_map() const {
  return params_.detector == FailureDetector::kBistMap && mitigation_->uses_detector();
}

uint64_t WeightSram::fault_map_bits() const {
  if (!uses_fault_map()) return 0;
  const auto bits_for = [](uint64_t values) {
    int bits = 0;
    while (bits < 64 && (uint64_t{1} << bits) < values) ++bits;
    return static_cast<uint64_t>(bits);
  };
  const uint64_t entry = bits_for(words_of(contents_.words())) +
                         bits_for(static_cast<uint64_t>(stored_bits_per_word()));
  return stats_.mapped_cells * entry;
}

double WeightSram::fault_map_leakage_mw() const {
  return sram_leakage_mw(params_.circuit, static_cast<double>(fault_map_bits()) / 8.0,
                         params_.circuit.vnom_v);
}

double WeightSram::access_energy_pj() const { return access_pj_at(params_.vdd_v); }

double WeightSram::leakage_mw() const {
  return leakage_mw_at(params_.vdd_v, static_cast<double>(params_.capacity_bytes) *
                                          stored_bits_per_word() /
                                          contents_.geometry().word_bits());
}

// The fault model's own circuit values where it has them (a plug-in, a table's
// columns), else the circuit model's (sram_circuit.h).
double WeightSram::access_time_at(double vdd) const {
  return fault_model_->circuit(vdd).access_time_ns.value_or(
      sram_access_time_ns(params_.circuit, vdd));
}

double WeightSram::access_pj_at(double vdd) const {
  const std::optional<double> per_word = fault_model_->circuit(vdd).access_energy_pj;
  if (per_word) return *per_word * stored_bits_per_word() / 32.0;  // check bits cost alike
  return sram_access_energy_pj(params_.circuit,
                               static_cast<double>(params_.capacity_bytes) / params_.banks,
                               stored_bits_per_word(), vdd);
}

double WeightSram::leakage_mw_at(double vdd, double bytes) const {
  const std::optional<double> per_mib = fault_model_->circuit(vdd).leakage_mw_per_mib;
  if (per_mib) return *per_mib * bytes / (1024.0 * 1024.0);
  return sram_leakage_mw(params_.circuit, bytes, vdd);
}

uint64_t WeightSram::burst_cycles(uint64_t words) const {
  return burst_cycles(own_.access_cycles, words);
}

uint64_t WeightSram::burst_cycles(int access_cycles, uint64_t words) const {
  const uint64_t lanes = static_cast<uint64_t>(params_.banks) * params_.ports;
  const int extra = latency_cycles() - own_.access_cycles;  // detector / decoder
  return static_cast<uint64_t>(access_cycles + extra) +
         static_cast<uint64_t>(access_cycles) * ceil_div(words, lanes);
}

void WeightSram::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  switch (trans.get_command()) {
    case tlm::TLM_IGNORE_COMMAND:
      return on_read_report(trans, delay);
    case tlm::TLM_WRITE_COMMAND:
      return on_write(trans, delay);
    case tlm::TLM_READ_COMMAND:
      return on_read(trans, delay);
  }
  trans.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
}

// The power-up self-test (bist-map): March C- over every word, each domain at
// its own access time, the banks' ports in parallel:
//     cycles = passes * 10 * sum over domains of A_d * ceil(words_d / (banks * ports)),
// and 10 word accesses per word per pass (5 reads, 5 writes) at each domain's
// access energy. It maps the weak cells (mechanisms/weak_cell_map.h).
void WeightSram::on_self_test(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  SelfTestRequest* request = nullptr;
  trans.get_extension(request);
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  if (!uses_fault_map()) return;
  const uint64_t lanes = static_cast<uint64_t>(params_.banks) * params_.ports;
  const auto passes = static_cast<uint64_t>(params_.bist_passes);
  const uint64_t accesses_per_word = passes * SelfTestDraws::kAccessesPerWord;
  uint64_t cycles = 0;
  for (VoltageDomain& d : domains_) {
    // Streamed layers' words are the stream buffers' cells: the physical words only.
    const auto words =
        static_cast<uint64_t>(std::llround(static_cast<double>(d.words()) * physical_share()));
    cycles += accesses_per_word * static_cast<uint64_t>(d.access_cycles) *
              ceil_div(words_of(words), lanes);
    d.self_test_accesses += accesses_per_word * words_of(words);
    stats_.self_test_accesses += accesses_per_word * words_of(words);
  }
  stats_.mapped_cells = injector_->self_test(params_.bist_passes);
  stats_.self_test_cycles += cycles;
  stats_.busy_cycles += cycles;
  if (request) request->mapped_cells = stats_.mapped_cells;
  delay += params_.clock_period * static_cast<double>(cycles);
}

// The MAC array's reads of [address, address + length) through DMI.
void WeightSram::on_read_report(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  if (trans.get_extension<SelfTestRequest>() != nullptr) return on_self_test(trans, delay);
  const uint64_t address = trans.get_address(), length = trans.get_data_length();
  const uint64_t size = contents_.memory().size();
  WeightReadReport* report = nullptr;
  trans.get_extension(report);
  if (report == nullptr || report->reads_per_batch == 0 || report->field_bits < 1 ||
      report->field_bits > kWordBits) {
    trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  if (address > size || length > size - address || address % kWordBytes || length % kWordBytes) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  const uint64_t first = address / kWordBytes, words = length / kWordBytes;
  VoltageDomain& domain = domain_of(first);
  if (rail_at_write_) {  // the load before: the rail comes back to the read supply
    const uint64_t lowering = rail_cycles(1);
    stats_.busy_cycles += lowering;
    delay += params_.clock_period * static_cast<double>(lowering);
    rail_at_write_ = false;
  }
  const uint64_t written_back = stats_.faults.words_written_back;
  injector_->read(first, words, domain.upset_probability, streamed(first, words), *report,
                  contents_, stats_.faults);
  const uint64_t bursts = uint64_t{report->batches} * report->reads_per_batch;  // one per read
  // Each word a read changed (an upset's outcome, a corrected word, a disturbed
  // cell) is written back: a write access of the banks it occupies.
  const uint64_t write_backs = stats_.faults.words_written_back - written_back;
  stats_.faults.write_failed_bits = contents_.write_failed_bits();  // streamed loads restored
  const uint64_t lanes = static_cast<uint64_t>(params_.banks) * params_.ports;
  const uint64_t cycles = burst_cycles(domain.access_cycles, words_of(words)) * bursts +
                          uint64_t(domain.access_cycles) * ceil_div(write_backs, lanes);
  domain.words_written_back += write_backs;
  domain.words_read += words_of(words) * bursts;
  stats_.words_read += words_of(words) * bursts;
  stats_.read_bursts += bursts;
  stats_.busy_cycles += cycles;
  delay += params_.clock_period * static_cast<double>(cycles);
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

// A DMA write: the initial load or a refresh, which also scrubs the faults; or
// a streamed load, whose words the reads restore batch by batch once it brought
// them (on_read_report), so that only its first bytes change the contents.
void WeightSram::on_write(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const uint64_t address = trans.get_address(), length = trans.get_data_length();
  if (!contents_.memory().validate(trans) || address % kWordBytes || length % kWordBytes) {
    if (trans.is_response_ok() || trans.get_response_status() == tlm::TLM_INCOMPLETE_RESPONSE)
      trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  const bool stream = trans.get_extension<StreamedLoad>() != nullptr;
  if (stream && !streamed(address / kWordBytes, length / kWordBytes)) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);  // not a streamed layer's words
    return;
  }
  const uint32_t loads = stream ? trans.get_extension<StreamedLoad>()->loads : 1;
  if (stream && contents_.matches_reference(address, trans.get_data_ptr(), length)) {
    // The words it brings are those the reads restore; its failing writes
    // fail again at every load.
    contents_.count_failed_writes(address, length, loads);
  } else {
    if (contents_.write(address, trans.get_data_ptr(), length, injector_->batches_done())) {
      // The MAC array must read the memory again, and every weak cell fail anew.
      injector_->written();
      array_socket->invalidate_direct_mem_ptr(0, contents_.memory().size() - 1);
    }
    if (loads > 1) contents_.count_failed_writes(address, length, loads - 1);
  }
  stats_.faults.write_failed_bits = contents_.write_failed_bits();
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  charge_dma(trans, delay);
}

// The rail moves from the read supply to the write supply before a load and
// back after it (weight_sram.write_vdd_v): each domain's rail by its own
// dV, all at once, at the rail's slew rate (models/weight_sram/weight_sram.h).
double WeightSram::rail_transition_ns() const {
  double most_mv = 0.0;
  for (const VoltageDomain& d : domains_)
    most_mv = std::max(most_mv, 1e3 * (d.write_vdd_v - d.vdd_v));
  return most_mv / params_.rail_slew_mv_per_ns;
}

// Raising a domain's rail draws its share of the rail capacitance times dV
// from the write supply: E = C_d dV V_write (C in nF, V in volts: nJ).
double WeightSram::rail_raise_pj() const {
  const auto words = static_cast<double>(contents_.words());
  double pj = 0.0;
  for (const VoltageDomain& d : domains_) {
    const double share = words > 0 ? static_cast<double>(d.words()) / words : 0.0;
    pj += 1e3 * params_.rail_capacitance_nf * share * (d.write_vdd_v - d.vdd_v) * d.write_vdd_v;
  }
  return pj;
}

uint64_t WeightSram::rail_cycles(uint64_t transitions) const {
  if (transitions == 0 || !(rail_transition_ns() > 0.0)) return 0;
  const double period_ns = params_.clock_period.to_seconds() * 1e9;
  return transitions * static_cast<uint64_t>(std::ceil(rail_transition_ns() / period_ns - 1e-9));
}

void WeightSram::on_read(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  if (!contents_.memory().execute(trans)) return;
  charge_dma(trans, delay);
}

void WeightSram::charge_dma(const tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const StreamedLoad* stream = trans.get_extension<StreamedLoad>();
  const uint64_t loads = stream ? stream->loads : 1;  // a streamed burst, once per batch
  const uint64_t first = trans.get_address() / kWordBytes;
  const uint64_t words = trans.get_data_length() / kWordBytes;
  const VoltageDomain& domain = domain_of(first);
  uint64_t cycles =
      burst_cycles(trans.is_write() ? domain.write_access_cycles : domain.access_cycles,
                   words_of(words)) *
      loads;
  if (trans.is_write() && rail_transition_ns() > 0.0) {
    // A streamed load raises the rail and lowers it again around every batch's
    // load (at its first burst); a load's first burst raises it, and the next
    // read lowers it.
    const uint64_t raises = stream ? (stream->opens_load ? loads : 0) : rail_at_write_ ? 0 : 1;
    stats_.rail_raises += raises;
    cycles += rail_cycles(stream ? 2 * loads : raises);
    if (!stream) rail_at_write_ = true;
  }
  for (VoltageDomain& d : domains_) {  // a DMA burst may cross domains: count each one's words
    const uint64_t begin = std::max(d.first_word, first);
    const uint64_t end = std::min(d.end_word, first + words);
    if (end > begin)
      (trans.is_read() ? d.words_read : d.words_written) += words_of(end - begin) * loads;
  }
  (trans.is_read() ? stats_.words_read : stats_.words_written) += words_of(words) * loads;
  (trans.is_read() ? stats_.read_bursts : stats_.write_bursts) += loads;
  if (stream) stats_.words_streamed += words_of(words) * loads;
  stats_.busy_cycles += cycles;
  delay += params_.clock_period * static_cast<double>(cycles);
}

bool WeightSram::get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
  const sc_core::sc_time one_access = params_.clock_period * static_cast<double>(latency_cycles());
  const bool granted = contents_.memory().grant_dmi(trans, dmi, one_access, one_access);
  dmi.allow_read();  // writes go through b_transport, so faults and refreshes are seen
  return granted;
}

unsigned WeightSram::transport_dbg(tlm::tlm_generic_payload& trans) {
  return contents_.memory().debug(trans);
}

}  // namespace lvsim
