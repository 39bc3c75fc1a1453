#include "row_writer.hpp"

#include <chrono>
#include <cstring>

namespace trim::sched {
namespace {

double Seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::size_t Width(io::Dtype d) {
  switch (d) {
    case io::Dtype::kU8:
      return 1;
    case io::Dtype::kU16:
      return 2;
    case io::Dtype::kU32:
    case io::Dtype::kF32:
      return 4;
    default:
      return 8;
  }
}

}  // namespace

RowWriter::RowWriter(io::ResultsFile& file, std::vector<io::Dtype> dtypes,
                     std::uint64_t flush_bytes, double max_hold_s)
    : file_(file),
      dtypes_(std::move(dtypes)),
      flush_bytes_(flush_bytes),
      max_hold_s_(max_hold_s),
      cols_(dtypes_.size()) {
  for (io::Dtype d : dtypes_) {
    widths_.push_back(Width(d));
    row_bytes_ += widths_.back();
  }
}

void RowWriter::WriteNow(IndexRange r, std::span<const void* const> data) {
  file_.WriteRows(r, data);
  ++write_calls_;
}

void RowWriter::Append(IndexRange r, std::span<const void* const> data) {
  if (r.empty()) return;
  const std::uint64_t bytes = r.size() * row_bytes_;
  if (!run_.empty() && (r.begin != run_.end || run_.size() * row_bytes_ + bytes > flush_bytes_ ||
                        Seconds() - run_since_ >= max_hold_s_)) {
    Flush();
  }
  if (run_.empty() && bytes >= flush_bytes_) {
    WriteNow(r, data);  // a task that fills the buffer on its own needs no copy
    return;
  }
  if (run_.empty()) {
    run_ = {r.begin, r.begin};
    run_since_ = Seconds();
  }
  for (std::size_t k = 0; k < cols_.size(); ++k) {
    const auto* p = static_cast<const unsigned char*>(data[k]);
    cols_[k].insert(cols_[k].end(), p, p + r.size() * widths_[k]);
  }
  run_.end = r.end;
}

void RowWriter::Flush() {
  if (run_.empty()) return;
  std::vector<const void*> data;
  for (const auto& c : cols_) data.push_back(c.data());
  WriteNow(run_, data);
  for (auto& c : cols_) c.clear();
  run_ = {};
}

}  // namespace trim::sched
