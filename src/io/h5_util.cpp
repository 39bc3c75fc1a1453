#include "h5_util.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdlib>
#include <string_view>

#include "trim/core/error.hpp"

namespace trim::io::h5 {

Id& Id::operator=(Id&& o) noexcept {
  if (this != &o) {
    Reset();
    id_ = o.id_;
    close_ = o.close_;
    o.id_ = H5I_INVALID_HID;
  }
  return *this;
}

bool Id::Reset() {
  bool ok = true;
  if (id_ >= 0 && close_ != nullptr) ok = close_(id_) >= 0;
  id_ = H5I_INVALID_HID;
  return ok;
}

QuietErrors::QuietErrors() {
  H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

QuietErrors::~QuietErrors() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }

namespace {

herr_t CollectDesc(unsigned /*n*/, const H5E_error2_t* err, void* client) {
  auto* out = static_cast<std::vector<std::string>*>(client);
  out->emplace_back(err->desc != nullptr ? err->desc : "");
  return 0;
}

bool Contains(const std::vector<std::string>& msgs, std::string_view needle) {
  return std::any_of(msgs.begin(), msgs.end(),
                     [&](const std::string& m) { return m.find(needle) != std::string::npos; });
}

}  // namespace

std::string TakeErrorCause() {
  std::vector<std::string> msgs;  // innermost first
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, CollectDesc, &msgs);
  H5Eclear2(H5E_DEFAULT);
  if (msgs.empty()) return "unknown HDF5 error";
  // MPI-IO reports OS failures as MPI error classes; the sec2 driver as "errno = N".
  struct Known {
    std::string_view needle;
    std::string_view cause;
  };
  static constexpr std::array<Known, 12> kKnown = {{
      {"MPI_ERR_NO_SPACE", "no space left on the device"},
      {"No space left", "no space left on the device"},
      {"MPI_ERR_QUOTA", "disk quota exceeded"},
      {"Disk quota", "disk quota exceeded"},
      {"MPI_ERR_ACCESS", "permission denied"},
      {"Permission denied", "permission denied"},
      {"MPI_ERR_READ_ONLY", "read-only file system"},
      {"Read-only file system", "read-only file system"},
      {"MPI_ERR_NO_SUCH_FILE", "no such file or directory"},
      {"No such file or directory", "no such file or directory"},
      {"file signature not found", "not an HDF5 file"},
      {"truncated file", "the file is truncated"},
  }};
  for (const Known& k : kKnown) {
    if (Contains(msgs, k.needle)) return std::string(k.cause);
  }
  return msgs.front();
}

void Check(herr_t status, const std::string& path, const std::string& what) {
  if (status < 0) throw IoError(path, what + ": " + TakeErrorCause());
}

Id Checked(hid_t id, Id::Closer close, const std::string& path, const std::string& what) {
  if (id < 0) throw IoError(path, what + ": " + TakeErrorCause());
  return Id(id, close);
}

hid_t FileType(Dtype d) {
  switch (d) {
    case Dtype::kF64:
      return H5T_IEEE_F64LE;
    case Dtype::kF32:
      return H5T_IEEE_F32LE;
    case Dtype::kU8:
      return H5T_STD_U8LE;
    case Dtype::kU16:
      return H5T_STD_U16LE;
    case Dtype::kU32:
      return H5T_STD_U32LE;
    case Dtype::kI64:
      return H5T_STD_I64LE;
  }
  return H5T_IEEE_F64LE;
}

hid_t MemType(Dtype d) {
  switch (d) {
    case Dtype::kF64:
      return H5T_NATIVE_DOUBLE;
    case Dtype::kF32:
      return H5T_NATIVE_FLOAT;
    case Dtype::kU8:
      return H5T_NATIVE_UINT8;
    case Dtype::kU16:
      return H5T_NATIVE_UINT16;
    case Dtype::kU32:
      return H5T_NATIVE_UINT32;
    case Dtype::kI64:
      return H5T_NATIVE_INT64;
  }
  return H5T_NATIVE_DOUBLE;
}

const char* DtypeName(Dtype d) {
  switch (d) {
    case Dtype::kF64:
      return "float64";
    case Dtype::kF32:
      return "float32";
    case Dtype::kU8:
      return "uint8";
    case Dtype::kU16:
      return "uint16";
    case Dtype::kU32:
      return "uint32";
    case Dtype::kI64:
      return "int64";
  }
  return "?";
}

std::string DescribeType(hid_t type) {
  const std::size_t bits = H5Tget_size(type) * 8;
  switch (H5Tget_class(type)) {
    case H5T_FLOAT:
      return "float" + std::to_string(bits);
    case H5T_INTEGER:
      return std::string(H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + std::to_string(bits);
    case H5T_STRING:
      return "string";
    case H5T_ENUM:
      return "enum";
    case H5T_COMPOUND:
      return "compound";
    default:
      return "an unsupported type";
  }
}

namespace {

Id VlStringType(const std::string& path) {
  Id t = Checked(H5Tcopy(H5T_C_S1), H5Tclose, path, "cannot create a string type");
  Check(H5Tset_size(t.get(), H5T_VARIABLE), path, "cannot create a string type");
  Check(H5Tset_cset(t.get(), H5T_CSET_UTF8), path, "cannot create a string type");
  return t;
}

void DeleteAttrIfAny(hid_t obj, const std::string& name, const std::string& path) {
  const htri_t exists = H5Aexists(obj, name.c_str());
  Check(exists < 0 ? -1 : 0, path, "cannot inspect attribute '" + name + "'");
  if (exists > 0) {
    Check(H5Adelete(obj, name.c_str()), path, "cannot replace attribute '" + name + "'");
  }
}

/// Writes an attribute; nothing is written for a dataspace without elements.
void WriteAttr(hid_t obj, const std::string& name, hid_t file_type, hid_t space, hid_t mem_type,
               const void* buf, const std::string& path) {
  DeleteAttrIfAny(obj, name, path);
  Id a = Checked(H5Acreate2(obj, name.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT),
                 H5Aclose, path, "cannot create attribute '" + name + "'");
  if (H5Sget_simple_extent_npoints(space) == 0) return;
  Check(H5Awrite(a.get(), mem_type, buf), path, "cannot write attribute '" + name + "'");
}

Id ScalarSpace(const std::string& path) {
  return Checked(H5Screate(H5S_SCALAR), H5Sclose, path, "cannot create a dataspace");
}

std::string ShortestText(double v) {
  std::array<char, 64> buf{};
  const auto res = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return std::string(buf.data(), res.ptr);
}

}  // namespace

void WriteStringAttr(hid_t obj, const std::string& name, const std::string& value,
                     const std::string& path) {
  Id t = VlStringType(path);
  Id s = ScalarSpace(path);
  const char* p = value.c_str();
  WriteAttr(obj, name, t.get(), s.get(), t.get(), &p, path);
}

void WriteStringArrayAttr(hid_t obj, const std::string& name,
                          const std::vector<std::string>& values, const std::string& path) {
  Id t = VlStringType(path);
  const hsize_t n = values.size();
  Id s = Checked(H5Screate_simple(1, &n, nullptr), H5Sclose, path, "cannot create a dataspace");
  std::vector<const char*> ptrs;
  ptrs.reserve(values.size());
  for (const std::string& v : values) ptrs.push_back(v.c_str());
  WriteAttr(obj, name, t.get(), s.get(), t.get(), ptrs.data(), path);
}

void WriteF64Attr(hid_t obj, const std::string& name, double value, const std::string& path) {
  Id s = ScalarSpace(path);
  WriteAttr(obj, name, H5T_IEEE_F64LE, s.get(), H5T_NATIVE_DOUBLE, &value, path);
}

void WriteI64Attr(hid_t obj, const std::string& name, std::int64_t value, const std::string& path) {
  Id s = ScalarSpace(path);
  WriteAttr(obj, name, H5T_STD_I64LE, s.get(), H5T_NATIVE_INT64, &value, path);
}

namespace {

/// Opens attribute `name` of a scalar dataspace; invalid Id when missing or not scalar.
Id OpenScalarAttr(hid_t obj, const std::string& name) {
  if (H5Aexists(obj, name.c_str()) <= 0) return {};
  Id a(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose);
  if (!a.valid()) return {};
  Id s(H5Aget_space(a.get()), H5Sclose);
  if (!s.valid() || H5Sget_simple_extent_npoints(s.get()) != 1) return {};
  return a;
}

}  // namespace

std::optional<std::string> ReadStringAttr(hid_t obj, const std::string& name) {
  Id a = OpenScalarAttr(obj, name);
  if (!a.valid()) return std::nullopt;
  Id ft(H5Aget_type(a.get()), H5Tclose);
  if (!ft.valid() || H5Tget_class(ft.get()) != H5T_STRING) return std::nullopt;
  if (H5Tis_variable_str(ft.get()) > 0) {
    Id mt(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mt.get(), H5T_VARIABLE);
    H5Tset_cset(mt.get(), H5Tget_cset(ft.get()));
    char* p = nullptr;
    if (H5Aread(a.get(), mt.get(), &p) < 0) return std::nullopt;
    std::string out = p != nullptr ? p : "";
    H5free_memory(p);
    return out;
  }
  const std::size_t n = H5Tget_size(ft.get());
  std::string buf(n, '\0');
  if (H5Aread(a.get(), ft.get(), buf.data()) < 0) return std::nullopt;
  buf.resize(std::min(buf.find('\0'), buf.size()));
  return buf;
}

std::optional<std::int64_t> ReadI64Attr(hid_t obj, const std::string& name) {
  Id a = OpenScalarAttr(obj, name);
  if (!a.valid()) return std::nullopt;
  Id ft(H5Aget_type(a.get()), H5Tclose);
  if (!ft.valid()) return std::nullopt;
  const H5T_class_t cls = H5Tget_class(ft.get());
  if (cls == H5T_INTEGER) {
    std::int64_t v = 0;
    if (H5Aread(a.get(), H5T_NATIVE_INT64, &v) < 0) return std::nullopt;
    return v;
  }
  if (cls == H5T_FLOAT) {
    double v = 0;
    if (H5Aread(a.get(), H5T_NATIVE_DOUBLE, &v) < 0) return std::nullopt;
    if (v != static_cast<double>(static_cast<std::int64_t>(v))) return std::nullopt;
    return static_cast<std::int64_t>(v);
  }
  return std::nullopt;
}

std::optional<double> ReadF64Attr(hid_t obj, const std::string& name) {
  Id a = OpenScalarAttr(obj, name);
  if (!a.valid()) return std::nullopt;
  Id ft(H5Aget_type(a.get()), H5Tclose);
  if (!ft.valid()) return std::nullopt;
  const H5T_class_t cls = H5Tget_class(ft.get());
  if (cls != H5T_INTEGER && cls != H5T_FLOAT) return std::nullopt;
  double v = 0;
  if (H5Aread(a.get(), H5T_NATIVE_DOUBLE, &v) < 0) return std::nullopt;
  return v;
}

std::optional<std::string> ReadAttrAsText(hid_t obj, const std::string& name) {
  if (auto s = ReadStringAttr(obj, name)) return s;
  Id a = OpenScalarAttr(obj, name);
  if (!a.valid()) return std::nullopt;
  Id ft(H5Aget_type(a.get()), H5Tclose);
  if (!ft.valid()) return std::nullopt;
  if (H5Tget_class(ft.get()) == H5T_INTEGER) {
    if (auto v = ReadI64Attr(obj, name)) return std::to_string(*v);
  }
  if (auto v = ReadF64Attr(obj, name)) return ShortestText(*v);
  return std::nullopt;
}

bool LinkExists(hid_t loc, const std::string& name) {
  return H5Lexists(loc, name.c_str(), H5P_DEFAULT) > 0;
}

Id FixedStringType(std::size_t width, const std::string& path) {
  Id t = Checked(H5Tcopy(H5T_C_S1), H5Tclose, path, "cannot create a string type");
  Check(H5Tset_size(t.get(), std::max<std::size_t>(width, 1)), path, "cannot create a string type");
  Check(H5Tset_strpad(t.get(), H5T_STR_NULLPAD), path, "cannot create a string type");
  Check(H5Tset_cset(t.get(), H5T_CSET_UTF8), path, "cannot create a string type");
  return t;
}

std::optional<std::vector<std::string>> ReadStringTable(hid_t dset) {
  Id ft(H5Dget_type(dset), H5Tclose);
  if (!ft.valid() || H5Tget_class(ft.get()) != H5T_STRING || H5Tis_variable_str(ft.get()) > 0) {
    return std::nullopt;
  }
  Id s(H5Dget_space(dset), H5Sclose);
  if (!s.valid() || H5Sget_simple_extent_ndims(s.get()) != 1) return std::nullopt;
  const hssize_t n = H5Sget_simple_extent_npoints(s.get());
  const std::size_t width = H5Tget_size(ft.get());
  if (n < 0 || width == 0) return std::nullopt;
  std::string buf(static_cast<std::size_t>(n) * width, '\0');
  if (n > 0 && H5Dread(dset, ft.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) < 0) {
    return std::nullopt;
  }
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(n));
  for (hssize_t i = 0; i < n; ++i) {
    std::string e = buf.substr(static_cast<std::size_t>(i) * width, width);
    e.resize(std::min(e.find('\0'), e.size()));
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace trim::io::h5
