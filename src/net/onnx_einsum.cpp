// ONNX import: Einsum. Equations of two operands that are batched matrix products (every label
// is a batch, row, column or contracted axis; docs/onnx.md, "Einsum") become the same layers as
// MatMul: a matmul layer for two activations, a linear layer for an activation times a weight.
#include <algorithm>
#include <cctype>
#include <map>

#include "onnx_importer.hpp"

namespace trim::net::onnx_internal {
namespace {

using Dims = std::vector<std::int64_t>;

// One operand term of an equation with its ellipsis expanded: one label per axis. Letters are
// the equation's labels; the axes an ellipsis covers get the labels '0', '1', ... counted from
// the last ellipsis axis backwards, so that broadcasting aligns them from the right.
struct Term {
  std::string labels;
  bool ellipsis = false;
};

constexpr std::string_view kEinsumHint =
    "Einsum is imported when it is a (batched) matrix product of two operands: every label "
    "appears in both operands and the output (batch), in one operand and the output (rows or "
    "columns), or in both operands but not the output (contracted), at most once per term "
    "(docs/onnx.md, \"Einsum\"); write the product with torch.matmul or a Linear layer instead";

std::string Expand(const Importer& im, const std::string& term, std::size_t rank) {
  const std::size_t dots = term.find("...");
  std::string letters = term;
  if (dots != std::string::npos) letters.erase(dots, 3);
  for (const char ch : letters) {
    if (std::isalpha(static_cast<unsigned char>(ch)) == 0) {
      im.Fail("Einsum term '" + term + "' has the character '" + std::string(1, ch) +
                  "' (labels are letters, with at most one '...')",
              std::string(kEinsumHint));
    }
  }
  if (dots == std::string::npos) {
    if (letters.size() != rank) {
      im.Fail("Einsum term '" + term + "' has " + std::to_string(letters.size()) +
                  " labels for an operand of rank " + std::to_string(rank),
              std::string(kEinsumHint));
    }
    return letters;
  }
  if (letters.size() > rank) {
    im.Fail("Einsum term '" + term + "' has more labels than its operand has axes (" +
                std::to_string(rank) + ")",
            std::string(kEinsumHint));
  }
  const std::size_t covered = rank - letters.size();
  std::string mid;
  for (std::size_t i = 0; i < covered; ++i)
    mid.push_back(static_cast<char>('0' + (covered - 1 - i)));
  return letters.substr(0, dots) + mid + letters.substr(dots);
}

}  // namespace

void Importer::OpEinsum() {
  std::string eq;
  for (const char ch : AttrString("equation", ""))
    if (std::isspace(static_cast<unsigned char>(ch)) == 0) eq.push_back(ch);
  const std::string hint(kEinsumHint);
  const std::string quoted = "equation '" + eq + "'";
  if (NumInputs() != 2) {
    Fail("Einsum " + quoted + " has " + std::to_string(NumInputs()) +
             " operands; only products of two are supported",
         hint);
  }
  const Value& a = In(0);
  const Value& b = In(1);
  const std::size_t arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  const std::size_t comma = lhs.find(',');
  if (comma == std::string::npos || lhs.find(',', comma + 1) != std::string::npos) {
    Fail("Einsum " + quoted + " does not have two operand terms", hint);
  }
  const std::string ta = Expand(*this, lhs.substr(0, comma), a.dims.size());
  const std::string tb = Expand(*this, lhs.substr(comma + 1), b.dims.size());

  // Label sizes; ellipsis labels broadcast (size 1 against any size).
  std::map<char, std::int64_t> size;
  auto note = [&](const std::string& t, const Dims& dims, const char* which) {
    for (std::size_t i = 0; i < t.size(); ++i) {
      const char lab = t[i];
      if (t.find(lab) != i) {
        Fail("Einsum " + quoted + " repeats label '" + std::string(1, lab) + "' in the " + which +
                 " operand (a diagonal, not a matrix product)",
             hint);
      }
      auto [it, fresh] = size.emplace(lab, dims[i]);
      if (fresh || it->second == dims[i]) continue;
      const bool digit = std::isdigit(static_cast<unsigned char>(lab)) != 0;
      if (digit && (it->second == 1 || dims[i] == 1)) {
        it->second = std::max(it->second, dims[i]);
        continue;
      }
      Fail("Einsum " + quoted + ": label '" + std::string(1, lab) + "' has sizes " +
               std::to_string(it->second) + " and " + std::to_string(dims[i]),
           hint);
    }
  };
  note(ta, a.dims, "first");
  note(tb, b.dims, "second");

  // The output term: explicit, or implicit (numpy's rule: the ellipsis axes, then the letters
  // that appear once, in alphabetical order).
  std::string to;
  if (arrow != std::string::npos) {
    const std::string rhs = eq.substr(arrow + 2);
    std::size_t ell = 0;  // axes under the operands' ellipses (broadcast together)
    for (const char lab : ta + tb)
      if (std::isdigit(static_cast<unsigned char>(lab)) != 0)
        ell = std::max<std::size_t>(ell, static_cast<std::size_t>(lab - '0') + 1);
    const bool dots = rhs.find("...") != std::string::npos;
    to = Expand(*this, rhs, dots ? rhs.size() - 3 + ell : rhs.size());
    for (std::size_t i = 0; i < to.size(); ++i) {
      if (size.count(to[i]) == 0) {
        Fail("Einsum " + quoted + ": output label '" + std::string(1, to[i]) + "' is in no operand",
             hint);
      }
      if (to.find(to[i]) != i) {
        Fail("Einsum " + quoted + " repeats output label '" + std::string(1, to[i]) + "'", hint);
      }
    }
  } else {
    for (const auto& [lab, n] : size)
      if (std::isdigit(static_cast<unsigned char>(lab)) != 0) to.insert(to.begin(), lab);
    for (const auto& [lab, n] : size) {
      const auto once =
          std::count(ta.begin(), ta.end(), lab) + std::count(tb.begin(), tb.end(), lab);
      if (std::isalpha(static_cast<unsigned char>(lab)) != 0 && once == 1) to.push_back(lab);
    }
  }

  // Classify the labels: batch (both operands and the output), rows (first operand and the
  // output), columns (second operand and the output), contracted (both operands only).
  std::int64_t batch = 1;
  std::int64_t rows = 1;
  std::int64_t cols = 1;
  std::int64_t inner = 1;
  bool a_batch = false;  // the first operand carries a batch label of size > 1
  bool b_batch = false;
  for (const auto& [lab, n] : size) {
    const bool in_a = ta.find(lab) != std::string::npos;
    const bool in_b = tb.find(lab) != std::string::npos;
    const bool out = to.find(lab) != std::string::npos;
    if (!out && !(in_a && in_b)) {
      Fail("Einsum " + quoted + " sums label '" + std::string(1, lab) +
               "' over one operand only (a reduction, not a matrix product)",
           hint);
    }
    if (in_a && in_b && out) {
      batch *= n;
      a_batch = a_batch || a.dims[ta.find(lab)] > 1;
      b_batch = b_batch || b.dims[tb.find(lab)] > 1;
    } else if (out) {
      (in_a ? rows : cols) *= n;
    } else {
      inner *= n;
    }
  }
  Dims out_dims;
  for (const char lab : to) out_dims.push_back(size.at(lab));

  if (a.is_const && b.is_const) {
    Value v;
    v.is_const = true;
    v.elem_type = a.elem_type;
    v.dims = out_dims;
    return SetOut(0, std::move(v));
  }
  Layer l;
  l.name = LayerName();
  l.kind = LayerKind::kFc;
  if (a.is_const || b.is_const) {
    // An activation times a weight: a projection of `inner` inputs to `outs` outputs applied at
    // every other position of the output. A weight with batch labels is a different weight per
    // position, which no layer describes.
    const Value& w = a.is_const ? a : b;
    const Value& x = a.is_const ? b : a;
    if (a.is_const ? a_batch : b_batch) {
      Fail("Einsum " + quoted + ": the constant operand has batch labels (a weight per position)",
           hint);
    }
    l.c = inner;
    l.m = a.is_const ? rows : cols;
    l.h = Numel(PerSample(x)) / inner;
    Own(w);
    return EmitLayer(std::move(l), {&x}, out_dims);
  }
  // Two activations: `batch` independent rows x inner x cols products, as MatMul.
  if (batch % batch_ != 0) {
    Fail("Einsum " + quoted + ": the batch labels (" + std::to_string(batch) +
             " products) do not hold the batch of " + std::to_string(batch_),
         "export with batch 1 (or a dynamic batch axis): every axis is then per sample");
  }
  const std::int64_t groups = batch / batch_;
  l.kind = LayerKind::kMatmul;
  l.groups = groups;
  l.c = groups * inner;
  l.m = groups * cols;
  l.h = rows;
  EmitLayer(std::move(l), {&a, &b}, out_dims);
}

}  // namespace trim::net::onnx_internal
