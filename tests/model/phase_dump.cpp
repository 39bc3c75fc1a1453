// Test tool: prints the MACs of every layer and training phase of a built-in network as JSON,
// for the PyTorch cross-check torch_phase_check.py.
//   model_phase_dump [--image N] [--seq N] NAME
// Output: {"name": ..., "layers": [{"name", "kind", "fp", "bp", "wg"}, ...]}; a phase that does
// not run prints 0. Batch 1, default options (sparse backward-data counting), roofline engine
// (the MAC counts come from the same nests as with the full model).
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <string>

#include "trim/core/error.hpp"
#include "trim/model/evaluate.hpp"
#include "trim/net/zoo.hpp"

int main(int argc, char** argv) {
  namespace mdl = trim::model;
  trim::net::NetworkParams params;
  std::string name;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if ((a == "--image" || a == "--seq") && i + 1 < argc) {
      const std::int64_t v = std::strtoll(argv[++i], nullptr, 10);
      (a == "--image" ? params.image_size : params.seq_len) = v;
    } else {
      name = a;
    }
  }
  try {
    const auto net = trim::net::BuiltinNetwork(name, params);
    if (!net) {
      std::cerr << "model_phase_dump: unknown network '" << name << "'\n";
      return 2;
    }
    mdl::ModelOptions opt = mdl::ModelOptions::Defaults();
    opt[mdl::Option::kEngine] = 1;
    mdl::Evaluator ev(opt);
    const auto rep =
        ev.EvaluatePoint(mdl::Workload{&*net, trim::Mode::kTraining, 1, trim::Dataflow::kWS},
                         mdl::Hardware::Defaults());
    if (rep.status != mdl::Status::kOk) {
      std::cerr << "model_phase_dump: status " << mdl::Name(rep.status) << "\n";
      return 1;
    }
    std::string out = "{\"name\":\"" + net->name + "\",\"layers\":[\n";
    for (std::size_t l = 0; l < net->layers.size(); ++l) {
      double macs[3] = {0, 0, 0};
      for (const auto& r : rep.rows) {
        if (r.layer == static_cast<int>(l) && static_cast<int>(r.phase) < 3) {
          macs[static_cast<int>(r.phase)] = r.macs;
        }
      }
      out += "{\"name\":\"" + net->layers[l].name + "\",\"kind\":\"" +
             std::string(trim::net::Name(net->layers[l].kind)) + "\"";
      const char* keys[3] = {"fp", "bp", "wg"};
      for (int p = 0; p < 3; ++p) {
        out += std::string(",\"") + keys[p] + "\":" + std::to_string(std::llround(macs[p]));
      }
      out += l + 1 < net->layers.size() ? "},\n" : "}\n";
    }
    out += "]}\n";
    std::cout << out;
  } catch (const trim::ConfigError& e) {
    std::cerr << e.what() << "\n";
    return 2;
  }
  return 0;
}
