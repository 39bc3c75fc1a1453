// RowWriter joins the rows of tasks that continue each other into one WriteRows call, and
// writes the run when a task does not continue it, when the buffer is full, and on Flush();
// the bytes reaching the file are those of the tasks, in order.
#include "row_writer.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace trim::sched {
namespace {

// Records every WriteRows call: its rows and the values of its two columns.
class FakeFile final : public io::ResultsFile {
 public:
  struct Call {
    IndexRange rows;
    std::vector<double> a;
    std::vector<std::uint8_t> b;
  };
  std::vector<Call> calls;

  void WriteRows(IndexRange r, std::span<const void* const> data) override {
    Call c{r, std::vector<double>(r.size()), std::vector<std::uint8_t>(r.size())};
    std::memcpy(c.a.data(), data[0], r.size() * sizeof(double));
    std::memcpy(c.b.data(), data[1], r.size());
    calls.push_back(std::move(c));
  }
  std::vector<std::uint8_t> ReadDone(IndexRange) override { return {}; }
  std::vector<double> ReadColumn(std::size_t, IndexRange) override { return {}; }
  void WriteTable(const io::SmallTable&, int) override {}
  void SetAttributes(const std::vector<io::Attribute>&) override {}
  void Close() override {}
};

// Rows r with column a = the row index and column b = its low byte.
void Append(RowWriter& w, IndexRange r) {
  std::vector<double> a;
  std::vector<std::uint8_t> b;
  for (Index i = r.begin; i < r.end; ++i) {
    a.push_back(static_cast<double>(i));
    b.push_back(static_cast<std::uint8_t>(i & 0xff));
  }
  const void* data[2] = {a.data(), b.data()};
  w.Append(r, data);
}

void ExpectRows(const FakeFile::Call& c, IndexRange r) {
  ASSERT_EQ(c.rows, r);
  for (Index i = r.begin; i < r.end; ++i) {
    EXPECT_EQ(c.a[i - r.begin], static_cast<double>(i));
    EXPECT_EQ(c.b[i - r.begin], static_cast<std::uint8_t>(i & 0xff));
  }
}

TEST(RowWriter, JoinsAdjacentTasksAndBreaksOnAGap) {
  FakeFile f;
  RowWriter w(f, {io::Dtype::kF64, io::Dtype::kU8}, 1 << 20, 1e9);
  Append(w, {0, 7});
  Append(w, {7, 14});
  Append(w, {14, 18});
  EXPECT_TRUE(f.calls.empty());  // still buffered
  Append(w, {36, 43});           // not adjacent: the run [0, 18) is written first
  ASSERT_EQ(f.calls.size(), 1u);
  ExpectRows(f.calls[0], {0, 18});
  w.Flush();
  ASSERT_EQ(f.calls.size(), 2u);
  ExpectRows(f.calls[1], {36, 43});
  w.Flush();  // nothing left: no call
  EXPECT_EQ(f.calls.size(), 2u);
  EXPECT_EQ(w.write_calls(), 2u);
}

TEST(RowWriter, WritesWhenTheBufferWouldOverflow) {
  FakeFile f;
  // 9 bytes per row (float64 + uint8); 100 bytes hold 11 rows.
  RowWriter w(f, {io::Dtype::kF64, io::Dtype::kU8}, 100, 1e9);
  Append(w, {0, 5});
  Append(w, {5, 10});   // 90 bytes
  Append(w, {10, 15});  // 135 > 100: [0, 10) goes out first
  ASSERT_EQ(f.calls.size(), 1u);
  ExpectRows(f.calls[0], {0, 10});
  Append(w, {15, 40});  // 25 rows alone fill the buffer: [10, 15) out, then [15, 40) directly
  ASSERT_EQ(f.calls.size(), 3u);
  ExpectRows(f.calls[1], {10, 15});
  ExpectRows(f.calls[2], {15, 40});
}

TEST(RowWriter, ZeroBufferWritesEveryTask) {
  FakeFile f;
  RowWriter w(f, {io::Dtype::kF64, io::Dtype::kU8}, 0, 1e9);
  Append(w, {0, 3});
  Append(w, {3, 6});
  ASSERT_EQ(f.calls.size(), 2u);
  ExpectRows(f.calls[0], {0, 3});
  ExpectRows(f.calls[1], {3, 6});
}

TEST(RowWriter, OldRunIsWrittenAfterTheHoldTime) {
  FakeFile f;
  RowWriter w(f, {io::Dtype::kF64, io::Dtype::kU8}, 1 << 20, 0.0);  // hold nothing
  Append(w, {0, 3});
  Append(w, {3, 6});  // continues the run, but the run is older than 0 s: written first
  ASSERT_EQ(f.calls.size(), 1u);
  ExpectRows(f.calls[0], {0, 3});
}

}  // namespace
}  // namespace trim::sched
