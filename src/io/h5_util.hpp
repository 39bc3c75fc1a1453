// Module-private helpers over the HDF5 C API: owning handles, error-stack capture that turns
// HDF5 failures into IoError messages, dtype mapping, and attribute and string-table I/O.
// Nothing here is collective by itself; the callers in results_file.cpp keep every collective
// HDF5 call in the same order on every rank. Not thread-safe (neither is HDF5 as built).
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "trim/io/results_file.hpp"

namespace trim::io::h5 {

/// An owning HDF5 identifier closed with `close` (H5Dclose, H5Sclose, ...) on destruction.
/// Never use it for file identifiers: closing a parallel file is collective.
class Id {
 public:
  using Closer = herr_t (*)(hid_t);
  Id() = default;
  Id(hid_t id, Closer close) : id_(id), close_(close) {}
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  Id(Id&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = H5I_INVALID_HID; }
  Id& operator=(Id&& o) noexcept;
  ~Id() { Reset(); }

  [[nodiscard]] hid_t get() const { return id_; }
  [[nodiscard]] bool valid() const { return id_ >= 0; }
  /// Closes the identifier now; returns false if HDF5 reported an error.
  bool Reset();

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer close_ = nullptr;
};

/// Disables HDF5's automatic error-stack printing for its lifetime and restores the previous
/// handler afterwards, so failures surface only as IoError messages.
class QuietErrors {
 public:
  QuietErrors();
  ~QuietErrors();
  QuietErrors(const QuietErrors&) = delete;
  QuietErrors& operator=(const QuietErrors&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

/// The cause of the most recent HDF5 failure on this thread's default error stack, in plain
/// words (the innermost message, with a recognised OS/MPI error translated), then clears the
/// stack. Returns "unknown HDF5 error" when the stack is empty.
std::string TakeErrorCause();

/// Throws IoError(path, `what` + ": " + cause) when `status` is negative.
void Check(herr_t status, const std::string& path, const std::string& what);
/// Throws like Check when `id` is negative; otherwise wraps it with `close`.
Id Checked(hid_t id, Id::Closer close, const std::string& path, const std::string& what);

/// File (little-endian, fixed-size) and memory (native) types of a column dtype.
hid_t FileType(Dtype d);
hid_t MemType(Dtype d);
const char* DtypeName(Dtype d);
/// "float64", "uint8", "string", ... for any stored type, for error messages.
std::string DescribeType(hid_t type);

/// Root/object attributes. Each Write* replaces an existing attribute of that name. They are
/// COLLECTIVE when the file is open in parallel: every rank must pass the same value.
void WriteStringAttr(hid_t obj, const std::string& name, const std::string& value,
                     const std::string& path);
void WriteStringArrayAttr(hid_t obj, const std::string& name,
                          const std::vector<std::string>& values, const std::string& path);
void WriteF64Attr(hid_t obj, const std::string& name, double value, const std::string& path);
void WriteI64Attr(hid_t obj, const std::string& name, std::int64_t value, const std::string& path);

/// Attribute readers; nullopt when the attribute is missing or of an unsuitable class.
std::optional<std::string> ReadStringAttr(hid_t obj, const std::string& name);
std::optional<std::int64_t> ReadI64Attr(hid_t obj, const std::string& name);
std::optional<double> ReadF64Attr(hid_t obj, const std::string& name);
/// An attribute as text: strings verbatim, numbers in their shortest round-trip form.
std::optional<std::string> ReadAttrAsText(hid_t obj, const std::string& name);

/// Whether `name` (a path relative to loc, one level deep or absolute) exists as a link.
bool LinkExists(hid_t loc, const std::string& name);

/// The file and memory type of a fixed-length UTF-8 string table whose longest entry is
/// `width` bytes (at least 1).
Id FixedStringType(std::size_t width, const std::string& path);
/// Reads a 1-D fixed-length string dataset; nullopt if it is not one.
std::optional<std::vector<std::string>> ReadStringTable(hid_t dset);

}  // namespace trim::io::h5
