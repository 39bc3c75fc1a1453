#include "trim/io/results_file.hpp"

#include "trim/core/error.hpp"

namespace trim::io {

std::unique_ptr<ResultsFile> ResultsFile::Create(MPI_Comm, const std::string& path, const Layout&,
                                                 const std::vector<Attribute>&, bool) {
  throw IoError(path, "HDF5 output is not implemented yet");
}

std::unique_ptr<ResultsFile> ResultsFile::OpenForResume(MPI_Comm, const std::string& path,
                                                        const Layout&, const std::string&) {
  throw IoError(path, "HDF5 output is not implemented yet");
}

}  // namespace trim::io
