#include "models/energy.h"

namespace lvsim {

const ParamTable<EnergyParams>& EnergyParams::table() {
  static const ParamTable<EnergyParams> table = [] {
    using P = EnergyParams;
    ParamTable<P> t;
    t.number("energy.tech_scale", &P::tech_scale, 1.0, 1e-3, 1e3)
        .help("on-chip energies (MACs, SRAMs, detector, ECC) relative to Horowitz's 45 nm table")
        .source("Horowitz, ISSCC 2014");
    t.number("energy.detector_pj", &P::detector_pj_per_word, 0.1, 0.0, 1e6)
        .unit("pJ")
        .help("Razor-style fault detector energy per word read (about a 32-bit adder)")
        .source("int32 add 0.1 pJ, Horowitz ISSCC 2014");
    t.number("energy.vector_op_pj", &P::vector_op_pj, 0.9, 0.0, 1e6)
        .help(
            "energy of one element operation of the vector unit and the output pipelines "
            "(a compare, add or multiplication by a constant on fp32 activations), at 45 nm "
            "before tech_scale")
        .source("fp32 add 0.9 pJ, Horowitz ISSCC 2014");
    t.number("energy.ecc_encode_pj", &P::ecc_encode_pj_per_word, 0.2, 0.0, 1e6)
        .unit("pJ")
        .help("SEC-DED (39,32) encoder energy per word written (7 parity trees, ~126 XOR2)")
        .source("estimate scaled from the 32-bit adder's 0.1 pJ");
    t.number("energy.ecc_decode_pj", &P::ecc_decode_pj_per_word, 0.4, 0.0, 1e6)
        .unit("pJ")
        .help("SEC-DED (39,32) decoder energy per word read (syndrome trees and correction)")
        .source("estimate scaled from the 32-bit adder's 0.1 pJ");
    return t;
  }();
  return table;
}

OperationEnergy horowitz_45nm(const std::string& format) {
  if (format == "int8") return {0.2, 0.03};
  if (format == "int16") return {0.8, 0.05};
  if (format == "int32") return {3.1, 0.1};
  if (format == "binary") return {0.0, 0.9};
  if (format == "fp16") return {1.1, 0.4};
  if (format == "fp32") return {3.7, 0.9};
  invalid(&EnergyParams::mac_format, "MAC number format '" + format + "'",
          "int8, int16, int32, fp16, fp32 or binary");
}

const std::vector<std::string>& EnergyReport::components() {
  static const std::vector<std::string> names = {"mac",
                                                 "weight_sram_dynamic",
                                                 "weight_sram_leakage",
                                                 "weight_sram_writeback",
                                                 "activation_buffer",
                                                 "dram_initial_load",
                                                 "dram_refresh",
                                                 "detector_ecc",
                                                 "vector",
                                                 "dram_stream"};
  return names;
}

double EnergyReport::component_pj(const std::string& component) const {
  double sum = 0.0;
  for (const EnergyTerm& term : terms)
    if (term.component == component) sum += term.pj();
  return sum;
}

double EnergyReport::total_pj() const {
  double sum = 0.0;
  for (const EnergyTerm& term : terms) sum += term.pj();
  return sum;
}

double EnergyReport::per_inference_pj(const std::string& component) const {
  return images ? component_pj(component) / static_cast<double>(images) : 0.0;
}

double EnergyReport::per_inference_pj() const {
  return images ? total_pj() / static_cast<double>(images) : 0.0;
}

}  // namespace lvsim
