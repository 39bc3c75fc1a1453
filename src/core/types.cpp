#include "trim/core/types.hpp"

#include <array>

namespace trim {
namespace {

constexpr std::array<std::string_view, kNumDataflows> kDataflowNames = {"ws", "os",  "is",
                                                                        "rs", "nlr", "best"};
constexpr std::array<std::string_view, kNumModes> kModeNames = {"inference", "training"};
constexpr std::array<std::string_view, kNumPhases> kPhaseNames = {"fp", "bp", "wg", "wu"};

template <typename E, std::size_t N>
std::optional<E> Find(const std::array<std::string_view, N>& names, std::string_view s) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == s) return static_cast<E>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string_view Name(Dataflow d) { return kDataflowNames[static_cast<std::size_t>(d)]; }
std::string_view Name(Mode m) { return kModeNames[static_cast<std::size_t>(m)]; }
std::string_view Name(Phase p) { return kPhaseNames[static_cast<std::size_t>(p)]; }
std::optional<Dataflow> ParseDataflow(std::string_view s) {
  return Find<Dataflow>(kDataflowNames, s);
}
std::optional<Mode> ParseMode(std::string_view s) { return Find<Mode>(kModeNames, s); }
std::span<const std::string_view> DataflowNames() { return kDataflowNames; }
std::span<const std::string_view> ModeNames() { return kModeNames; }

}  // namespace trim
