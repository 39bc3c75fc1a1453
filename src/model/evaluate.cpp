#include "trim/model/evaluate.hpp"

#include <bit>

#include "hw_view.hpp"
#include "map_cache.hpp"
#include "network.hpp"
#include "trace.hpp"

namespace trim::model {

void HwBatch::Resize(std::size_t n) {
  size = n;
  for (auto& c : col) c.resize(n);
}

Hardware HwBatch::Row(std::size_t i) const {
  Hardware h;
  for (std::size_t p = 0; p < kNumHwParams; ++p) h.v[p] = col[p][i];
  return h;
}

void HwBatch::SetRow(std::size_t i, const Hardware& h) {
  for (std::size_t p = 0; p < kNumHwParams; ++p) col[p][i] = h.v[p];
}

void ResultBatch::Resize(std::size_t n) {
  size = n;
  for (auto& c : col) c.resize(n);
  status.resize(n);
  failure.resize(n);
}

double PeakMacsPerCycle(const Hardware& hw) {
  return hw[HwParam::kPeRows] * hw[HwParam::kPeCols] * hw[HwParam::kMacsPerPe];
}

/// A mapping group: the designs that share the dataflow and every MapFields value walk the
/// network identically (outside `best`), so one trace serves them all.
struct Evaluator::Cache {
  static constexpr std::size_t kGroups = 64;  ///< walks kept (least recently used replaced)
  static constexpr std::size_t kKeyWords = detail::kNumMapFields + 1;
  using Key = std::array<std::uint64_t, kKeyWords>;
  struct Group {
    bool valid = false;
    std::uint64_t hash = 0;  ///< HashOf(key)
    Key key{};
    std::uint64_t last_use = 0;
    detail::Trace trace;
  };
  detail::MapCache maps;
  std::vector<Group> groups = std::vector<Group>(kGroups);
  std::size_t last = 0;
  std::uint64_t clock = 0;
  detail::Trace scratch;   ///< the walk of a `best` design
  int last_dataflow = -1;  ///< the mapping cache measures its hit rate per workload
  /// Hashes of the group keys walked so far (direct-mapped; allocated on first use).
  static constexpr std::size_t kSeenSlots = 4096;
  std::vector<std::uint64_t> seen;

  void Clear() {
    maps.Clear();
    for (Group& g : groups) g.valid = false;
    seen.clear();
  }

  /// Whether no design of the group key of hash `h` (HashOf) was walked before (as far as the
  /// table remembers).
  /// The mapping cache keys every entry by the design's mapping fields, so the walk of a
  /// design seen for the first time cannot hit: it maps without the cache, which then holds
  /// only mappings of designs that recur. A forgotten or colliding key only moves a walk
  /// between the two paths; results are the same on both.
  bool FirstSight(std::uint64_t h) {
    if (seen.empty()) seen.resize(kSeenSlots);
    // The top bits of a product depend on every bit of the factors (integral doubles differ
    // only in their high bits).
    std::uint64_t& s = seen[h >> (64 - std::countr_zero(kSeenSlots))];
    if (s == h) return false;
    s = h;
    return true;
  }

  /// Never 0 (an empty slot of `seen`).
  static std::uint64_t HashOf(const Key& key) {
    std::uint64_t h = 0x452821e638d01377ULL;
    for (std::uint64_t w : key) h = (h ^ w) * 0xff51afd7ed558ccdULL;
    return h | 1;
  }

  static Key KeyOf(const detail::HwView& hv, Dataflow df) {
    Key k{};
    double f[detail::kNumMapFields];
    detail::MapFields(hv, f);
    for (std::size_t i = 0; i < detail::kNumMapFields; ++i)
      k[i] = std::bit_cast<std::uint64_t>(f[i]);
    k[detail::kNumMapFields] = static_cast<std::uint64_t>(df);
    return k;
  }

  /// The group of `key`, and whether its trace must be (re)built.
  Group& Find(const Key& key, std::uint64_t hash, bool* fresh) {
    ++clock;
    *fresh = false;
    if (groups[last].valid && groups[last].hash == hash && groups[last].key == key) {
      groups[last].last_use = clock;
      return groups[last];
    }
    std::size_t victim = groups.size();  // the first free slot, else the least recently used
    for (std::size_t i = 0; i < groups.size(); ++i) {
      Group& g = groups[i];
      if (g.valid && g.hash == hash && g.key == key) {
        g.last_use = clock;
        last = i;
        return g;
      }
      const bool better =
          victim == groups.size() ||
          (groups[victim].valid && (!g.valid || g.last_use < groups[victim].last_use));
      if (better) victim = i;
    }
    Group& g = groups[victim];
    g.valid = true;
    g.hash = hash;
    g.key = key;
    g.last_use = clock;
    last = victim;
    *fresh = true;
    return g;
  }
};

Evaluator::Evaluator(const ModelOptions& options, bool caching)
    : options_(options),
      caching_(caching),
      plan_(std::make_unique<Plan>()),
      cache_(std::make_unique<Cache>()) {}
Evaluator::~Evaluator() = default;

namespace {

/// Everything BuildPlan reads from a workload besides the options (fixed per Evaluator):
/// the batch, the mode and every field of every layer. The dataflow is not part of the plan.
void Signature(const Workload& work, std::vector<std::int64_t>* sig) {
  sig->clear();
  sig->push_back(work.batch);
  sig->push_back(static_cast<std::int64_t>(work.mode));
  for (const net::Layer& l : work.network->layers) {
    sig->insert(
        sig->end(),
        {static_cast<std::int64_t>(l.kind), l.c, l.h, l.w, l.m, l.r, l.s, l.stride, l.pad,
         l.dilation, l.groups, static_cast<std::int64_t>(l.pool), static_cast<std::int64_t>(l.op),
         l.num_inputs, l.bias ? 1 : 0, l.extra_params, static_cast<std::int64_t>(l.inputs.size())});
    for (int i : l.inputs) sig->push_back(i);
  }
}

}  // namespace

void Evaluator::EnsurePlan(const Workload& work) {
  std::vector<std::int64_t> sig;
  Signature(work, &sig);
  if (sig == plan_signature_ && !plan_signature_.empty()) return;
  detail::BuildPlan(work, options_, plan_.get());
  plan_signature_ = std::move(sig);
  cache_->Clear();
  ++stats_.plans;
}

PointReport Evaluator::EvaluatePoint(const Workload& work, const Hardware& hw) {
  PointReport rep;
  EnsurePlan(work);
  rep.rows.reserve(plan_->phases.size());
  rep.status = detail::EvaluateNetwork(*plan_, work, hw, options_, &rep.totals, &rep.rows);
  if (rep.status != Status::kOk) rep.failure = plan_->trace.failure;
  return rep;
}

void Evaluator::Evaluate(const Workload& work, const HwBatch& hw, ResultBatch& out) {
  EnsurePlan(work);
  // Outside `best` (with the trim engine) the walk is fixed by the mapping fields: one walk
  // per mapping group, then only the closed-form costs per design.
  const bool grouped = work.dataflow != Dataflow::kBest || options_[Option::kEngine] == 1;
  std::array<double, kNumResultCols> totals{};
  Cache& c = *cache_;
  if (static_cast<int>(work.dataflow) != c.last_dataflow) {
    c.maps.Remeasure();
    c.last_dataflow = static_cast<int>(work.dataflow);
  }
  const std::uint64_t hits0 = c.maps.hits, misses0 = c.maps.misses, bypassed0 = c.maps.bypassed;
  for (std::size_t i = 0; i < hw.size; ++i) {
    const Hardware h = hw.Row(i);
    Status st;
    const detail::Trace* trace = &plan_->trace;  // the walk that decided st
    if (!caching_) {
      st = detail::EvaluateNetwork(*plan_, work, h, options_, &totals, nullptr);
      ++stats_.walks;
    } else {
      const detail::HwView hv = detail::MakeHwView(h, options_);
      st = detail::PointStatus(*plan_, hv);
      trace = nullptr;
      if (st != Status::kOk) {
        totals.fill(0.0);
      } else if (grouped) {
        bool fresh = false;
        const Cache::Key key = Cache::KeyOf(hv, work.dataflow);
        const std::uint64_t hash = Cache::HashOf(key);
        Cache::Group& g = c.Find(key, hash, &fresh);
        if (fresh) {
          const bool first = c.FirstSight(hash);
          detail::WalkNetwork(*plan_, work, options_, hv, first ? nullptr : &c.maps, &g.trace);
          ++stats_.walks;
          if (first) ++stats_.first_walks;
        } else {
          ++stats_.trace_hits;
        }
        st = detail::CostTrace(*plan_, work, options_, g.trace, h, hv, &totals, nullptr);
        trace = &g.trace;
      } else {
        const bool first = c.FirstSight(Cache::HashOf(Cache::KeyOf(hv, work.dataflow)));
        detail::WalkNetwork(*plan_, work, options_, hv, first ? nullptr : &c.maps, &c.scratch);
        ++stats_.walks;
        if (first) ++stats_.first_walks;
        st = detail::CostTrace(*plan_, work, options_, c.scratch, h, hv, &totals, nullptr);
        trace = &c.scratch;
      }
    }
    for (std::size_t col = 0; col < kNumResultCols; ++col) out.col[col][i] = totals[col];
    out.status[i] = static_cast<std::uint8_t>(st);
    out.failure[i] = st == Status::kOk  ? Failure{}
                     : trace != nullptr ? trace->failure
                                        : detail::PointFailure(*plan_);
  }
  stats_.points += hw.size;
  stats_.map_hits += c.maps.hits - hits0;
  stats_.map_misses += c.maps.misses - misses0;
  stats_.map_bypassed += c.maps.bypassed - bypassed0;
}

}  // namespace trim::model
